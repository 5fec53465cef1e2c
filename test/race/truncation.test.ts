/**
 * Real reports cut the way pastes cut them still find their race. Every complete report in
 * the fixtures is cut (header dropped, text starting inside the first stack, a side stopped
 * after k frames, the second side dropped) and decorated (CI timestamps, quoting); each cut
 * must still score its complete original at or above the threshold, and no different race
 * higher. Cuts that keep both sides must stay below the threshold against a different race
 * that shares one side with the original.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { analyse, LIKELY_DUPLICATE_THRESHOLD, raceSimilarity, type AnalysedRace } from '../../src/race/index.js';
import { isTestFunction } from '../../src/race/frame-weight.js';
import { readFixtures } from './fixture-file.js';
import { decorations } from './mutations.js';

interface Complete {
  name: string;
  /** The report's own text. */
  text: string;
  race: AnalysedRace;
  /** The same race as another complete report: same fingerprint, or the same group of a corpus. */
  group: string;
}

/** Corpus groups by fixture name (`go-kvdb-v1-TestX`), where a corpus says which files report one race. */
function corpusGroups(): Map<string, string> {
  const groups = new Map<string, string>();
  for (const dir of ['go-generated', 'go-kvdb']) {
    const file = JSON.parse(readFileSync(`/work/shared/corpus/${dir}/groups.json`, 'utf8')) as { groups: Record<string, string[]> };
    for (const [group, names] of Object.entries(file.groups)) {
      for (const name of names) groups.set(`${dir}-${name.replace(/\.txt$/, '')}`, `${dir}: ${group}`);
    }
  }
  return groups;
}

/**
 * Fixtures of one issue, whose races are one race: TiDB #31965 prints its race twice, the
 * second time with the tracker call inlined (a different fingerprint), and is kept twice.
 */
const SAME_ISSUE = [['seed-000-tidb-31965', 'tidb-31965']];

/** Every complete race of the fixtures; reports of one race share a group (same fingerprint, corpus group or issue). */
function completeReports(): Complete[] {
  const corpus = corpusGroups();
  const found = readFixtures().flatMap((fixture) =>
    analyse(fixture.body)
      .filter((race) => !race.report.partial && race.report.quoteDepth === 0)
      .map((race) => ({ name: fixture.name, text: fixture.body.slice(race.report.span[0], race.report.span[1]), race, group: '' })),
  );
  // Union-find over the three ways of knowing two reports show one race.
  const parent = found.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const join = (i: number, j: number) => {
    parent[root(i)] = root(j);
  };
  const firstBy = new Map<string, number>();
  found.forEach((report, i) => {
    const sameIssue = SAME_ISSUE.find((names) => names.includes(report.name))?.[0];
    for (const key of [`fp:${report.race.signature.fingerprint}`, `corpus:${corpus.get(report.name) ?? report.name}`, `issue:${sameIssue ?? report.name}`]) {
      const seen = firstBy.get(key);
      if (seen === undefined) firstBy.set(key, i);
      else join(i, seen);
    }
  });
  return found.map((report, i) => ({ ...report, group: String(root(i)) }));
}

const lines = (text: string) => text.split('\n');
const ACCESS = /^\s*(?:Previous )?(?:atomic )?(?:read|write)\b.* by .*:\s*$/i;
const FRAME = /^\s*(?:#\d+\s|\S.*\(\)\s*$)/;
const HEADER = /^\s*(?:={10,}|WARNING: (?:DATA RACE|ThreadSanitizer:.*))\s*$/;

/** Line indexes of the access lines, and of the frame lines of each access. */
function layout(text: string): { accesses: number[]; frames: number[][] } {
  const accesses: number[] = [];
  const frames: number[][] = [];
  lines(text).forEach((line, i) => {
    if (ACCESS.test(line)) {
      accesses.push(i);
      frames.push([]);
    } else if (FRAME.test(line) && frames.length > 0 && frames.length <= 2) {
      frames[frames.length - 1]!.push(i);
    }
  });
  return { accesses, frames };
}

/**
 * The text up to and including the frame line of the k-th significant frame of access `side`
 * (its location line too); undefined when the side has no more than k significant frames.
 */
function stopAfter(text: string, race: AnalysedRace, side: number, k: number): string | undefined {
  const { frames } = layout(text);
  const shown = race.report.accesses[side]?.frames ?? [];
  const significant = shown.flatMap((frame, i) => (frame.significant ? [i] : []));
  if (significant.length <= k) return undefined;
  const frame = frames[side]?.[significant[k - 1]!];
  if (frame === undefined) return undefined;
  const all = lines(text);
  const withLocation = /\(\)\s*$/.test(all[frame]!) ? frame + 1 : frame;
  return all.slice(0, withLocation + 1).join('\n');
}

interface Cut {
  name: string;
  apply: (text: string, race: AnalysedRace) => string | undefined;
  /** The cut keeps the top frame of both sides. */
  bothSides: boolean;
}

const cuts: Cut[] = [
  { name: 'header dropped', bothSides: true, apply: (t) => lines(t).filter((l) => !HEADER.test(l)).join('\n') },
  {
    name: 'text starts inside the first stack',
    bothSides: false,
    apply: (t, r) => {
      const { accesses, frames } = layout(t);
      // Keep the first side from its second frame on, when that one is significant.
      const second = frames[0]?.[1];
      if (accesses.length < 2 || second === undefined || !r.report.accesses[0]?.frames[1]?.significant) return undefined;
      return lines(t).slice(second).join('\n');
    },
  },
  ...[1, 2, 3].map((k): Cut => ({ name: `first side stopped after ${k} frames`, bothSides: false, apply: (t, r) => stopAfter(t, r, 0, k) })),
  ...[1, 2, 3].map((k): Cut => ({ name: `second side stopped after ${k} frames`, bothSides: true, apply: (t, r) => stopAfter(t, r, 1, k) })),
  {
    name: 'second side dropped',
    bothSides: false,
    apply: (t) => {
      const { accesses } = layout(t);
      return accesses.length < 2 ? undefined : lines(t).slice(0, accesses[1]).join('\n');
    },
  },
  { name: 'CI timestamps', bothSides: true, apply: decorations.actionsTimestamps },
  { name: 'quoted', bothSides: true, apply: decorations.quote },
  { name: 'timestamps, then cut after 2 frames of the second side', bothSides: true, apply: (t, r) => mapDefined(stopAfter(t, r, 1, 2), decorations.jenkinsTimestamps) },
];

function mapDefined<T, U>(value: T | undefined, f: (v: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}

const reports = completeReports();
/** Two complete reports of different races that share the top frame of one side. */
const shareOneSide = (a: AnalysedRace, b: AnalysedRace) =>
  a.signature.sides.some((x) => b.signature.sides.some((y) => x.keys[0] === y.keys[0]));

describe('reports cut as pastes cut them', () => {
  it('has many complete reports to cut, from several sources', () => {
    expect(reports.length).toBeGreaterThan(60);
    expect(new Set(reports.map((r) => r.group)).size).toBeGreaterThan(40);
  });

  describe.each(cuts.map((cut) => [cut.name, cut] as const))('%s', (_name, cut) => {
    it('still scores its complete original at or above the threshold, and no other race higher', () => {
      let tried = 0;
      const failures: string[] = [];
      for (const original of reports) {
        const text = cut.apply(original.text, original.race);
        if (text === undefined) continue;
        const [damaged] = analyse(text);
        tried++;
        if (!damaged) {
          failures.push(`${original.name}: no race read`);
          continue;
        }
        const own = raceSimilarity(damaged.signature, original.race.signature);
        // A cut that leaves only the test and the instrumentation shows no code that races.
        const showsCode = damaged.signature.sides.some((side) => side.keys.some((key) => !isTestFunction(key)));
        if (showsCode && own < LIKELY_DUPLICATE_THRESHOLD) failures.push(`${original.name}: ${own.toFixed(2)} against its original`);
        for (const other of reports) {
          if (other.group === original.group) continue;
          const score = raceSimilarity(damaged.signature, other.race.signature);
          if (score > own) failures.push(`${original.name}: ${other.name} scores ${score.toFixed(2)}, the original ${own.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(tried).toBeGreaterThan(10);
    });

    if (!cut.bothSides) return;
    it('stays below the threshold against a different race that shares one side', () => {
      let pairs = 0;
      const failures: string[] = [];
      for (const original of reports) {
        const text = cut.apply(original.text, original.race);
        if (text === undefined) continue;
        const damaged = analyse(text)[0]!;
        for (const other of reports) {
          if (other.group === original.group || !shareOneSide(original.race, other.race)) continue;
          pairs++;
          const score = raceSimilarity(damaged.signature, other.race.signature);
          if (score >= LIKELY_DUPLICATE_THRESHOLD) failures.push(`${original.name} ~ ${other.name}: ${score.toFixed(2)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(pairs).toBeGreaterThan(0);
    });
  });
});
