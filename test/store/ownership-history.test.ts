/**
 * The ownership history's contract, on both backends: a SQLite file and a private
 * PostgreSQL schema. Packages come from real TiDB issues read by the engine.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, OwnershipHistory, type IndexDatabase, type OwnershipEntry, type OwnershipTables } from '../../src/store/index.js';
import { DEFAULT_CONFIG } from '../../src/triage/config.js';
import { issuePackages } from '../../src/triage/ownership-evidence.js';
import { backends, type TestBackend } from './support/backends.js';

/** Real TiDB issues with the packages the engine finds in them: from races, or from a pasted stack. */
const tidb = readFileSync(join(process.cwd(), 'fixtures/store/tidb-issues.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { number: number; body: string; created_at: string; labels: { name: string }[] })
  .map((i) => ({ ...i, evidence: issuePackages(i.body, DEFAULT_CONFIG, 'pingcap/tidb') }))
  .filter((i) => i.evidence.packages.length > 0);

const TIDB = { installationId: 7, repo: 'pingcap/tidb' };

function entry(issue: (typeof tidb)[number], at: Partial<OwnershipEntry> = {}): OwnershipEntry {
  return {
    ...TIDB,
    number: issue.number,
    filedAt: issue.created_at,
    packages: issue.evidence.packages,
    labels: issue.labels.map((l) => l.name),
    updatedAt: '2024-01-01T00:00:00Z',
    ...at,
  };
}
const record = ({ number, filedAt, packages, labels }: OwnershipEntry) => ({ number, filedAt, packages, labels });

describe.each(backends)('ownership history on %s', (_name, makeBackend) => {
  let backend: TestBackend;
  let database: IndexDatabase;
  let history: OwnershipHistory;
  const open = async () => {
    database = await openDatabase(backend.options);
    history = new OwnershipHistory(database.db.withTables<OwnershipTables>());
  };

  beforeEach(async () => {
    backend = makeBackend();
    await open();
  });
  afterEach(async () => {
    await database.db.destroy();
    await backend.dispose();
  });

  it('gives back every issue as stored, in filing order, packages and labels included', async () => {
    expect(tidb.some((i) => i.evidence.source === 'stack')).toBe(true);
    expect(tidb.some((i) => i.evidence.packages.some((p) => p.module))).toBe(true);
    const entries = tidb.map((i) => entry(i));
    await history.record([...entries].reverse());
    expect(await history.list(TIDB.installationId, 'PingCAP/TiDB')).toEqual(entries.map(record));
  });

  it('keeps the newest write, in a batch and against what is stored', async () => {
    const [a, b] = [tidb[0]!, tidb[1]!];
    await history.record([entry(a, { labels: ['sig/execution'], updatedAt: '2024-06-01T00:00:00Z' })]);
    await history.record([
      entry(a, { labels: ['stale'], updatedAt: '2024-05-01T00:00:00Z' }),
      entry(b, { labels: ['newest'], updatedAt: '2024-03-01T00:00:00Z' }),
      entry(b, { labels: ['older'], updatedAt: '2024-02-01T00:00:00Z' }),
    ]);
    expect((await history.list(TIDB.installationId, TIDB.repo)).map((r) => [r.number, r.labels])).toEqual([
      [a.number, ['sig/execution']],
      [b.number, ['newest']],
    ]);
  });

  it('follows label events, ignoring stale ones and issues it does not hold', async () => {
    const issue = tidb[0]!;
    await history.record([entry(issue, { labels: ['type/bug'], updatedAt: '2024-01-01T00:00:00Z' })]);
    const ref = { ...TIDB, number: issue.number };
    await history.setLabels(ref, ['type/bug', 'sig/planner'], '2024-02-01T00:00:00Z');
    await history.setLabels(ref, ['type/bug'], '2024-01-15T00:00:00Z'); // delivered late
    await history.setLabels({ ...TIDB, number: 1 }, ['sig/planner'], '2024-02-01T00:00:00Z');
    expect((await history.list(TIDB.installationId, TIDB.repo)).map((r) => [r.number, r.labels])).toEqual([
      [issue.number, ['type/bug', 'sig/planner']],
    ]);
    // A later full write still wins over the label event it follows.
    await history.record([entry(issue, { labels: ['sig/execution'], updatedAt: '2024-03-01T00:00:00Z' })]);
    expect((await history.list(TIDB.installationId, TIDB.repo))[0]!.labels).toEqual(['sig/execution']);
  });

  it('keeps installations and repositories apart, forgets a removed issue, and reads the newest issues first when capped', async () => {
    const [a, b, c] = [tidb[0]!, tidb[1]!, tidb[2]!];
    await history.record([entry(a), entry(b), entry(c), entry(a, { installationId: 8 }), entry(b, { repo: 'pingcap/tiflow' })]);
    expect((await history.list(8, TIDB.repo)).map((r) => r.number)).toEqual([a.number]);
    expect((await history.list(TIDB.installationId, 'pingcap/tiflow')).map((r) => r.number)).toEqual([b.number]);
    expect((await history.list(TIDB.installationId, TIDB.repo, 2)).map((r) => r.number)).toEqual([b.number, c.number]);
    await history.remove({ ...TIDB, number: b.number });
    expect((await history.list(TIDB.installationId, TIDB.repo)).map((r) => r.number)).toEqual([a.number, c.number]);
    expect(await history.list(9, 'nobody/nothing')).toEqual([]);
  });

  it('stores untrusted text PostgreSQL cannot hold raw (NUL), and keeps its data across restarts', async () => {
    const hostile = entry(tidb[0]!, { labels: ['sig/\u0000x'], filedAt: '2024\u0000', repo: 'org/\u0000' });
    await history.record([hostile]);
    await database.db.destroy();
    await open();
    expect(await history.list(TIDB.installationId, 'org/\u0000')).toEqual([
      { ...record(hostile), filedAt: '2024\uFFFD' },
    ]);
  });
});
