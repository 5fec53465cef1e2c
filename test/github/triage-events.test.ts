/**
 * Issue events end to end, the way production runs them: signed webhooks over HTTP into
 * Probot's server, a job per delivery in a real SQLite file, the worker, the engine, the
 * triage core and the executor; GitHub faked at its HTTP boundary. Asserts what users and
 * GitHub see: requests, comment text, labels.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startApp, type TestApp } from '../support/app.js';
import { BOT } from '../support/github/fake-github.js';
import { INSTALLATION_ID, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const PORT = 38_411;

const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const REPO = '/repos/pingcap/tidb';
const CONFIG = 'contents/.github%2Frace-triage.yml';
const refiled = (number: number, extra: { comments?: number; labels?: string[] } = {}) =>
  issuesEvent('opened', { number, title: `flaky: ${mpp.title}`, body: mpp.body, author: 'bob', ...extra });

let h: TestApp;
beforeEach(async () => {
  h = await startApp({ port: PORT });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store', 'component/executor', 'sig/planner']);
  h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\n');
});
afterEach(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

/** Files the original issue, then forgets the requests it took (the caches stay warm). */
async function fileOriginal(): Promise<void> {
  await h.deliver('issues', issuesEvent('opened', { number: mpp.number, title: mpp.title, body: mpp.body }));
  h.github.calls.length = 0;
}

describe('a new issue with a race', () => {
  test('costs three calls with warm caches: config revalidation, one comment, one label call', async () => {
    await fileOriginal();
    h.clock.now += 61_000; // the config's fresh window is over: it is revalidated with its ETag

    await h.deliver('issues', refiled(60001));

    expect(h.github.requests).toEqual([
      `GET ${REPO}/${CONFIG}`,
      `POST ${REPO}/issues/60001/labels`,
      `POST ${REPO}/issues/60001/comments`,
    ]);
    expect(h.github.calls[0]!.headers['if-none-match']).toMatch(/^".+"$/);
    expect(h.github.calls[0]!.headers.accept).toBe('application/vnd.github.raw');
    expect(h.github.calls[1]!.body).toEqual({ labels: ['type/data-race', 'component/store'] });

    const [comment, ...more] = h.github.commentsOn('pingcap/tidb#60001');
    expect(more).toEqual([]);
    expect(comment!.body).toContain('<!-- race-triage ');
    expect(comment!.body).toMatch(/#39771\b.*same signature/);
    expect(comment!.body).toContain('`component/store`');
    expect(comment!.body).toContain('/retriage');
  });

  test('within the fresh window the config is not fetched at all', async () => {
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    expect(h.github.requests).toEqual([`POST ${REPO}/issues/60001/labels`, `POST ${REPO}/issues/60001/comments`]);
  });

  test('a redelivery (same delivery id) is acknowledged and not run again', async () => {
    await fileOriginal();
    const event = refiled(60001);
    await h.deliver('issues', event, 'delivery-1');
    h.github.calls.length = 0;

    expect((await h.deliver('issues', event, 'delivery-1')).status).toBe(200);

    expect(h.github.calls).toEqual([]);
    expect(h.logs.some((l) => l.msg === 'redelivery of a recorded webhook: ignored')).toBe(true);
  });

  test('the same event delivered again under a new id reads the issue and writes nothing', async () => {
    await fileOriginal();
    const event = refiled(60001);
    await h.deliver('issues', event);
    const first = h.github.commentsOn('pingcap/tidb#60001')[0]!.body;
    h.github.calls.length = 0;

    await h.deliver('issues', event);

    expect(h.github.commentsOn('pingcap/tidb#60001')).toHaveLength(1);
    expect(h.github.commentsOn('pingcap/tidb#60001')[0]!.body).toBe(first);
    // The payload is stale (no labels); the issue as GitHub holds it now is read. The bot's
    // state knows its comment and its labels: nothing to write.
    expect(h.github.requests).toEqual([`GET ${REPO}/issues/60001`]);
    expect(h.github.labelsOn('pingcap/tidb#60001')).toEqual(['type/data-race', 'component/store']);
  });

  test('opened and edited arriving together end with one comment', async () => {
    await fileOriginal();
    const edited = issuesEvent(
      'edited',
      { number: 60001, title: `flaky: ${mpp.title}`, body: `${mpp.body}\n\nSeen again on master.`, author: 'bob' },
      { changes: { body: { from: mpp.body } } },
    );
    await Promise.all([h.post('issues', refiled(60001)), h.post('issues', edited)]);
    await h.drained();
    expect(h.github.commentsOn('pingcap/tidb#60001')).toHaveLength(1);
    expect(h.github.requests.filter((r) => r === `POST ${REPO}/issues/60001/comments`)).toHaveLength(1);
  });

  test('the index records it, so the next refiling names it too', async () => {
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    await h.deliver('issues', refiled(60002));
    const body = h.github.commentsOn('pingcap/tidb#60002')[0]!.body;
    expect(body).toMatch(/#39771\b/);
    expect(body).toMatch(/#60001\b/);
    const stored = await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 60001 });
    expect(stored?.races.map((r) => r.title)).toEqual(['(*mppIterator).Close ↔ (*mppIterator).run']);
  });
});

describe('quiet by design', () => {
  test('an issue without a race report gets no comment and no labels', async () => {
    await h.deliver('issues', issuesEvent('opened', { number: 7, body: 'The docs have a typo in the README.' }));
    expect(h.github.requests).toEqual([`GET ${REPO}/${CONFIG}`]);
    expect(await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 7 })).toBeUndefined();
  });

  test('events sent by bots are ignored, this app included', async () => {
    await h.deliver('issues', issuesEvent('opened', { number: 8, body: mpp.body }, {}, { login: 'ci-robot[bot]', type: 'Bot' }));
    await h.deliver('issues', issuesEvent('opened', { number: 9, body: mpp.body }, {}, BOT));
    await h.deliver('issues', issuesEvent('opened', { number: 10, body: mpp.body }, {}, { login: 'renovate', type: 'Bot' }));
    expect(h.github.calls).toEqual([]);
    expect(h.github.tokenCalls).toEqual([]);
  });

  test('an edit that leaves the body alone is ignored', async () => {
    await fileOriginal();
    await h.deliver('issues', issuesEvent('edited', { number: mpp.number, title: 'new title', body: mpp.body, comments: 1 }, { changes: { title: { from: mpp.title } } }));
    expect(h.github.calls).toEqual([]);
  });

  test('dry_run logs the decision and calls no write endpoint', async () => {
    h.github.configs.set('pingcap/tidb', 'dry_run: true\n');
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    expect(h.github.requests.every((r) => r.startsWith('GET '))).toBe(true);
    expect(h.github.commentsOn('pingcap/tidb#60001')).toEqual([]);
    const logged = h.logs.find((l) => l.msg === 'dry run: would update the comment and labels' && (l as { issue?: number }).issue === 60001);
    expect(logged).toMatchObject({ labelsToAdd: ['type/data-race', 'component/store'] });
    expect(String(logged!.comment)).toMatch(/#39771/);
  });

  test('the hourly comment cap holds back comments, not labels, and refills after an hour', async () => {
    h.github.configs.set('pingcap/tidb', 'comments_per_hour: 2\n');
    await fileOriginal(); // the original itself takes one comment (its component label)
    await h.deliver('issues', refiled(60001));
    await h.deliver('issues', refiled(60002));

    expect(h.github.commentsOn('pingcap/tidb#60001')).toHaveLength(1);
    expect(h.github.commentsOn('pingcap/tidb#60002')).toEqual([]);
    expect(h.github.labelsOn('pingcap/tidb#60002')).toEqual(['type/data-race', 'component/store']);
    expect(h.logs.some((l) => l.msg === 'comment cap reached; no comment posted')).toBe(true);

    h.clock.now += 60 * 60_000;
    await h.deliver('issues', refiled(60003));
    expect(h.github.commentsOn('pingcap/tidb#60003')).toHaveLength(1);
  });
});

describe('edits', () => {
  test('removing the last race updates the comment and takes back only the bot’s labels', async () => {
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    const comment = h.github.commentsOn('pingcap/tidb#60001')[0]!;
    // A maintainer adds a label of their own.
    h.github.issueLabels.set('pingcap/tidb#60001', ['type/data-race', 'component/store', 'sig/planner']);
    h.github.calls.length = 0;

    await h.deliver('issues',
      issuesEvent(
        'edited',
        { number: 60001, body: 'Sorry, wrong paste: this is a planner bug.', comments: 1, labels: ['type/data-race', 'component/store', 'sig/planner'] },
        { changes: { body: { from: mpp.body } } },
      ),
    );

    expect(h.github.requests).toEqual([
      `GET ${REPO}/issues/60001`,
      `DELETE ${REPO}/issues/60001/labels/type%2Fdata-race`,
      `DELETE ${REPO}/issues/60001/labels/component%2Fstore`,
      `PATCH ${REPO}/issues/comments/${comment.id}`,
    ]);
    expect(h.github.commentsOn('pingcap/tidb#60001')).toHaveLength(1);
    expect(comment.body).not.toMatch(/#39771/);
    expect(comment.body).toContain('<!-- race-triage ');
    expect(h.github.labelsOn('pingcap/tidb#60001')).toEqual(['sig/planner']);
    expect(await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 60001 })).toBeUndefined();
  });
});

describe('configuration', () => {
  test('a bad config is logged and named, with its line, in the comment footer', async () => {
    h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\nthresholds:\n  duplicate: 2\n');
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    const body = h.github.commentsOn('pingcap/tidb#60001')[0]!.body;
    expect(body).toContain('pingcap/tidb/.github/race-triage.yml line 3');
    expect(h.logs.some((l) => l.msg === 'config problem' && String(l.configError).includes('line 3'))).toBe(true);
  });

  test('without a file in the repository, the owner’s .github repository is used', async () => {
    h.github.configs.delete('pingcap/tidb');
    h.github.configs.set('pingcap/.github', 'dry_run: true\n');
    await h.deliver('issues', issuesEvent('opened', { number: mpp.number, body: mpp.body }));
    expect(h.github.requests).toEqual([
      `GET ${REPO}/${CONFIG}`,
      `GET /repos/pingcap/.github/${CONFIG}`,
      `GET ${REPO}/labels`,
      // The OWNERS files of the default branch (this repository has none).
      `GET ${REPO}/git/trees/master`,
    ]);
    expect(h.github.commentsOn(`pingcap/tidb#${mpp.number}`)).toEqual([]);
  });

  test('_extends merges a shared base under the repository file, the nearest key winning', async () => {
    h.github.configs.set('pingcap/tidb', '_extends: pingcap/shared:race/triage.yml\ncomments_per_hour: 5\n');
    h.github.configs.set('pingcap/shared:race/triage.yml', 'default_component_prefix: false\ncomments_per_hour: 1\nrace_label: kind/race\n');
    h.github.repoLabels.set('pingcap/tidb', ['kind/race', 'type/data-race', 'component/store']);
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    await h.deliver('issues', refiled(60002));
    // The base's label settings apply; the repository's own cap (5, not 1) lets both comment.
    expect(h.github.labelsOn('pingcap/tidb#60001')).toEqual(['kind/race']);
    expect(h.github.commentsOn('pingcap/tidb#60001')).toHaveLength(1);
    expect(h.github.commentsOn('pingcap/tidb#60002')).toHaveLength(1);
    expect(h.github.commentsOn('pingcap/tidb#60002')[0]!.body).not.toMatch(/race-triage\.yml line|_extends/);
  });

  test('a broken _extends is named in the footer, and the repository file still applies', async () => {
    h.github.configs.set('pingcap/tidb', '_extends: .github\nrace_label: kind/race\n');
    h.github.configs.set('pingcap/.github', '_extends: tidb\n');
    h.github.repoLabels.set('pingcap/tidb', ['kind/race', 'component/store']);
    await fileOriginal();
    await h.deliver('issues', refiled(60001));
    expect(h.github.labelsOn('pingcap/tidb#60001')).toEqual(['kind/race', 'component/store']);
    expect(h.github.commentsOn('pingcap/tidb#60001')[0]!.body).toContain('_extends leads back to pingcap/tidb/.github/race-triage.yml');
  });

  test('"no config anywhere" is cached too', async () => {
    h.github.configs.delete('pingcap/tidb');
    await h.deliver('issues', issuesEvent('opened', { number: 1, body: 'no race' }));
    await h.deliver('issues', issuesEvent('opened', { number: 2, body: 'no race either' }));
    expect(h.github.requests).toEqual([`GET ${REPO}/${CONFIG}`, `GET /repos/pingcap/.github/${CONFIG}`]);
  });
});

describe('index updates', () => {
  const ref = { installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: mpp.number };

  test('an issue of a private repository is indexed as private', async () => {
    const event = issuesEvent('opened', { number: mpp.number, title: mpp.title, body: mpp.body });
    event.repository.private = true;
    await h.deliver('issues', event);
    expect(await h.database.index.getIssue(ref)).toMatchObject({ private: true, title: mpp.title });
  });

  test('pull requests are not issues: their events are ignored', async () => {
    const event = issuesEvent('opened', { number: 61000, body: mpp.body });
    event.issue.pull_request = { url: `https://api.github.com${REPO}/pulls/61000` };
    await h.deliver('issues', event);
    expect(h.github.calls).toEqual([]);
    expect(await h.database.index.getIssue({ ...ref, number: 61000 })).toBeUndefined();
  });

  test('a bot closing an issue still updates the index, and posts nothing', async () => {
    await fileOriginal();
    await h.deliver('issues',
      issuesEvent('closed', { number: mpp.number, body: mpp.body, state: 'closed', stateReason: 'not_planned', updatedAt: '2026-01-02T00:00:00Z' }, {}, { login: 'stale[bot]', type: 'Bot' }),
    );
    expect(await h.database.index.getIssue(ref)).toMatchObject({ state: 'closed', stateReason: 'not_planned' });
    expect(h.github.calls).toEqual([]);
  });

  test('closing records state and reason; reopening triages again', async () => {
    await fileOriginal();
    await h.deliver('issues', issuesEvent('closed', { number: mpp.number, body: mpp.body, state: 'closed', stateReason: 'completed', updatedAt: '2026-01-02T00:00:00Z' }));
    expect(await h.database.index.getIssue(ref)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(h.github.calls).toEqual([]);

    await h.deliver('issues', issuesEvent('reopened', { number: mpp.number, body: mpp.body, comments: 1, stateReason: 'reopened', updatedAt: '2026-01-03T00:00:00Z' }));
    expect(await h.database.index.getIssue(ref)).toMatchObject({ state: 'open' });
    expect(h.github.commentsOn(`pingcap/tidb#${mpp.number}`)).toHaveLength(1);
  });

  test('a deleted or transferred issue leaves the index', async () => {
    await fileOriginal();
    await h.deliver('issues', issuesEvent('transferred', { number: mpp.number, body: mpp.body }));
    expect(await h.database.index.getIssue(ref)).toBeUndefined();

    await h.deliver('issues', issuesEvent('opened', { number: 60001, body: mpp.body }));
    await h.deliver('issues', issuesEvent('deleted', { number: 60001, body: mpp.body }));
    expect(await h.database.index.getIssue({ ...ref, number: 60001 })).toBeUndefined();
  });
});
