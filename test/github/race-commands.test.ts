/**
 * `/race dup`, `/race not-dup`, `/race undup` and `/race help` end to end: the app's real
 * server, signed webhooks, the job queue, and GitHub faked at HTTP (REST checked against the
 * OpenAPI description, GraphQL validated against GitHub's published schema).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { parseCommand, parseRaceCommands } from '../../src/github/commands.js';
import { helpText } from '../../src/github/race-commands.js';
import { issueObject } from '../support/payloads.js';
import { IssuePairs, type IssuePairsDatabase } from '../../src/store/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { BOT } from '../support/github/fake-github.js';
import { commentEvent, INSTALLATION_ID, issuesEvent, type IssueSpec } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const PORT = 38_441;
const REPO = '/repos/pingcap/tidb';
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const tracker = seeds.find((s) => s.number === 31965)!;
const indexWorker = seeds.find((s) => s.number === 41105)!;

/** Issues the tests command on: X reports the race of #39771 again; Y and Z report other races. */
const X: IssueSpec = { number: 70010, title: 'TestMPPClose is flaky again', body: mpp.body, author: 'bob' };
const Y: IssueSpec = { number: 70020, title: 'Tracker race in memory', body: tracker.body, author: 'bob' };
const Z: IssueSpec = { number: 70040, title: 'Index worker race', body: indexWorker.body, author: 'bob' };
const PR_NUMBER = 70030;

describe('parseRaceCommands', () => {
  test('reads every /race line outside code and quotes', () => {
    const body = [
      'Thanks, these are the same.',
      '/race dup #12',
      '  /RACE not-dup pingcap/tidb#13',
      '> /race dup #1',
      '```',
      '/race dup #2',
      '```',
      '    /race dup #3',
      '/race undup',
      '/race help',
      'please /race dup #4',
      '/racecar',
      '/race dup https://github.com/pingcap/tidb/pull/15',
    ].join('\n');
    expect(parseRaceCommands(body)).toEqual([
      { text: '/race dup #12', action: 'dup', target: { number: 12 } },
      { text: '/RACE not-dup pingcap/tidb#13', action: 'not-dup', target: { number: 13, owner: 'pingcap', repo: 'tidb' } },
      { text: '/race undup', action: 'undup' },
      { text: '/race help', action: 'help' },
      { text: '/race dup https://github.com/pingcap/tidb/pull/15', action: 'dup', target: { number: 15, owner: 'pingcap', repo: 'tidb', pullRequest: true } },
    ]);
    expect(parseCommand(body)?.name).toBe('race');
    expect(parseCommand('> /race dup #1\n```\n/race dup #2\n```')).toBeUndefined();
  });

  test.each([
    ['/race', /a command is missing/],
    ['/race dup', /needs one issue/],
    ['/race dup 12', /needs one issue/],
    ['/race dup #12 #13', /needs one issue/],
    ['/race undup #12', /takes no argument/],
    ['/race merge #12', /is not a command/],
  ])('%j has a problem', (line, problem) => {
    expect(parseRaceCommands(line)[0]!.problem).toMatch(problem);
  });
});

describe('/race commands', () => {
  let h: TestApp;
  const issueKey = (n: number) => `pingcap/tidb#${n}`;
  const pairs = () => new IssuePairs(h.database.db.withTables<IssuePairsDatabase>());
  const repoRef = { installationId: INSTALLATION_ID, repo: 'pingcap/tidb' };
  const botComment = (n: number) => h.github.commentsOn(issueKey(n)).find((c) => c.user.login === BOT.login && c.body.startsWith('<!-- race-triage {'));
  const duplicateLines = (n: number) => (botComment(n)?.body ?? '').split('\n').filter((l) => /^- #\d+ /.test(l));

  beforeEach(async () => {
    h = await startApp({ port: PORT });
    h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
    h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\n');
    h.github.roles.set('dave', 'maintain');
    h.github.roles.set('tina', 'triage');
    for (const spec of [{ number: mpp.number, title: mpp.title, body: mpp.body }, X, Y, Z]) await h.deliver('issues', issuesEvent('opened', spec));
    // A pull request: GitHub's issues API answers for it too.
    h.github.rememberIssue('pingcap/tidb', {
      ...issueObject({ number: PR_NUMBER, title: 'Fix the tracker' }),
      pull_request: { url: `https://api.github.com/repos/pingcap/tidb/pulls/${PR_NUMBER}`, html_url: null, diff_url: null, patch_url: null },
    });
    h.github.calls.length = 0;
  });
  afterEach(async () => {
    await h.close();
    expect(h.github.problems).toEqual([]);
  });

  /** A person comments on `spec`; GitHub stores the comment, then sends the event. */
  async function comment(spec: IssueSpec, login: string, body: string): Promise<number> {
    const stored = h.github.addComment(issueKey(spec.number), body, { login, type: 'User' });
    await h.deliver('issue_comment', commentEvent({ ...spec, comments: h.github.commentsOn(issueKey(spec.number)).length }, { id: stored.id, body, login }));
    return stored.id;
  }

  test('/race dup by a maintainer: recorded, listed first as confirmed, closed as a duplicate through GraphQL', async () => {
    expect(duplicateLines(X.number)).toEqual([expect.stringMatching(/^- #39771 \(open\) · same signature/)]);
    const bot = botComment(X.number)!;
    const id = await comment(X, 'dave', 'Same root cause as the tracker one.\n/race dup #70020');

    expect(h.github.requests).toEqual([
      `GET ${REPO}/collaborators/dave/permission`,
      `GET ${REPO}/contents/.github%2Frace-triage.yml`,
      `POST ${REPO}/issues/comments/${id}/reactions`,
      `GET ${REPO}/issues/${X.number}`,
      `GET ${REPO}/issues/${Y.number}`,
      `PATCH ${REPO}/issues/comments/${bot.id}`,
      'POST /graphql',
      `POST ${REPO}/issues/comments/${id}/reactions`,
    ]);
    expect(h.github.reactions).toEqual([
      { commentId: id, content: 'eyes' },
      { commentId: id, content: '+1' },
    ]);
    expect(duplicateLines(X.number)).toEqual([
      expect.stringMatching(/^- #70020 \(open\) · confirmed by @dave · Tracker race in memory$/),
      expect.stringMatching(/^- #39771 \(open\) · same signature/),
    ]);
    const graphql = h.github.calls.find((c) => c.path === '/graphql')!.body as { query: string; variables: Record<string, string> };
    expect(graphql.query).toMatch(/closeIssue\(input: \{ issueId: \$issueId, stateReason: DUPLICATE, duplicateIssueId: \$duplicateIssueId \}\)/);
    expect(graphql.variables).toEqual({ issueId: 'I_tidb_70010', duplicateIssueId: 'I_tidb_70020' });
    expect(h.github.issues.get(issueKey(X.number))).toMatchObject({ state: 'closed', state_reason: 'duplicate' });
    expect(await pairs().touching(repoRef, [X.number])).toEqual([
      { issue: X.number, other: Y.number, kind: 'confirmed-dup', source: { kind: 'command', user: 'dave' }, at: expect.any(String) },
    ]);

    // GitHub tells the app the issue was closed (by the app itself): the pair is known, nothing is asked.
    h.github.calls.length = 0;
    await h.deliver('issues', issuesEvent('closed', { ...X, state: 'closed', stateReason: 'duplicate' }, {}, BOT));
    expect(h.github.calls).toEqual([]);
  });

  test('GitHub closed the issue but answered 502: the retried job sees it closed and does not close it again', async () => {
    h.github.fail({ method: 'POST', path: /^\/graphql$/, status: 502, afterWrite: true });
    await comment(X, 'dave', '/race dup #70020');
    expect(h.github.requests.filter((r) => r === 'POST /graphql')).toHaveLength(1);
    expect(h.github.calls.filter((c) => c.path === '/graphql').map((c) => [c.status, c.wrote])).toEqual([[502, true]]);
    expect(h.github.issues.get(issueKey(X.number))).toMatchObject({ state: 'closed', state_reason: 'duplicate' });
    // The run was repeated (the issue read again), and finished.
    expect(h.github.requests.filter((r) => r === `GET ${REPO}/issues/${X.number}`)).toHaveLength(2);
    expect(h.github.reactions.at(-1)).toMatchObject({ content: '+1' });
    expect(h.github.commentsOn(issueKey(X.number)).filter((c) => c.user.login === BOT.login)).toHaveLength(1);
  });

  test('several commands in one comment; confirmed duplicates are transitive; close_on_dup: false keeps issues open', async () => {
    h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\ncommands:\n  close_on_dup: false\n');
    h.clock.now += 61_000;
    await comment(Y, 'dave', '/race dup #70040');
    await comment(X, 'dave', 'Both of these:\n/race dup #70020\n/race not-dup #39771');

    // X = Y and Y = Z: Z is listed on X, credited to the link that reached it; #39771 never.
    expect(duplicateLines(X.number)).toEqual([
      expect.stringMatching(/^- #70020 \(open\) · confirmed by @dave · Tracker race in memory$/),
      expect.stringMatching(/^- #70040 \(open\) · confirmed by @dave · \d+% similar · Index worker race$/),
    ]);
    expect(h.github.requests).not.toContain('POST /graphql');
    expect(h.github.issues.get(issueKey(X.number))).toMatchObject({ state: 'open' });
    expect(h.github.reactions.filter((r) => r.content === '+1')).toHaveLength(2);
  });

  test('/race not-dup beats any score: never listed again, on this issue nor on another issue of the race', async () => {
    await comment(X, 'tina', '/race not-dup #39771');
    expect(botComment(X.number)!.body).not.toMatch(/#39771\b/);
    expect(botComment(X.number)!.body).toContain('No earlier issue reports this race.');

    // Another report of the same race: it lists X, never #39771.
    const W: IssueSpec = { number: 70050, title: 'TestMPPClose again', body: mpp.body, author: 'erin' };
    await h.deliver('issues', issuesEvent('opened', W));
    expect(duplicateLines(W.number)).toEqual([expect.stringMatching(/^- #70010 \(open\) · same signature/)]);

    // A /retriage of X lists the new report, and still never #39771.
    await comment(X, 'bob', '/retriage');
    expect(duplicateLines(X.number)).toEqual([expect.stringMatching(/^- #70050 \(open\) · same signature/)]);
  });

  test('/race undup forgets what was confirmed; the comment goes back to the scores', async () => {
    h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\ncommands:\n  close_on_dup: false\n');
    h.clock.now += 61_000;
    await comment(X, 'dave', '/race dup #70020');
    expect(duplicateLines(X.number)[0]).toMatch(/#70020.*confirmed by @dave/);
    await comment(X, 'dave', '/race undup');
    expect(duplicateLines(X.number)).toEqual([expect.stringMatching(/^- #39771 \(open\) · same signature/)]);
    expect(await pairs().touching(repoRef, [X.number])).toEqual([]);
  });

  test('/race help: one reply, edited in place when asked again, never a second one', async () => {
    const first = await comment(X, 'bob', '/race help');
    const replies = () => h.github.commentsOn(issueKey(X.number)).filter((c) => c.user.login === BOT.login && c.body.startsWith('<!-- race-triage-reply help -->'));
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toBe(`<!-- race-triage-reply help -->\n${helpText(['author', 'triage', 'write', 'maintain', 'admin'])}`);
    expect(replies()[0]!.body).toContain("Who: here they may be run by the issue's author, `triage`, `write`, `maintain`, `admin` (repository roles).");
    expect(h.github.reactions).toEqual([
      { commentId: first, content: 'eyes' },
      { commentId: first, content: '+1' },
    ]);

    // Asked again with nothing new to say: no write but the reactions.
    h.github.calls.length = 0;
    await comment(X, 'bob', '/race help');
    expect(h.github.requests.filter((r) => !r.startsWith('GET') && !r.endsWith('/reactions'))).toEqual([]);

    // The config now lets fewer people run commands: the same reply is edited to say so.
    h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\nretriage: [author, maintain]\n');
    h.clock.now += 61_000;
    h.github.calls.length = 0;
    await comment(X, 'bob', '/race help');
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toContain("here they may be run by the issue's author, `maintain` (repository roles).");
    expect(h.github.requests.filter((r) => !r.startsWith('GET') && !r.endsWith('/reactions'))).toEqual([`PATCH ${REPO}/issues/comments/${replies()[0]!.id}`]);
  });

  test('refusals: a pull request, another repository, the issue itself, a missing number, no command; nothing changes', async () => {
    const bot = botComment(X.number)!;
    const before = bot.body;
    h.github.calls.length = 0;
    const id = await comment(
      X,
      'dave',
      ['/race dup #70030', '/race dup pingcap/tiflow#5', '/race dup #70010', '/race not-dup #99999', '/race merge #1'].join('\n'),
    );

    const reply = h.github.commentsOn(issueKey(X.number)).find((c) => c.body.startsWith(`<!-- race-triage-reply command:${id} -->`))!;
    expect(reply.body.split('\n').slice(1)).toEqual([
      '@dave, nothing was changed:',
      '',
      '- `/race dup #70030`: #70030 is a pull request, not an issue.',
      '- `/race dup pingcap/tiflow#5`: pingcap/tiflow#5 is in another repository; only issues of this repository can be named.',
      '- `/race dup #70010`: #70010 is this issue itself.',
      '- `/race not-dup #99999`: there is no issue #99999 in this repository.',
      '- `/race merge #1`: `/race merge` is not a command; `/race help` lists the commands.',
      '',
      'Comment `/race help` for the list of commands.',
    ]);
    expect(h.github.reactions).toEqual([
      { commentId: id, content: 'eyes' },
      { commentId: id, content: 'confused' },
    ]);
    expect(h.github.requests).toEqual([
      `GET ${REPO}/collaborators/dave/permission`,
      `GET ${REPO}/contents/.github%2Frace-triage.yml`,
      `POST ${REPO}/issues/comments/${id}/reactions`,
      `GET ${REPO}/issues/${X.number}`,
      `GET ${REPO}/issues/${PR_NUMBER}`,
      `GET ${REPO}/issues/99999`,
      `POST ${REPO}/issues/${X.number}/comments`,
      `POST ${REPO}/issues/comments/${id}/reactions`,
    ]);
    expect(bot.body).toBe(before);
    expect(await pairs().touching(repoRef, [X.number])).toEqual([]);
  });

  test('a commenter without permission changes nothing; mentions in quotes and code are not commands', async () => {
    const id = await comment(X, 'mallory', '/race not-dup #39771');
    expect(h.github.requests).toEqual([`GET ${REPO}/collaborators/mallory/permission`, `POST ${REPO}/issues/comments/${id}/reactions`]);
    expect(h.github.reactions).toEqual([{ commentId: id, content: 'confused' }]);
    expect(h.logs.filter((l) => l.msg === '/race denied')).toHaveLength(1);
    expect(await pairs().touching(repoRef, [X.number])).toEqual([]);

    h.github.calls.length = 0;
    await comment(X, 'dave', '> /race dup #70020\nDid you mean that?');
    await comment(X, 'dave', 'Try:\n```\n/race dup #70020\n```');
    expect(h.github.calls).toEqual([]);
  });

  test('the issue author may teach the bot but, without write access, does not close the issue', async () => {
    await comment(X, 'bob', '/race dup #70020');
    expect(duplicateLines(X.number)[0]).toMatch(/#70020.*confirmed by @bob/);
    expect(h.github.requests).not.toContain('POST /graphql');
    expect(h.github.issues.get(issueKey(X.number))).toMatchObject({ state: 'open' });
  });
});
