/**
 * Races pasted in comments, end to end through the app's one path: a person's comment that
 * reports a race makes the issue a race issue (indexed, triaged, the bot's comment says where
 * the race came from); editing the comment changes the race; deleting it takes the race away.
 * Bots' comments, plain comments and quoted reports cost nothing.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startApp, type TestApp } from '../support/app.js';
import { BOT } from '../support/github/fake-github.js';
import { commentEvent, INSTALLATION_ID, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const PORT = 38_431;
const REPO = '/repos/pingcap/tidb';
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const tracker = seeds.find((s) => s.number === 31965)!;
const indexWorker = seeds.find((s) => s.number === 41105)!;
/** The issue the tests comment on: its body only links to the CI run. */
const ISSUE = { number: 70001, title: 'TestMPPClose is flaky', body: 'Failed on master, log: https://ci.example.com/run/88', author: 'bob' };
const ref = { installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: ISSUE.number };
const commentUrl = (id: number) => `https://github.com/pingcap/tidb/issues/${ISSUE.number}#issuecomment-${id}`;

let h: TestApp;
beforeEach(async () => {
  h = await startApp({ port: PORT });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\n');
  // An earlier issue reports the race the comment will paste.
  await h.deliver('issues', issuesEvent('opened', { number: mpp.number, title: mpp.title, body: mpp.body }));
  await h.deliver('issues', issuesEvent('opened', ISSUE));
  h.github.calls.length = 0;
});
afterEach(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

/** A person's comment, as GitHub holds it and as its webhook says. */
async function comment(id: number, body: string, action = 'created', user: { login: string; type?: string } = { login: 'carol' }) {
  if (action === 'created') h.github.addComment(`pingcap/tidb#${ISSUE.number}`, body, { login: user.login, type: (user.type as 'User' | 'Bot') ?? 'User' });
  return h.deliver('issue_comment', commentEvent({ ...ISSUE, comments: 1 }, { id, body, ...user }, action));
}

describe('a race pasted in a comment', () => {
  test('is indexed as the comment\'s, and the bot comments once, naming the earlier issue and linking the comment', async () => {
    await comment(5001, `Here is the race:\n\n\`\`\`\n${mpp.body}\n\`\`\``);
    const stored = await h.database.index.getIssue(ref);
    expect(stored?.races.map((r) => [r.title, r.commentId])).toEqual([['(*mppIterator).Close ↔ (*mppIterator).run', 5001]]);

    const bots = h.github.commentsOn(`pingcap/tidb#${ISSUE.number}`).filter((c) => c.user.type === 'Bot');
    expect(bots).toHaveLength(1);
    expect(bots[0]!.body).toMatch(new RegExp(`#${mpp.number}\\b.*same signature`));
    expect(bots[0]!.body).toContain(`in [a comment](${commentUrl(5001)})`);
    expect(h.github.labelsOn(`pingcap/tidb#${ISSUE.number}`)).toEqual(['type/data-race', 'component/store']);
  });

  test('edited to another race: the index and the bot\'s one comment follow, edited in place', async () => {
    await comment(5001, mpp.body);
    const [first] = h.github.commentsOn(`pingcap/tidb#${ISSUE.number}`).filter((c) => c.user.type === 'Bot');
    h.github.calls.length = 0;

    await comment(5001, tracker.body, 'edited');

    expect((await h.database.index.getIssue(ref))?.races.every((r) => r.commentId === 5001)).toBe(true);
    expect((await h.database.index.getIssue(ref))?.races.map((r) => r.title)).not.toContain('(*mppIterator).Close ↔ (*mppIterator).run');
    expect(h.github.requests.filter((r) => r.startsWith('POST') && r.endsWith('/comments'))).toEqual([]);
    expect(h.github.requests).toContain(`PATCH ${REPO}/issues/comments/${first!.id}`);
    const [edited, ...more] = h.github.commentsOn(`pingcap/tidb#${ISSUE.number}`).filter((c) => c.user.type === 'Bot');
    expect(more).toEqual([]);
    expect(edited!.body).not.toMatch(new RegExp(`#${mpp.number}\\b`));
  });

  test('deleted: the issue holds no race any more, the bot says so and takes back its labels', async () => {
    await comment(5001, mpp.body);
    h.github.calls.length = 0;

    await comment(5001, mpp.body, 'deleted');

    expect(await h.database.index.getIssue(ref)).toBeUndefined();
    const [bot] = h.github.commentsOn(`pingcap/tidb#${ISSUE.number}`).filter((c) => c.user.type === 'Bot');
    expect(bot!.body).toContain('no longer holds a data-race report');
    expect(h.github.labelsOn(`pingcap/tidb#${ISSUE.number}`)).toEqual([]);
  });

  test('beside a race in the body, both are the issue\'s; deleting the comment leaves the body\'s', async () => {
    await h.deliver('issues', issuesEvent('edited', { ...ISSUE, body: indexWorker.body }, { changes: { body: { from: ISSUE.body } } }));
    await comment(5001, mpp.body);
    expect((await h.database.index.getIssue(ref))?.races.map((r) => r.commentId ?? 'body')).toEqual(['body', 5001]);

    await comment(5001, mpp.body, 'deleted');
    expect((await h.database.index.getIssue(ref))?.races.map((r) => r.commentId ?? 'body')).toEqual(['body']);
  });
});

describe('comments that report no new race cost nothing', () => {
  test('a plain comment, a bot\'s comment with a race, and a reply quoting the report', async () => {
    await comment(5002, 'Looks like the same flake as last week.');
    await comment(5003, mpp.body, 'created', { login: 'ci-robot[bot]', type: 'Bot' });
    await comment(5004, mpp.body, 'created', BOT);
    await comment(5005, `> ${mpp.body.split('\n').join('\n> ')}\n\nIs this the one from #39771?`);
    await comment(5002, 'Looks like the same flake as last week, edited.', 'edited');
    await comment(5002, 'gone', 'deleted');

    expect(h.github.calls).toEqual([]);
    expect(await h.database.index.getIssue(ref)).toBeUndefined();
  });
});
