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
import type { IndexedIssue, IndexTables, RaceIndex } from '../../../src/store/index.js';

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
      fixingPr: line.number === REGRESSED.fixedIssue ? REGRESSED.fixingPr : null,
      private: isPrivate,
      updatedAt: line.created_at,
      createdAt: line.created_at,
      races,
    },
  ];
}

/** The kvdb race bodies, reused for the hostile issues. */
export const kvdbBodies = () => corpus('go-kvdb-issues.jsonl').map((l) => l.body ?? '');

export function fixtureIssues(): IndexedIssue[] {
  const tidb = corpus('tidb-issues.jsonl').flatMap((line) => indexed(PUBLIC_REPO, line, false));
  const bodies = kvdbBodies();
  const hostile = HOSTILE_TITLES.map((title, i) =>
    indexed(
      PUBLIC_REPO,
      {
        number: 90001 + i,
        title,
        body: bodies[i * 2]!,
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
 * Writes the fixture through the index (one batch, as backfill writes), then the one fix
 * merge time. Nothing in the app records merge times yet, so it is written as a fix-PR link
 * would write it.
 */
export async function loadFixture(index: RaceIndex, db: Kysely<IndexTables>): Promise<IndexedIssue[]> {
  const issues = fixtureIssues();
  await index.upsertIssues(issues);
  await db
    .updateTable('issues')
    .set({ fixed_at: REGRESSED.fixedAt })
    .where('number', '=', REGRESSED.fixedIssue)
    .where('fixing_pr', '=', REGRESSED.fixingPr)
    .execute();
  return issues;
}
