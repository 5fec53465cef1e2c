import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { analyse } from '../../src/race/index.js';
import { backfillRepository, type BackfillProgress } from '../../src/github/backfill.js';
import { BackfillCheckpoints } from '../../src/github/jobs/checkpoints.js';
import { sqliteDatabase, type TestDatabase } from '../support/databases.js';
import { loadSeeds } from '../support/seeds.js';
import { signatures } from '../support/indexed.js';

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

interface ListedComment {
  id: number;
  issue: number;
  body: string;
  login?: string;
  type?: string;
  pull?: boolean;
}

/** The repository-wide comment listing as GitHub answers it, 100 a page. */
function serveComments(comments: ListedComment[]) {
  const seen: Record<string, string>[] = [];
  const last = Math.max(1, Math.ceil(comments.length / 100));
  nock(API)
    .get('/repos/PingCAP/TiDB/issues/comments')
    .query(true)
    .times(last * 2)
    .reply((request: unknown) => {
      const query = Object.fromEntries(new URL((request as Request).url).searchParams);
      seen.push(query);
      const page = Number(query.page ?? 1);
      const link = page < last ? { link: `<${API}/repos/PingCAP/TiDB/issues/comments?per_page=100&page=${page + 1}>; rel="next"` } : {};
      const shown = comments.slice((page - 1) * 100, page * 100).map((c) => ({
        id: c.id,
        body: c.body,
        user: { login: c.login ?? 'carol', type: c.type ?? 'User' },
        html_url: `https://github.com/PingCAP/TiDB/${c.pull ? 'pull' : 'issues'}/${c.issue}#issuecomment-${c.id}`,
        issue_url: `${API}/repos/PingCAP/TiDB/issues/${c.issue}`,
        created_at: '2024-06-01T00:00:00Z',
        updated_at: '2024-06-01T00:00:00Z',
      }));
      return [200, shown, link];
    });
  return seen;
}

/** Serves the issue listing as GitHub does: 100 a page, Link next/last, counting requests; and the comments, none by default. */
function serve(items: ReturnType<typeof repository>, extraHeaders: (page: number) => Record<string, string> = () => ({}), comments: ListedComment[] = []) {
  const commentsSeen = serveComments(comments);
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
  return { seen, scope, commentsSeen };
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
    // Three pages of issues, then one page of the repository's comments (none here).
    expect(result).toEqual({ scanned: 250, comments: 0, pulls: 0, indexed: expected.length, pages: 4, resumed: false, finished: true });
    for (const item of expected) {
      const stored = await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: item.number });
      expect(stored).toMatchObject({
        title: item.title,
        state: item.state,
        stateReason: item.state_reason,
        labels: ['type/bug'],
        updatedAt: item.updated_at,
        createdAt: item.created_at,
      });
      expect(signatures(stored?.races)).toEqual(analyse(item.body).map((r) => r.signature));
    }
    // Pull requests and issues without races stay out of the index.
    expect(await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 70 })).toBeUndefined();
    expect(await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 1 })).toBeUndefined();
    expect(progress.map((p) => [p.scanned, p.total])).toEqual([
      [100, 300],
      [200, 300],
      [250, 250],
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
    expect(resumed).toMatchObject({ scanned: 150, indexed: withRaces(items).length, pages: 3, resumed: true, finished: true });
    expect(await checkpoints.load(7, 'pingcap/tidb')).toEqual({ since: '2025-01-01T00:00:00.000Z', indexed: withRaces(items).length });

    nock.cleanAll();
    const again = serve(items.slice(0, 0));
    await backfillRepository(target, { github, index: database.index, checkpoints });
    expect(again.seen).toEqual([{ state: 'all', sort: 'created', direction: 'asc', per_page: '100', page: '1', since: '2025-01-01T00:00:00.000Z' }]);
    expect(again.commentsSeen).toEqual([{ sort: 'created', direction: 'asc', per_page: '100', page: '1', since: '2025-01-01T00:00:00.000Z' }]);
  });

  it('reads races people pasted in comments, one request per 100 comments of the repository', async () => {
    const items = repository(40);
    const seed = seeds[1]!;
    const comments: ListedComment[] = [
      // Issue 3's body has no race: its comment makes it a race issue, read once to be indexed.
      { id: 900, issue: 3, body: `CI log:\n${seed.body}` },
      // Issue 14 has a race in its body already; its comment adds one.
      { id: 901, issue: 14, body: seeds[2]!.body },
      { id: 902, issue: 5, body: seed.body, login: 'ci-robot[bot]', type: 'Bot' },
      { id: 903, issue: 10, body: seed.body, pull: true },
      { id: 904, issue: 21, body: 'Same again today.' },
    ];
    const { seen } = serve(items, () => ({}), comments);
    nock(API).get('/repos/PingCAP/TiDB/issues/3').reply(200, items[2]);
    const result = await backfillRepository(target, { github, index: database.index, checkpoints });
    expect(seen).toHaveLength(1);
    expect(result).toMatchObject({ scanned: 40, comments: 5, pages: 2, finished: true });
    const three = await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 3 });
    expect(three?.races.map((r) => r.commentId)).toEqual(analyse(seed.body).map(() => 900));
    const fourteen = await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 14 });
    expect(fourteen?.races.map((r) => r.commentId ?? 'body')).toEqual([...analyse(items[13]!.body).map(() => 'body'), ...analyse(seeds[2]!.body).map(() => 901)]);
    // Bots' comments and pull requests' comments are not read for races.
    expect(await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 5 })).toBeUndefined();
    expect(await database.index.getIssue({ installationId: 7, repo: 'pingcap/tidb', number: 10 })).toBeUndefined();
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
