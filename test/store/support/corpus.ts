/**
 * Real race reports from pingcap/tidb and the kvdb corpus (copied into fixtures/store),
 * analysed by the engine: the issues the index tests store and query.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyse, type RaceSignature } from '../../../src/race/index.js';
import type { IndexedIssue } from '../../../src/store/types.js';

export interface CorpusIssue {
  number: number;
  title: string;
  races: RaceSignature[];
}

const FIXTURES = join(process.cwd(), 'fixtures', 'store');

/** Every corpus issue with at least one race, numbered as on GitHub (kvdb ones offset to stay unique). */
export function corpusIssues(): CorpusIssue[] {
  const read = (file: string, offset: number) =>
    readFileSync(join(FIXTURES, file), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { number: number; title: string; body: string | null })
      .map((i) => ({
        number: i.number + offset,
        title: i.title,
        races: analyse(i.body ?? '').map((r) => r.signature),
      }))
      .filter((i) => i.races.length > 0);
  return [...read('tidb-issues.jsonl', 0), ...read('go-kvdb-issues.jsonl', 1_000_000)];
}

export function asIndexed(
  issue: CorpusIssue,
  at: Partial<IndexedIssue> & { installationId: number; repo: string },
): IndexedIssue {
  return {
    number: issue.number,
    title: issue.title,
    state: 'open',
    stateReason: null,
    labels: [],
    fixingPr: null,
    private: false,
    updatedAt: '2024-01-01T00:00:00Z',
    races: issue.races,
    ...at,
  };
}
