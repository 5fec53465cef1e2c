/**
 * The dashboard's queries on both backends, over the fixture repositories. Every expected
 * cluster, count and date is computed here by brute force from the issues written, never
 * written down.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DashboardQueries, WEEK_MS, type ClusterFilter } from '../../src/store/dashboard-queries.js';
import { IssuePairs, KyselyRaceIndex, openDatabase, type IndexDatabase, type IndexedIssue, type IssuePairsDatabase } from '../../src/store/index.js';
import { expectedClusters, HOSTILE_LABEL, loadFixture, NOW, PRIVATE_REPO, PUBLIC_REPO, REGRESSED } from '../dashboard/support/fixture-repos.js';
import { backends, type TestBackend } from './support/backends.js';

describe.each(backends)('dashboard queries on %s', (_name, makeBackend) => {
  let backend: TestBackend;
  let database: IndexDatabase;
  let queries: DashboardQueries;
  let issues: IndexedIssue[];
  let tidb: number;

  beforeAll(async () => {
    backend = makeBackend();
    database = await openDatabase(backend.options);
    issues = await loadFixture(new KyselyRaceIndex(database.db), database.db);
    queries = new DashboardQueries(database.db, database.backend);
    tidb = (await queries.repository(PUBLIC_REPO))!.id;
  });
  afterAll(async () => {
    await database.db.destroy();
    await backend.dispose();
  });

  const listed = async (filter: ClusterFilter, repoId = tidb) => {
    const page = await queries.clusters(repoId, filter, { offset: 0, limit: 1000 });
    return page.clusters.map((c) => ({
      fingerprint: c.fingerprint,
      reports: c.reports,
      openIssues: c.openIssues,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      labels: c.labels,
      numbers: c.issues.map((i) => i.number),
    }));
  };

  it('finds a repository whatever its case, knows which are private, and nothing else', async () => {
    expect(await queries.repository('PingCAP/TiDB')).toEqual({ id: tidb, private: false });
    expect((await queries.repository(PRIVATE_REPO))?.private).toBe(true);
    expect(await queries.repository('pingcap/tikv')).toBeUndefined();
  });

  it('lists every cluster with its counts and dates, most recently seen first', async () => {
    const expected = expectedClusters(issues, PUBLIC_REPO, { openOnly: false });
    expect(expected.some((c) => c.reports > 1)).toBe(true);
    expect(await listed({ openOnly: false })).toEqual(expected);
  });

  it('filters by open issues, by label (exactly, even with quotes and markup), and by frame text', async () => {
    for (const filter of [
      { openOnly: true },
      { openOnly: false, label: 'sig/sql-infra' },
      { openOnly: false, label: HOSTILE_LABEL },
      { openOnly: false, label: 'sig/"evil"' },
      { openOnly: false, text: 'tracker' },
      { openOnly: true, text: 'CONSUME', label: 'sig/execution' },
      { openOnly: false, text: '%' },
      { openOnly: false, text: 'executor.(*' },
    ] as ClusterFilter[]) {
      expect({ filter, clusters: await listed(filter) }).toEqual({ filter, clusters: expectedClusters(issues, PUBLIC_REPO, filter) });
    }
    expect(await listed({ openOnly: false, label: HOSTILE_LABEL })).toHaveLength(3);
    expect(await listed({ openOnly: false, label: 'sig/"evil"' })).toEqual([]);
  });

  it('pages through the same order, counting every match', async () => {
    const all = expectedClusters(issues, PUBLIC_REPO, { openOnly: false });
    const pages = [];
    for (let offset = 0; offset < all.length; offset += 7) {
      const page = await queries.clusters(tidb, { openOnly: false }, { offset, limit: 7 });
      expect(page.total).toBe(all.length);
      pages.push(...page.clusters.map((c) => c.fingerprint));
    }
    expect(pages).toEqual(all.map((c) => c.fingerprint));
  });

  it('marks a race reported again after its fix was merged', async () => {
    const { clusters } = await queries.clusters(tidb, { openOnly: false }, { offset: 0, limit: 1000 });
    const regressed = clusters.filter((c) => c.seenAfterFix);
    expect(regressed.map((c) => c.issues.map((i) => i.number))).toEqual([[REGRESSED.later, REGRESSED.fixedIssue, 17008]]);
    expect(regressed[0]!.fixes).toEqual([{ pr: REGRESSED.fixingPr, issue: REGRESSED.fixedIssue, fixedAt: REGRESSED.fixedAt }]);
    const detail = await queries.cluster(tidb, regressed[0]!.fingerprint);
    expect(detail).toMatchObject({ reports: 3, seenAfterFix: true, firstSeen: '2020-05-07T00:00:00.000Z', lastSeen: '2024-11-07T00:00:00.000Z' });
    expect(detail!.issues.map((i) => i.number)).toEqual([REGRESSED.later, REGRESSED.fixedIssue, 17008]);
    expect(detail!.signature.fingerprint).toBe(regressed[0]!.fingerprint);
  });

  it('shows the latest merged fix recorded for an issue, whether recorded before or after the issue was indexed', async () => {
    const race = issues.find((i) => i.repo === PUBLIC_REPO)!.races[0]!;
    const repo = 'example/fixes';
    const index = new KyselyRaceIndex(database.db);
    const fixes = new IssuePairs(database.db.withTables<IssuePairsDatabase>());
    const issue = (number: number, createdAt: string, updatedAt = createdAt): IndexedIssue => ({
      installationId: 2, repo, number, title: `report ${number}`, state: 'open', stateReason: null, labels: [],
      fixingPr: null, private: false, updatedAt, createdAt, races: [race],
    });
    const fixOf = async () => {
      const id = (await queries.repository(repo))!.id;
      const [listed] = (await queries.clusters(id, { openOnly: false }, { offset: 0, limit: 10 })).clusters;
      const detail = (await queries.cluster(id, race.fingerprint))!;
      // The list and the race's page agree.
      expect({ fixes: listed!.fixes, seenAfterFix: listed!.seenAfterFix }).toEqual({ fixes: detail.fixes, seenAfterFix: detail.seenAfterFix });
      return { fixes: detail.fixes, seenAfterFix: detail.seenAfterFix, rows: detail.issues.map((i) => [i.number, i.fixingPr, i.fixedAt]) };
    };

    // Merged before the issue held a race the index knows: applied once it is indexed. Another
    // installation's fix of the same number is not this issue's.
    await fixes.recordFix({ installationId: 2, repo: 'Example/Fixes' }, { issue: 11, pr: 100, mergedAt: '2024-03-01T00:00:00Z' });
    await fixes.recordFix({ installationId: 3, repo }, { issue: 11, pr: 999, mergedAt: '2024-09-01T00:00:00Z' });
    await index.upsertIssue(issue(11, '2024-02-01T00:00:00Z'));
    expect(await fixOf()).toEqual({ fixes: [{ pr: 100, issue: 11, fixedAt: '2024-03-01T00:00:00Z' }], seenAfterFix: false, rows: [[11, 100, '2024-03-01T00:00:00Z']] });

    // Reopened and fixed again: the later merge is its fix, recorded twice (a redelivery) or not,
    // and an edit of the issue keeps it. A report between the two merges is no regression.
    await fixes.recordFix({ installationId: 2, repo }, { issue: 11, pr: 140, mergedAt: '2024-06-01T00:00:00Z' });
    await fixes.recordFix({ installationId: 2, repo }, { issue: 11, pr: 140, mergedAt: '2024-06-01T00:00:00Z' });
    await index.upsertIssue(issue(11, '2024-02-01T00:00:00Z', '2024-06-02T00:00:00Z'));
    await index.upsertIssue(issue(12, '2024-05-01T00:00:00Z'));
    expect(await fixOf()).toEqual({
      fixes: [{ pr: 140, issue: 11, fixedAt: '2024-06-01T00:00:00Z' }],
      seenAfterFix: false,
      rows: [[12, null, null], [11, 140, '2024-06-01T00:00:00Z']],
    });

    // Reported after the latest merge: seen again after its fix.
    await index.upsertIssue(issue(13, '2024-07-01T00:00:00Z'));
    expect(await fixOf()).toMatchObject({ fixes: [{ pr: 140, issue: 11 }], seenAfterFix: true });
  });

  it('gives one cluster of this repository only', async () => {
    const kvdb = (await queries.repository(PRIVATE_REPO))!.id;
    const [first] = await listed({ openOnly: false }, kvdb);
    expect((await queries.cluster(kvdb, first!.fingerprint))?.issues.map((i) => i.number)).toEqual(first!.numbers);
    expect(await queries.cluster(tidb, first!.fingerprint)).toBeUndefined();
    expect(await queries.cluster(tidb, 'v1:does-not-exist')).toBeUndefined();
  });

  it('counts a race reported in an issue and again in its comment as two reports of one issue', async () => {
    const race = issues.find((i) => i.repo === PUBLIC_REPO)!.races[0]!;
    const repo = 'example/comments';
    await new KyselyRaceIndex(database.db).upsertIssue({
      installationId: 1, repo, number: 7, title: 'in the body, then in a comment', state: 'open', stateReason: null, labels: [],
      fixingPr: null, private: false, updatedAt: '2024-03-01T00:00:00Z', createdAt: '2024-02-01T00:00:00Z',
      races: [race, { ...race, commentId: 555 }],
    });
    const id = (await queries.repository(repo))!.id;
    const { clusters } = await queries.clusters(id, { openOnly: false }, { offset: 0, limit: 10 });
    expect(clusters.map((c) => [c.fingerprint, c.reports, c.issueCount, c.issues.map((i) => i.number)])).toEqual([[race.fingerprint, 2, 1, [7]]]);
    const detail = await queries.cluster(id, race.fingerprint);
    expect(detail?.issues.map((i) => [i.number, i.commentId]).sort()).toEqual([[7, 555], [7, null]].sort());
    expect(detail?.reports).toBe(2);
  });

  it('offers every label of the repository, and counts new reports per week and label set', async () => {
    const own = issues.filter((i) => i.repo === PUBLIC_REPO);
    expect((await queries.labels(tidb)).sort()).toEqual([...new Set(own.flatMap((i) => i.labels))].sort());

    const from = NOW - 52 * WEEK_MS;
    const expected = new Map<string, number>();
    for (const issue of own) {
      const at = Date.parse(issue.createdAt!);
      if (at < from || at >= NOW) continue;
      const key = JSON.stringify([Math.floor((at - from) / WEEK_MS), issue.labels]);
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const weekly = await queries.weeklyReports(tidb, from, NOW);
    expect(new Map(weekly.map((w) => [JSON.stringify([w.week, w.labels]), w.count]))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(3);
  });
});
