import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { analyse } from '../../src/race/index.js';
import { backfillRepository, type BackfillProgress } from '../../src/github/backfill.js';
import { BackfillCheckpoints } from '../../src/github/jobs/checkpoints.js';
import { sqliteDatabase, type TestDatabase } from '../support/databases.js';
import { loadSeeds } from '../support/seeds.js';

const seeds = loadSeeds();

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
// Plain http: nock fakes no TLS.
const API = 'http://github.test';
const github = new Octokit({ auth: 'test-token', log: quiet, baseUrl: API });
const target = { installationId: 7, owner: 'PingCAP', repo: 'TiDB', private: false };

/** A repository of `count` issues: every 10th a pull request, every 7th carrying a seed's race report. */
function repository(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const number = i + 1;
    const seed = seeds[number % seeds.length]!;
    return {
      number,
      title: `issue ${number}`,
      body: number % 7 === 0 ? seed.body : 'A flaky test, no race output.',
      state: number % 3 === 0 ? 'closed' : 'open',
      state_reason: number % 3 === 0 ? 'completed' : null,
      labels: [{ name: 'type/bug' }],
      comments: 0,
      created_at: new Date(Date.UTC(2023, 0, 1) + number * 3_600_000).toISOString(),
      updated_at: new Date(Date.UTC(2024, 0, 1) + number * 60_000).toISOString(),
      ...(number % 10 === 0 ? { pull_request: { url: 'x' } } : {}),
    };
  });
}

const withRaces = (items: ReturnType<typeof repository>) =>
  items.filter((item) => !item.pull_request && analyse(item.body).length > 0);

/** Serves the listing as GitHub does: 100 a page, Link next/last, counting requests. */
function serve(items: ReturnType<typeof repository>, extraHeaders: (page: number) => Record<string, string> = () => ({})) {
  const seen: Record<string, string>[] = [];
  const last = Math.max(1, Math.ceil(items.length / 100));
  const scope = nock(API)
    .get('/repos/PingCAP/TiDB/issues')
    .query(true)
    .times(last * 2)
    .reply((request: unknown) => {
      // nock 15 hands the reply function the fetch Request.
      const query = Object.fromEntries(new URL((request as Request).url).searchParams);
      seen.push(query);
      const page = Number(query.page ?? 1);
      const url = (p: number) => `<${API}/repositories/1/issues?state=all&per_page=100&page=${p}>`;
      const links = page < last ? [`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`] : [];
      return [200, items.slice((page - 1) * 100, page * 100), { ...(links.length ? { link: links.join(', ') } : {}), ...extraHeaders(page) }];
    });
  return { seen, scope };
}

describe('backfill', () => {
  let database: TestDatabase;
  let checkpoints: BackfillCheckpoints;

  beforeEach(async () => {
    database = await sqliteDatabase();
    checkpoints = new BackfillCheckpoints(database.db);
    nock.disableNetConnect();
  });

  afterEach(async () => {
    nock.cleanAll();
    await database.destroy();
  });

  it('indexes every issue with a race using one request per 100 issues, and nothing else', async () => {
    const items = repository(250);
    const { seen } = serve(items);
    const progress: BackfillProgress[] = [];
    const result = await backfillRepository(target, { github, index: database.index, checkpoints, onProgress: (p) => progress.push(p) });

    expect(seen).toHaveLength(Math.ceil(250 / 100));
    expect(seen[0]).toEqual({ state: 'all', sort: 'created', direction: 'asc', per_page: '100', page: '1' });
    const expected = withRaces(items);
    expect(expected.length).toBeGreaterThan(20);
    expect(result).toEqual({ scanned: 250, indexed: expected.length, pages: 3, resumed: false, finished: true });
    for (const item of expected) {
      const stored = await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: item.number });
      expect(stored).toMatchObject({
        title: item.title,
        state: item.state,
        stateReason: item.state_reason,
        labels: ['type/bug'],
        updatedAt: item.updated_at,
        createdAt: item.created_at,
        races: analyse(item.body).map((r) => r.signature),
      });
    }
    // Pull requests and issues without races stay out of the index.
    expect(await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 70 })).toBeUndefined();
    expect(await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 1 })).toBeUndefined();
    expect(progress.map((p) => [p.scanned, p.total])).toEqual([
      [100, 300],
      [200, 300],
      [250, 250],
    ]);
  });

  it('finds the backfilled issue as the duplicate of a new one', async () => {
    serve(repository(40));
    await backfillRepository(target, { github, index: database.index, checkpoints });
    const refiled = analyse(seeds[0]!.body).map((r) => r.signature);
    const candidates = await database.index.candidates({ installationId: 7, repo: 'pingcap/tidb', races: refiled, limit: 5 });
    expect(candidates[0]).toMatchObject({ exact: true, issue: { number: 35 } });
  });

  it('resumes a stopped run at its page, then reads only what changed since the finished run', async () => {
    const items = repository(250);
    nock(API).get('/repos/PingCAP/TiDB/issues').query({ state: 'all', sort: 'created', direction: 'asc', per_page: '100', page: '1' }).reply(200, items.slice(0, 100), {
      link: `<${API}/repositories/1/issues?page=2>; rel="next", <${API}/repositories/1/issues?page=3>; rel="last"`,
    });
    nock(API).get('/repos/PingCAP/TiDB/issues').query(true).reply(404, { message: 'Not Found' });
    await expect(backfillRepository(target, { github, index: database.index, checkpoints, now: () => Date.UTC(2025, 0, 1) })).rejects.toMatchObject({ status: 404 });
    expect(await checkpoints.load(7, 'pingcap/tidb')).toEqual({ nextPage: 2, runStartedAt: '2025-01-01T00:00:00.000Z', indexed: 13 });

    const { seen } = serve(items);
    const resumed = await backfillRepository(target, { github, index: database.index, checkpoints });
    expect(seen.map((q) => q.page)).toEqual(['2', '3']);
    expect(resumed).toMatchObject({ scanned: 150, indexed: withRaces(items).length, pages: 2, resumed: true, finished: true });
    expect(await checkpoints.load(7, 'pingcap/tidb')).toEqual({ since: '2025-01-01T00:00:00.000Z', indexed: withRaces(items).length });

    nock.cleanAll();
    const again = serve(items.slice(0, 0));
    await backfillRepository(target, { github, index: database.index, checkpoints });
    expect(again.seen).toEqual([{ state: 'all', sort: 'created', direction: 'asc', per_page: '100', page: '1', since: '2025-01-01T00:00:00.000Z' }]);
  });

  it('retries a failing page and waits for the rate limit reset when the budget runs low', async () => {
    const now = Date.UTC(2025, 0, 1);
    const slept: number[] = [];
    const waited: number[] = [];
    nock(API).get('/repos/PingCAP/TiDB/issues').query((q) => q.page === '2').reply(502, { message: 'Bad Gateway' });
    const { seen } = serve(repository(150), (page) =>
      page === 1 ? { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(now / 1000 + 60) } : ({} as Record<string, string>),
    );
    const result = await backfillRepository(target, {
      github,
      index: database.index,
      checkpoints,
      now: () => now,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, random: () => 0 },
      sleep: async (ms) => void slept.push(ms),
      waitForReset: async (ms) => void waited.push(ms),
    });
    expect(result.scanned).toBe(150);
    expect(seen.map((q) => q.page)).toEqual(['1', '2']);
    expect(waited).toEqual([61_000]);
    expect(slept).toEqual([5]);
  });
});
