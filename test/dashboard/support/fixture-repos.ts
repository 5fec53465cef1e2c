/**
 * Fixture repositories for the dashboard, built from the public corpora copied into
 * fixtures/store: pingcap/tidb (public) from the TiDB issues, with their real labels, states
 * and filing dates, plus a few issues with hostile titles and labels; acme/kvdb (private)
 * from the kvdb corpus. Each issue's races come from the engine, as the app would store them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { analyse } from '../../../src/race/index.js';
import type { ClusterFilter } from '../../../src/store/dashboard-queries.js';
import { IssuePairs, type IndexedIssue, type IndexTables, type IssuePairsDatabase, type RaceIndex } from '../../../src/store/index.js';

export const INSTALLATION = 4242;
export const PUBLIC_REPO = 'pingcap/tidb';
export const PRIVATE_REPO = 'acme/kvdb';
/** The dashboard's "now" in tests: the chart's year is 2024. */
export const NOW = Date.parse('2025-01-01T00:00:00Z');

/** A TiDB race reported in 2020, 2022 and 2024; the fixture fixes it in between. */
export const REGRESSED = { fixedIssue: 32978, fixingPr: 35000, fixedAt: '2022-06-01T00:00:00Z', later: 57221 };

/** Titles and labels that would run script, break out of attributes or links if not escaped. */
export const HOSTILE_TITLES = [
  '<script>window.__pwned = 1</script> DATA RACE',
  '"><img src=x onerror="window.__pwned=2"> & \' quotes',
  'javascript:window.__pwned=3 <a href="javascript:alert(1)">click</a> &amp; &lt;b&gt;',
];
export const HOSTILE_LABEL = '<b>sig/"evil"</b>&';

interface CorpusLine {
  number: number;
  title: string;
  body: string | null;
  state: string;
  labels: { name: string }[];
  created_at: string;
}

function corpus(file: string): CorpusLine[] {
  return readFileSync(join(process.cwd(), 'fixtures', 'store', file), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CorpusLine);
}

function indexed(repo: string, line: CorpusLine, isPrivate: boolean): IndexedIssue[] {
  const races = analyse(line.body).map((r) => r.signature);
  if (races.length === 0) return [];
  return [
    {
      installationId: INSTALLATION,
      repo,
      number: line.number,
      title: line.title,
      state: line.state === 'closed' ? 'closed' : 'open',
      stateReason: line.state === 'closed' ? 'completed' : null,
      labels: line.labels.map((l) => l.name),
      fixingPr: null,
      private: isPrivate,
      updatedAt: line.created_at,
      createdAt: line.created_at,
      races,
    },
  ];
}

export function fixtureIssues(): IndexedIssue[] {
  const tidbLines = corpus('tidb-issues.jsonl');
  const tidb = tidbLines.flatMap((line) => indexed(PUBLIC_REPO, line, false));
  // The hostile issues re-file three of TiDB's races, so they join clusters of real reports.
  const regressed = new Set(tidb.filter((i) => i.number === REGRESSED.later).flatMap((i) => i.races.map((r) => r.fingerprint)));
  const bodies = tidb
    .filter((i) => !i.races.some((r) => regressed.has(r.fingerprint)))
    .slice(-3)
    .map((issue) => tidbLines.find((l) => l.number === issue.number)!.body);
  const hostile = HOSTILE_TITLES.map((title, i) =>
    indexed(
      PUBLIC_REPO,
      {
        number: 90001 + i,
        title,
        body: bodies[i]!,
        state: 'open',
        labels: [{ name: HOSTILE_LABEL }, { name: 'sig/execution' }],
        created_at: `2024-12-2${i}T10:00:00Z`,
      },
      false,
    ),
  ).flat();
  const kvdb = corpus('go-kvdb-issues.jsonl').flatMap((line) => indexed(PRIVATE_REPO, line, true));
  return [...tidb, ...hostile, ...kvdb];
}

/**
 * Writes the fixture through the index (one batch, as backfill writes), then the one fix as a
 * merged pull request closing it is recorded.
 */
export async function loadFixture(index: RaceIndex, db: Kysely<IndexTables>): Promise<IndexedIssue[]> {
  const issues = fixtureIssues();
  await index.upsertIssues(issues);
  await new IssuePairs(db.withTables<IssuePairsDatabase>()).recordFix(
    { installationId: INSTALLATION, repo: PUBLIC_REPO },
    { issue: REGRESSED.fixedIssue, pr: REGRESSED.fixingPr, mergedAt: REGRESSED.fixedAt },
  );
  return issues;
}

export interface Expected {
  fingerprint: string;
  reports: number;
  openIssues: number;
  firstSeen: string;
  lastSeen: string;
  labels: string[];
  numbers: number[];
}

/** The clusters of `repo` as the dashboard must list them, by brute force. */
export function expectedClusters(issues: IndexedIssue[], repo: string, filter: ClusterFilter): Expected[] {
  const groups = new Map<string, IndexedIssue[]>();
  for (const issue of issues.filter((i) => i.repo === repo)) {
    for (const race of issue.races) groups.set(race.fingerprint, [...(groups.get(race.fingerprint) ?? []), issue]);
  }
  const text = filter.text?.toLowerCase();
  return [...groups.entries()]
    .filter(([, members]) => !filter.openOnly || members.some((m) => m.state === 'open'))
    .filter(([, members]) => filter.label === undefined || members.some((m) => m.labels.includes(filter.label!)))
    .filter(([fingerprint, members]) =>
      text === undefined ||
      members.some((m) => m.races.some((r) => r.fingerprint === fingerprint && r.sides.some((s) => s.keys.some((k) => k.toLowerCase().includes(text))))),
    )
    .map(([fingerprint, members]) => {
      const seen = members.map((m) => Date.parse(m.createdAt!));
      return {
        fingerprint,
        reports: members.length,
        openIssues: members.filter((m) => m.state === 'open').length,
        firstSeen: new Date(Math.min(...seen)).toISOString(),
        lastSeen: new Date(Math.max(...seen)).toISOString(),
        labels: [...new Set(members.flatMap((m) => m.labels))].sort(),
        numbers: [...members].sort((a, b) => Date.parse(b.createdAt!) - Date.parse(a.createdAt!) || b.number - a.number).map((m) => m.number),
      };
    })
    .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || (a.fingerprint < b.fingerprint ? -1 : 1));
}
