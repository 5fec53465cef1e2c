/**
 * Race index benchmark: builds indexes of growing size on each backend and measures insert
 * throughput, candidates() latency (p50/p99), on-disk size and process RSS.
 *
 *   npm run bench:index                                   # 10k, 100k, 1M races; SQLite and PostgreSQL
 *   npm run bench:index -- --sizes 10000,100000 --backend sqlite
 *
 * Races are real reports (seeds and corpora in ../shared) whose frames are re-drawn the way
 * TiDB's look: a few hot frames (ResetContextOfStmt, Tracker.Consume...) on many races,
 * hundreds of packages, and a long tail of functions. Some issues re-file an earlier race.
 * The index is built in batches (`upsertIssues`, as backfill does); single upserts (the
 * webhook path) are timed separately at each size. Same-run baselines: getIssue (one
 * indexed row, the floor of any lookup) at every size, and a full scan of the repository's
 * races, scored, at sizes up to 100k.
 *
 * The race dashboard's queries run on the same index: the first and the last page of the
 * cluster list, the list filtered (open, a label, a frame text), one cluster's page, and the
 * weekly chart. Same-run baseline, up to 100k: grouping the repository's races in memory.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import {
  extractReports,
  issueSimilarity,
  signRace,
  type Frame,
  type RaceReport,
  type RaceSignature,
} from '../src/race/index.js';
import { DashboardQueries, WEEK_MS } from '../src/store/dashboard-queries.js';
import { KyselyRaceIndex, openDatabase, type IndexDatabase, type IndexedIssue, type OpenIndexOptions } from '../src/store/index.js';
import { prng } from './prng.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    backend: { type: 'string', default: 'sqlite,postgres' },
    queries: { type: 'string', default: '1000' },
    shared: { type: 'string', default: resolve(process.cwd(), '../shared') },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const SIZES = args.sizes.split(',').map(Number).sort((a, b) => a - b);
const BACKENDS = args.backend.split(',') as ('sqlite' | 'postgres')[];
const QUERIES = Number(args.queries);
const SCAN_BASELINE_MAX_SIZE = 100_000;
const SCAN_BASELINE_QUERIES = 5;
const INSTALLATION = 1;
const REPO = 'pingcap/tidb';
/** Issues per `upsertIssues` batch while building, as backfill writes them. */
const BUILD_BATCH = 500;
/** Single `upsertIssue` calls timed at each size: the webhook path. */
const SINGLE_UPSERTS = 300;
/** Dashboard queries timed per kind and size (fewer past 100k, where each one is slower). */
const DASHBOARD_QUERIES = 30;
/** Clusters on one dashboard page, as the app shows them. */
const DASHBOARD_PAGE = 50;

// ---------- realistic races ----------

const random = prng(20240101);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;

/** Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s: a few common, a long tail. */
function zipf(n: number, s: number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function reportBodies(shared: string): string[] {
  const bodies: string[] = [];
  const files = (dir: string, ext: string) =>
    existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => join(dir, f)) : [];
  for (const file of [...files(join(shared, 'seeds'), '.txt'), ...files(join(shared, 'corpus/go-kvdb'), '.txt'), ...files(join(shared, 'corpus/go-generated'), '.txt')]) {
    bodies.push(readFileSync(file, 'utf8'));
  }
  for (const file of files(join(shared, 'corpus/public'), '.jsonl')) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) bodies.push((JSON.parse(line) as { body?: string }).body ?? '');
  }
  if (bodies.length === 0) throw new Error(`no reports under ${shared}: pass --shared <dir holding seeds/ and corpus/>`);
  return bodies;
}

/** Real reports as templates, and the vocabulary their frames are re-drawn from. */
function raceGenerator(shared: string): () => RaceSignature {
  const templates = reportBodies(shared)
    .flatMap((body) => extractReports(body))
    .filter((r) => r.accesses.some((a) => a.frames.some((f) => f.significant)));
  const significant = templates.flatMap((r) => r.accesses.flatMap((a) => a.frames.filter((f) => f.significant)));

  // Hot frames: the keys the real reports share most (ResetContextOfStmt, Tracker.Consume, ...).
  const counts = new Map<string, { frame: Frame; n: number }>();
  for (const f of significant) counts.set(f.key, { frame: f, n: (counts.get(f.key)?.n ?? 0) + 1 });
  const hot = [...counts.values()].sort((a, b) => b.n - a.n).slice(0, 12).map((c) => c.frame);

  // Packages: the real ones plus the sub-packages a tree of TiDB's size has.
  const realPackages = [...new Set(significant.map((f) => f.package).filter(Boolean))];
  const subdirs = ['core', 'internal', 'util', 'handle', 'join', 'aggfuncs', 'txn', 'cache', 'rule', 'metrics', 'session', 'worker'];
  const packages = [...realPackages, ...realPackages.flatMap((p) => subdirs.map((s) => `${p}/${s}`))];
  const shorts = [...new Set(significant.map((f) => f.short).filter(Boolean))];
  const FUNCTIONS = 200_000;
  const functionRank = zipf(FUNCTIONS, 1.05);
  // Function rank r lives in one package and has one name: the same rank is the same frame.
  const frameOf = (rank: number): Frame => {
    const pkg = packages[(rank * 7919) % packages.length]!;
    const base = shorts[(rank * 104729) % shorts.length]!;
    const short = rank < shorts.length ? base : `${base}${rank}`;
    const key = `${pkg}.${short}`;
    return { function: `github.com/pingcap/tidb/pkg/${key}`, file: `/go/tidb/pkg/${pkg}/x.go`, line: 1, key, package: pkg, module: 'github.com/pingcap/tidb', short, significant: true };
  };

  return () => {
    const template = pick(templates);
    const hotSide = random() < 0.3 ? Math.floor(random() * 2) : -1;
    const report: RaceReport = {
      ...template,
      accesses: template.accesses.map((access, side) => ({
        ...access,
        frames: access.frames.map((frame, depth) => {
          if (!frame.significant) return frame;
          if (depth === 0 && side === hotSide) return pick(hot);
          return frameOf(functionRank());
        }),
      })),
    };
    return signRace(report);
  };
}

// ---------- measuring ----------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function timed(n: number, run: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function diskBytes(database: IndexDatabase, sqliteFile: string | undefined): Promise<number> {
  if (sqliteFile) {
    await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
    return [sqliteFile, `${sqliteFile}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
  }
  const { rows } = await sql<{ bytes: string }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'`.execute(database.db);
  return Number(rows[0]?.bytes ?? 0);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ms = (x: number) => `${x.toFixed(2)} ms`;
const COMPONENTS = ['component/test', 'sig/execution', 'sig/planner', 'sig/transaction', 'sig/sql-infra'];

/** The dashboard's queries against the index as built so far; one table row. */
async function benchDashboard(database: IndexDatabase, races: number, stored: RaceSignature[], lastMs: number): Promise<string> {
  const queries = new DashboardQueries(database.db, database.backend);
  const repo = (await queries.repository(REPO))!;
  const n = races > SCAN_BASELINE_MAX_SIZE ? 5 : DASHBOARD_QUERIES;
  const all = { openOnly: false };
  const first = await timed(n, () => queries.clusters(repo.id, all, { offset: 0, limit: DASHBOARD_PAGE }));
  const { total } = await queries.clusters(repo.id, all, { offset: 0, limit: 1 });
  const last = await timed(n, () => queries.clusters(repo.id, all, { offset: Math.max(0, total - DASHBOARD_PAGE), limit: DASHBOARD_PAGE }));
  const frames = stored.flatMap((sig) => sig.sides.map((side) => side.keys[0]!.split('.').pop()!)).filter((f) => f.length > 4);
  const filtered = await timed(n, () =>
    queries.clusters(repo.id, { openOnly: true, label: 'sig/execution', text: pick(frames) }, { offset: 0, limit: DASHBOARD_PAGE }),
  );
  const cluster = await timed(n, () => queries.cluster(repo.id, pick(stored).fingerprint));
  const chart = await timed(n, () => queries.weeklyReports(repo.id, lastMs - 52 * WEEK_MS, lastMs));
  let memory = 'n/a';
  if (races <= SCAN_BASELINE_MAX_SIZE) {
    const grouped = await timed(Math.min(n, 5), async () => {
      const rows = await database.db
        .selectFrom('races')
        .innerJoin('issues', 'issues.id', 'races.issue_id')
        .select(['races.fingerprint', 'issues.number', 'issues.state', 'issues.labels', 'issues.created_ms'])
        .execute();
      const byCluster = new Map<string, { last: number; rows: typeof rows }>();
      for (const row of rows) {
        const entry = byCluster.get(row.fingerprint) ?? { last: 0, rows: [] };
        entry.rows.push(row);
        entry.last = Math.max(entry.last, Number(row.created_ms));
        byCluster.set(row.fingerprint, entry);
      }
      return [...byCluster.values()].sort((a, b) => b.last - a.last).slice(0, DASHBOARD_PAGE);
    });
    memory = ms(grouped.p50);
  }
  const both = (t: { p50: number; p99: number }) => `${ms(t.p50)} / ${ms(t.p99)}`;
  return `| ${races.toLocaleString('en')} | ${total.toLocaleString('en')} | ${both(first)} | ${both(last)} | ${both(filtered)} | ${both(cluster)} | ${both(chart)} | ${memory} |`;
}

async function benchBackend(backend: 'sqlite' | 'postgres', nextRace: () => RaceSignature): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-bench-'));
  const schema = `bench_${process.pid}`;
  const sqliteFile = backend === 'sqlite' ? join(dir, 'race-triage.sqlite') : undefined;
  const options: OpenIndexOptions = sqliteFile ? { sqlitePath: sqliteFile } : { databaseUrl: args['database-url'], pgSchema: schema };
  const database = await openDatabase(options);
  const index = new KyselyRaceIndex(database.db);
  console.log(`\n## ${backend} (${database.location})`);
  console.log('| races | issues | batch build races/s | single upsert p50/p99 | candidates p50 | candidates p99 | getIssue p50/p99 (floor) | full scan p50 (baseline) | on disk | RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');

  let races = 0;
  let issues = 0;
  const stored: RaceSignature[] = []; // a reservoir of stored races, to query re-filed ones
  const remember = (issue: IndexedIssue) => {
    races += issue.races.length;
    for (const sig of issue.races) {
      if (stored.length < 5000) stored.push(sig);
      else if (random() < 0.01) stored[Math.floor(random() * stored.length)] = sig;
    }
  };
  const newIssue = (): IndexedIssue => {
    const count = random() < 0.7 ? 1 : random() < 0.66 ? 2 : 3;
    const sigs = Array.from({ length: count }, () => (stored.length > 0 && random() < 0.1 ? pick(stored) : nextRace()));
    issues += 1;
    return {
      installationId: INSTALLATION,
      repo: REPO,
      number: issues,
      title: sigs[0]!.title,
      state: random() < 0.6 ? 'closed' : 'open',
      stateReason: null,
      labels: ['type/bug', COMPONENTS[issues % COMPONENTS.length]!],
      fixingPr: null,
      private: false,
      updatedAt: new Date(Date.UTC(2020, 0, 1) + issues * 60_000).toISOString(),
      createdAt: new Date(Date.UTC(2020, 0, 1) + issues * 60_000).toISOString(),
      races: sigs,
    };
  };

  const dashboardRows: string[] = [];
  try {
    for (const size of SIZES) {
      const start = performance.now();
      const before = races;
      while (races < size) {
        const batch = Array.from({ length: BUILD_BATCH }, newIssue);
        for (const issue of batch) remember(issue);
        await index.upsertIssues(batch);
      }
      const buildRate = (races - before) / ((performance.now() - start) / 1000);
      // A live PostgreSQL's autovacuum analyzes the tables within a minute of a bulk load;
      // the benchmark loads faster than that, so it analyzes itself before measuring.
      if (backend === 'postgres') await sql`analyze`.execute(database.db);
      const single = await timed(SINGLE_UPSERTS, async () => {
        const issue = newIssue();
        remember(issue);
        await index.upsertIssue(issue);
      });

      // Half the queries re-file a stored race (exact path), half bring a new one.
      const queries = Array.from({ length: QUERIES }, () => {
        const count = random() < 0.8 ? 1 : 2;
        return Array.from({ length: count }, () => (random() < 0.5 ? pick(stored) : nextRace()));
      });
      await timed(50, (i) => index.candidates({ installationId: INSTALLATION, repo: REPO, races: queries[i]!, limit: 5 }));
      const lookup = await timed(QUERIES, (i) =>
        index.candidates({ installationId: INSTALLATION, repo: REPO, races: queries[i]!, limit: 5, excludeNumber: issues + 1 }),
      );
      const floor = await timed(QUERIES, () =>
        index.getIssue({ installationId: INSTALLATION, repo: REPO, number: 1 + Math.floor(random() * issues) }),
      );
      let scan = 'n/a';
      if (size <= SCAN_BASELINE_MAX_SIZE) {
        const full = await timed(SCAN_BASELINE_QUERIES, async (i) => {
          const rows = await database.db.selectFrom('races').select(['issue_id', 'signature']).execute();
          const byIssue = new Map<number, RaceSignature[]>();
          for (const r of rows) byIssue.set(Number(r.issue_id), [...(byIssue.get(Number(r.issue_id)) ?? []), JSON.parse(r.signature) as RaceSignature]);
          return [...byIssue.values()].map((sigs) => issueSimilarity(queries[i]!, sigs)).sort((a, b) => b - a).slice(0, 5);
        });
        scan = ms(full.p50);
      }
      const disk = await diskBytes(database, sqliteFile);
      console.log(
        `| ${races.toLocaleString('en')} | ${issues.toLocaleString('en')} | ${Math.round(buildRate).toLocaleString('en')} | ${ms(single.p50)} / ${ms(single.p99)} | ` +
          `${ms(lookup.p50)} | ${ms(lookup.p99)} | ${ms(floor.p50)} / ${ms(floor.p99)} | ${scan} | ${mb(disk)} | ${mb(process.memoryUsage().rss)} |`,
      );
      dashboardRows.push(await benchDashboard(database, races, stored, Date.UTC(2020, 0, 1) + issues * 60_000));
    }
    console.log(`\n### ${backend}: race dashboard (pages of ${DASHBOARD_PAGE} clusters; p50 / p99)`);
    console.log('| races | clusters | list, first page | list, last page | list, open + label + frame text | one cluster | weekly chart | in-memory grouping p50 (baseline) |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const row of dashboardRows) console.log(row);
  } finally {
    await index.close();
    if (backend === 'postgres') {
      const client = new pg.Client({ connectionString: args['database-url'] });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const nextRace = raceGenerator(args.shared);
console.log(`race index benchmark: sizes ${SIZES.join(', ')}; ${QUERIES} candidate queries (limit 5) per size; node ${process.version}`);
for (const backend of BACKENDS) await benchBackend(backend, nextRace);
