/**
 * `/retriage` end to end: who may run it, the reactions, and what it changes.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { parseCommand } from '../../src/github/commands.js';
import { BOT } from '../support/github/fake-github.js';
import { startApp, type TestApp } from '../support/app.js';
import { commentEvent, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const mpp = loadSeeds().find((s) => s.number === 39771)!;
const REPO = '/repos/pingcap/tidb';
const ISSUE = 'pingcap/tidb#39771';

describe('parseCommand', () => {
  test.each([
    ['/retriage', true],
    ['/RETRIAGE please', true],
    ['  /retriage\nthe config changed', true],
    ['/retriage\r\n', true],
    ['> /retriage', false],
    ['```\n/retriage\n```', false],
    ['    /retriage', false],
    ['please /retriage', false],
    ['/retriaged', false],
    ['thanks\n/retriage', false],
    ['', false],
  ])('%j -> %s', (body, expected) => {
    expect(parseCommand(body)?.name === 'retriage').toBe(expected);
  });
});

describe('/retriage', () => {
  let h: TestApp;
  beforeEach(async () => {
    h = await startApp({ port: 38421 });
    h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store', 'component/distsql', 'sig/planner']);
    h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\n');
    // The issue, triaged once on open by alice.
    await h.deliver('issues', issuesEvent('opened', { number: mpp.number, title: mpp.title, body: mpp.body, author: 'alice' }));
    h.github.calls.length = 0;
  });
  afterEach(async () => {
    await h.close();
    expect(h.github.problems).toEqual([]);
  });

  /** A person comments; GitHub stores the comment, then sends the event. */
  async function comment(login: string, body: string, type: 'User' | 'Bot' = 'User'): Promise<number> {
    const stored = h.github.addComment(ISSUE, body, { login, type });
    await h.deliver('issue_comment', commentEvent({ number: mpp.number, title: mpp.title, body: mpp.body, author: 'alice', comments: h.github.commentsOn(ISSUE).length }, { id: stored.id, body, login, type }));
    return stored.id;
  }

  test('the author may run it: config re-read, eyes, issue re-read, one comment edit, +1', async () => {
    const botComment = h.github.commentsOn(ISSUE)[0]!;
    // Meanwhile the config changed: store frames now also route to sig/planner.
    h.github.configs.set('pingcap/tidb', 'label_rules:\n  "store/**": [component/store, sig/planner]\n');
    const id = await comment('alice', '/retriage');

    expect(h.github.requests).toEqual([
      `GET ${REPO}/contents/.github%2Frace-triage.yml`,
      `POST ${REPO}/issues/comments/${id}/reactions`,
      `GET ${REPO}/issues/39771`,
      `POST ${REPO}/issues/39771/labels`,
      `PATCH ${REPO}/issues/comments/${botComment.id}`,
      `POST ${REPO}/issues/comments/${id}/reactions`,
    ]);
    expect(h.github.reactions).toEqual([
      { commentId: id, content: 'eyes' },
      { commentId: id, content: '+1' },
    ]);
    expect(h.github.calls.at(-3)!.body).toEqual({ labels: ['sig/planner'] });
    expect(h.github.commentsOn(ISSUE).filter((c) => c.user.type === 'Bot')).toHaveLength(1);
    expect(botComment.body).toContain('`sig/planner`');
  });

  test('a collaborator with triage permission may run it', async () => {
    h.github.roles.set('carol', 'triage');
    const id = await comment('carol', '/retriage');
    expect(h.github.requests).toContain(`GET ${REPO}/collaborators/carol/permission`);
    expect(h.github.reactions.map((r) => [r.commentId, r.content])).toEqual([
      [id, 'eyes'],
      [id, '+1'],
    ]);
  });

  test.each([
    ['a stranger', undefined],
    ['a reader', 'read'],
  ])('%s gets a confused reaction and nothing else: the permission is checked before the config is read', async (_who, role) => {
    if (role) h.github.roles.set('mallory', role);
    h.clock.now += 61_000; // the cached config is stale, and still not fetched
    const id = await comment('mallory', '/retriage');
    expect(h.github.requests).toEqual([
      `GET ${REPO}/collaborators/mallory/permission`,
      `POST ${REPO}/issues/comments/${id}/reactions`,
    ]);
    expect(h.github.reactions).toEqual([{ commentId: id, content: 'confused' }]);
  });

  test('the config decides who may run it; refusals on one issue get one reaction an hour', async () => {
    h.github.configs.set('pingcap/tidb', 'retriage: [maintain, admin]\n');
    h.clock.now += 61_000; // past the config's fresh window
    h.github.roles.set('carol', 'triage');
    h.github.roles.set('dave', 'maintain');
    const alice = await comment('alice', '/retriage'); // the author is no longer enough
    await comment('carol', '/retriage');
    expect(h.github.reactions).toEqual([{ commentId: alice, content: 'confused' }]);
    expect(h.logs.filter((l) => l.msg === '/retriage denied')).toHaveLength(2);

    const dave = await comment('dave', '/retriage');
    expect(h.github.reactions.slice(1)).toEqual([
      { commentId: dave, content: 'eyes' },
      { commentId: dave, content: '+1' },
    ]);
  });

  test('the bot removes only its own labels that no longer apply, never a person’s', async () => {
    h.github.issueLabels.set(ISSUE, [...h.github.labelsOn(ISSUE), 'sig/planner']);
    // The repository drops the component label the bot used.
    h.github.configs.set('pingcap/tidb', 'default_component_prefix: false\n');
    await comment('alice', '/retriage');
    expect(h.github.requests.filter((r) => r.startsWith('DELETE'))).toEqual([`DELETE ${REPO}/issues/39771/labels/component%2Fstore`]);
    expect(h.github.labelsOn(ISSUE)).toEqual(['type/data-race', 'sig/planner']);
  });

  test('mentions of the command, comments by bots, and dry runs', async () => {
    await comment('alice', '> /retriage\nWhy did the bot say that?');
    await comment('alice', '```\n/retriage\n```');
    await comment('helper[bot]', '/retriage', 'Bot');
    expect(h.github.calls).toEqual([]);

    h.github.configs.set('pingcap/tidb', 'dry_run: true\n');
    await comment('alice', '/retriage');
    expect(h.github.requests.every((r) => r.startsWith('GET '))).toBe(true);
    expect(h.github.reactions).toEqual([]);
  });

  test('repeated /retriage never adds a second bot comment', async () => {
    await comment('alice', '/retriage');
    await comment('alice', '/retriage');
    expect(h.github.commentsOn(ISSUE).filter((c) => c.user.login === BOT.login)).toHaveLength(1);
    expect(h.github.requests.filter((r) => r.startsWith('POST') && r.endsWith('/comments'))).toEqual([]);
  });
});
