/**
 * Backfill reads what the history teaches about pairs: race issues closed as duplicates (their
 * target from the timeline, one GraphQL read each) and merged pull requests (one listing request
 * per 100), against the fake GitHub that checks REST against the OpenAPI description and GraphQL
 * against GitHub's schema.
 */
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import { backfillRepository } from '../../src/github/backfill.js';
import { BackfillCheckpoints } from '../../src/github/jobs/checkpoints.js';
import { DashboardQueries } from '../../src/store/dashboard-queries.js';
import { IssuePairs, type IssuePairsDatabase } from '../../src/store/index.js';
import { sqliteDatabase, type TestDatabase } from '../support/databases.js';
import { NockGitHub } from '../support/github/nock-github.js';
import { issueObject, pullObject } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const tracker = seeds.find((s) => s.number === 31965)!;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const target = { installationId: 7, owner: 'pingcap', repo: 'tidb', private: false };
const repoRef = { installationId: 7, repo: 'pingcap/tidb' };
const MERGED_AT = '2023-03-01T08:00:00Z';

let database: TestDatabase;
let github: NockGitHub;
beforeEach(async () => {
  database = await sqliteDatabase();
  github = new NockGitHub();
});
afterEach(async () => {
  github.close();
  await database.destroy();
  expect(github.problems).toEqual([]);
});

it('records closed-as-duplicate race issues and the fixes of merged pull requests, a request per page and one GraphQL read per closed race issue', async () => {
  const history = [
    issueObject({ number: 39771, title: mpp.title, body: mpp.body, state: 'closed', stateReason: 'duplicate' }),
    issueObject({ number: 70010, title: 'TestMPPClose is flaky', body: mpp.body }),
    issueObject({ number: 70020, title: 'Tracker race', body: tracker.body }),
    // Closed as a duplicate, but no race in it: not worth a request.
    issueObject({ number: 70030, title: 'Docs typo', body: 'a typo', state: 'closed', stateReason: 'duplicate' }),
  ];
  github.histories.set('pingcap/tidb', history);
  for (const issue of history) github.rememberIssue('pingcap/tidb', issue);
  github.markedDuplicates.set('pingcap/tidb#39771', { canonical: 70010, actor: 'carol' });
  github.markedDuplicates.set('pingcap/tidb#70030', { canonical: 70020, actor: 'carol' });
  github.pulls.set('pingcap/tidb', [
    pullObject({ number: 70100, body: 'Issue Number: close #39771, close #70020', mergedAt: MERGED_AT }),
    pullObject({ number: 70101, body: 'close #70010', mergedAt: null }),
    // Merged into a release branch: GitHub closed nothing, so it fixed nothing here.
    pullObject({ number: 70103, body: 'close #70010', mergedAt: MERGED_AT, base: 'release-7.5' }),
  ]);

  const pairs = new IssuePairs(database.db.withTables<IssuePairsDatabase>());
  const result = await backfillRepository(target, {
    github: new Octokit({ auth: 'test-token', log: quiet, baseUrl: github.base }),
    index: database.index,
    checkpoints: new BackfillCheckpoints(database.db),
    pairs,
  });

  expect(result).toMatchObject({ scanned: 4, comments: 0, pulls: 3, indexed: 3, pages: 3, finished: true });
  expect(github.requests).toEqual([
    'GET /repos/pingcap/tidb/issues',
    'POST /graphql',
    'GET /repos/pingcap/tidb/issues/comments',
    'GET /repos/pingcap/tidb/pulls',
  ]);
  expect(github.calls.at(-1)!.path).toBe('/repos/pingcap/tidb/pulls?state=closed&sort=created&direction=asc&per_page=100&page=1');
  expect(await pairs.touching(repoRef, [39771, 70010, 70020, 70030])).toEqual([
    { issue: 39771, other: 70020, kind: 'same-fix', source: { kind: 'pull-request', number: 70100 }, at: MERGED_AT },
    { issue: 39771, other: 70010, kind: 'confirmed-dup', source: { kind: 'closed-as-duplicate', user: 'carol' }, at: expect.any(String) },
  ]);
  expect(await pairs.fixes(repoRef, [39771, 70010, 70020])).toEqual([
    { issue: 39771, pr: 70100, mergedAt: MERGED_AT },
    { issue: 70020, pr: 70100, mergedAt: MERGED_AT },
  ]);

  // The next run reads the pull requests updated since, newest first, and stops there.
  github.calls.length = 0;
  github.pulls.set('pingcap/tidb', [...github.pulls.get('pingcap/tidb')!, pullObject({ number: 70102, body: 'fixes #70010', mergedAt: '2099-01-01T00:00:00Z' })]);
  await backfillRepository(target, {
    github: new Octokit({ auth: 'test-token', log: quiet, baseUrl: github.base }),
    index: database.index,
    checkpoints: new BackfillCheckpoints(database.db),
    pairs,
  });
  expect(github.calls.at(-1)!.path).toBe('/repos/pingcap/tidb/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=1');
  expect(await pairs.fixes(repoRef, [70010])).toEqual([{ issue: 70010, pr: 70102, mergedAt: '2099-01-01T00:00:00Z' }]);
});

it('the fixes backfill reads are the races\' fixes on the dashboard, and a race filed after its fix shows as seen again', async () => {
  const history = [
    issueObject({ number: 70010, title: 'TestMPPClose is flaky', body: mpp.body, createdAt: '2022-12-01T00:00:00Z' }),
    issueObject({ number: 70020, title: 'Tracker race', body: tracker.body, createdAt: '2022-12-02T00:00:00Z' }),
    issueObject({ number: 70040, title: 'Tracker race again', body: tracker.body, createdAt: '2024-01-01T00:00:00Z' }),
  ];
  github.histories.set('pingcap/tidb', history);
  for (const issue of history) github.rememberIssue('pingcap/tidb', issue);
  github.pulls.set('pingcap/tidb', [pullObject({ number: 70100, body: 'close #70010, close #70020', mergedAt: MERGED_AT })]);

  await backfillRepository(target, {
    github: new Octokit({ auth: 'test-token', log: quiet, baseUrl: github.base }),
    index: database.index,
    checkpoints: new BackfillCheckpoints(database.db),
    pairs: new IssuePairs(database.db.withTables<IssuePairsDatabase>()),
  });

  const queries = new DashboardQueries(database.opened.db, database.opened.backend);
  const repoId = (await queries.repository('pingcap/tidb'))!.id;
  const { clusters } = await queries.clusters(repoId, { openOnly: false }, { offset: 0, limit: 10 });
  // Each race of the tracker report is a row of its own.
  expect(clusters.length).toBeGreaterThanOrEqual(2);
  for (const c of clusters) {
    expect({ issues: c.issues.map((i) => i.number), fixes: c.fixes, seenAfterFix: c.seenAfterFix }).toEqual(
      c.issues.some((i) => i.number === 70020)
        ? { issues: [70040, 70020], fixes: [{ pr: 70100, issue: 70020, fixedAt: MERGED_AT }], seenAfterFix: true }
        : { issues: [70010], fixes: [{ pr: 70100, issue: 70010, fixedAt: MERGED_AT }], seenAfterFix: false },
    );
  }
});
