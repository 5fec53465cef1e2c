/**
 * What the bot learns without being asked, end to end: an issue closed as a duplicate (its
 * target read from the timeline through GraphQL), a merged pull request that fixes several
 * race issues, the fix history and regressions in the comment, and decisions that survive
 * signing the races again with a new engine version.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { Kysely } from 'kysely';
import { resignStaleRaces } from '../../src/store/resign.js';
import { IssuePairs, type IndexTables, type IssuePairsDatabase } from '../../src/store/index.js';
import { SIGNATURE_VERSION } from '../../src/race/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { BOT } from '../support/github/fake-github.js';
import { commentEvent, INSTALLATION_ID, issuesEvent, pullRequestEvent, type IssueSpec } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const PORT = 38_451;
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const tracker = seeds.find((s) => s.number === 31965)!;

const EARLIER: IssueSpec = { number: mpp.number, title: mpp.title, body: mpp.body, createdAt: '2022-11-01T00:00:00Z' };
const X: IssueSpec = { number: 70010, title: 'TestMPPClose is flaky again', body: mpp.body, author: 'bob', createdAt: '2022-12-01T00:00:00Z' };
const Y: IssueSpec = { number: 70020, title: 'Tracker race in memory', body: tracker.body, author: 'bob', createdAt: '2022-12-02T00:00:00Z' };
const FIX_PR = 70100;
const MERGED_AT = '2023-03-01T08:00:00Z';

let h: TestApp;
const repoRef = { installationId: INSTALLATION_ID, repo: 'pingcap/tidb' };
const pairs = () => new IssuePairs(h.database.db.withTables<IssuePairsDatabase>());
const key = (n: number) => `pingcap/tidb#${n}`;
const botComment = (n: number) => h.github.commentsOn(key(n)).find((c) => c.user.login === BOT.login && c.body.startsWith('<!-- race-triage {'));
const duplicateLines = (n: number) => (botComment(n)?.body ?? '').split('\n').filter((l) => /^- #\d+ /.test(l));

beforeEach(async () => {
  h = await startApp({ port: PORT });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\n');
  h.github.roles.set('dave', 'maintain');
  for (const spec of [EARLIER, X, Y]) await h.deliver('issues', issuesEvent('opened', spec));
  h.github.calls.length = 0;
});
afterEach(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

async function comment(spec: IssueSpec, login: string, body: string): Promise<number> {
  const stored = h.github.addComment(key(spec.number), body, { login, type: 'User' });
  await h.deliver('issue_comment', commentEvent({ ...spec, comments: h.github.commentsOn(key(spec.number)).length }, { id: stored.id, body, login }));
  return stored.id;
}

describe('an issue closed as a duplicate', () => {
  test('by a person in GitHub: one GraphQL read of its timeline, and the pair is confirmed, credited to them', async () => {
    h.github.markedDuplicates.set(key(Y.number), { canonical: X.number, actor: 'carol' });
    await h.deliver('issues', issuesEvent('closed', { ...Y, state: 'closed', stateReason: 'duplicate' }, {}, { login: 'carol', type: 'User' }));

    expect(h.github.requests).toEqual(['POST /graphql']);
    const query = (h.github.calls[0]!.body as { query: string; variables: unknown });
    expect(query.query).toContain('MarkedAsDuplicateEvent');
    expect(query.variables).toEqual({ owner: 'pingcap', repo: 'tidb', number: Y.number });
    expect(await pairs().touching(repoRef, [Y.number])).toEqual([
      { issue: Y.number, other: X.number, kind: 'confirmed-dup', source: { kind: 'closed-as-duplicate', user: 'carol' }, at: expect.any(String) },
    ]);

    // X's comment lists Y first, as confirmed, though their races differ.
    await comment(X, 'bob', '/retriage');
    expect(duplicateLines(X.number)[0]).toMatch(/^- #70020 \(closed as duplicate\) · confirmed: closed as a duplicate by @carol · Tracker race in memory$/);
  });

  test('a closure for another reason, or one whose target is unknown, teaches nothing', async () => {
    await h.deliver('issues', issuesEvent('closed', { ...Y, state: 'closed', stateReason: 'completed' }, {}, { login: 'carol', type: 'User' }));
    expect(h.github.calls).toEqual([]);
    await h.deliver('issues', issuesEvent('closed', { ...Y, state: 'closed', stateReason: 'duplicate' }, {}, { login: 'carol', type: 'User' }));
    expect(h.github.requests).toEqual(['POST /graphql']);
    expect(await pairs().touching(repoRef, [Y.number])).toEqual([]);

    // An issue without a race, closed as a duplicate: not the bot's business, not a request.
    h.github.calls.length = 0;
    h.github.markedDuplicates.set(key(70060), { canonical: Y.number, actor: 'carol' });
    await h.deliver('issues', issuesEvent('closed', { number: 70060, body: 'The docs have a typo.', state: 'closed', stateReason: 'duplicate' }, {}, { login: 'carol', type: 'User' }));
    expect(h.github.calls).toEqual([]);
  });

  test('never overrides a maintainer who said otherwise', async () => {
    await comment(Y, 'dave', '/race not-dup #70010');
    h.github.markedDuplicates.set(key(Y.number), { canonical: X.number, actor: 'carol' });
    await h.deliver('issues', issuesEvent('closed', { ...Y, state: 'closed', stateReason: 'duplicate' }, {}, { login: 'carol', type: 'User' }));
    expect((await pairs().touching(repoRef, [Y.number])).map((p) => p.kind)).toEqual(['not-dup']);
  });
});

describe('a merged pull request that closes several issues', () => {
  const body = [
    '### What problem does this PR solve?',
    '',
    `Issue Number: close #${mpp.number}, close #${Y.number}, ref #${X.number}`,
    '',
    'Also fixes #70099 (the docs).',
    '',
    '```',
    'close #1',
    '```',
  ].join('\n');

  test('records each fix and pairs its race issues as fixed by the same PR; their comments say so', async () => {
    await h.deliver('pull_request', pullRequestEvent('closed', { number: FIX_PR, body, mergedAt: MERGED_AT }));
    // No request to learn it; then the one race issue with a bot comment gets it updated (Y has none).
    const earlier = botComment(mpp.number)!;
    expect(h.github.requests).toEqual([`GET /repos/pingcap/tidb/issues/${mpp.number}`, `PATCH /repos/pingcap/tidb/issues/comments/${earlier.id}`]);
    expect(earlier.body).toContain(`**Fixed by the same pull request:** #${Y.number} (by #${FIX_PR}). One pull request may fix several races, so this is a hint, not a confirmation.`);
    expect(await pairs().fixes(repoRef, [mpp.number, Y.number, X.number, 70099, 1])).toEqual([
      { issue: mpp.number, pr: FIX_PR, mergedAt: MERGED_AT },
      { issue: Y.number, pr: FIX_PR, mergedAt: MERGED_AT },
      { issue: 70099, pr: FIX_PR, mergedAt: MERGED_AT },
    ]);
    // 70099 holds no race: only the two race issues are paired, as evidence.
    expect(await pairs().touching(repoRef, [mpp.number, Y.number, 70099])).toEqual([
      { issue: mpp.number, other: Y.number, kind: 'same-fix', source: { kind: 'pull-request', number: FIX_PR }, at: MERGED_AT },
    ]);

    // #39771 still lists X; on X, #39771 is shown with its fix.
    expect(duplicateLines(mpp.number)).toEqual([expect.stringMatching(/^- #70010 \(open\) · same signature/)]);
    await comment(X, 'bob', '/retriage');
    expect(duplicateLines(X.number)).toEqual([expect.stringMatching(/^- #39771 \(open, fixed by #70100 on 2023-03-01\) · same signature/)]);
    // X was filed before the fix was merged: not a regression.
    expect(botComment(X.number)!.body).not.toContain('Seen again after its fix');
  });

  test('a pull request closed without merging, and a redelivery, change nothing', async () => {
    await h.deliver('pull_request', pullRequestEvent('closed', { number: FIX_PR, body, mergedAt: null }));
    expect(await pairs().fixes(repoRef, [mpp.number, Y.number])).toEqual([]);
    expect(h.github.calls).toEqual([]);
    const merged = pullRequestEvent('closed', { number: FIX_PR, body, mergedAt: MERGED_AT });
    await h.deliver('pull_request', merged, 'delivery-1');
    await h.deliver('pull_request', merged, 'delivery-1');
    expect(await pairs().touching(repoRef, [mpp.number])).toHaveLength(1);
    // The same pull request read again (another delivery): the comment says the same, no write.
    h.github.calls.length = 0;
    await h.deliver('pull_request', merged, 'delivery-2');
    expect(h.github.requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
  });

  test('merged into another branch than the default (a release branch): GitHub closes nothing, so nothing is recorded', async () => {
    await h.deliver('pull_request', pullRequestEvent('closed', { number: FIX_PR, body, mergedAt: MERGED_AT, base: 'release-7.5' }));
    expect(h.github.calls).toEqual([]);
    expect(await pairs().fixes(repoRef, [mpp.number, Y.number, 70099])).toEqual([]);
    expect(await pairs().touching(repoRef, [mpp.number, Y.number])).toEqual([]);
    expect(botComment(mpp.number)!.body).not.toContain('Fixed by the same pull request');
  });

  test('the race reported again after the fix was merged: the comment says it is seen again after the fix', async () => {
    await h.deliver('pull_request', pullRequestEvent('closed', { number: FIX_PR, body, mergedAt: MERGED_AT }));
    const again: IssueSpec = { number: 70200, title: 'TestMPPClose fails in nightly', body: mpp.body, author: 'erin', createdAt: '2024-05-01T00:00:00Z' };
    await h.deliver('issues', issuesEvent('opened', again));

    const text = botComment(again.number)!.body;
    expect(text).toContain(
      `**Seen again after its fix:** this race was reported in #${mpp.number}, fixed by #${FIX_PR} on 2023-03-01, and this issue was filed after that fix was merged. It may be a regression.`,
    );
    expect(duplicateLines(again.number)).toEqual([
      expect.stringMatching(/^- #39771 \(open, fixed by #70100 on 2023-03-01\) · same signature/),
      expect.stringMatching(/^- #70010 \(open\) · same signature/),
    ]);
  });
});

test('decisions survive signing the races again with a new engine version', async () => {
  h.github.configs.set('pingcap/tidb', 'race_label: type/data-race\ncommands:\n  close_on_dup: false\n');
  h.clock.now += 61_000;
  await comment(X, 'dave', '/race not-dup #39771\n/race dup #70020');
  const before = botComment(X.number)!.body;
  expect(duplicateLines(X.number)).toEqual([expect.stringMatching(/^- #70020 \(open\) · confirmed by @dave/)]);

  // The index as an older engine signed it; start-up signs it again with this one.
  const db = h.database.opened.db as unknown as Kysely<IndexTables>;
  const races = await db.selectFrom('races').select(['id', 'fingerprint']).execute();
  for (const race of races) await db.updateTable('races').set({ fingerprint: race.fingerprint.replace(/^v\d+/, 'v1') }).where('id', '=', race.id).execute();
  await db.deleteFrom('index_meta').execute();
  expect((await resignStaleRaces(db)).resigned).toBe(races.length);
  expect((await db.selectFrom('races').select('fingerprint').execute()).every((r) => r.fingerprint.startsWith(`${SIGNATURE_VERSION}`))).toBe(true);

  h.github.calls.length = 0;
  await comment(X, 'bob', '/retriage');
  expect(duplicateLines(X.number)).toEqual([expect.stringMatching(/^- #70020 \(open\) · confirmed by @dave/)]);
  expect(botComment(X.number)!.body).toBe(before);
  expect(h.github.requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
});
