/**
 * Ground truth from the shared corpora: real Go race output of one program before (v1) and
 * after (v2) a refactor, with `groups.json` naming the files that report the same race.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { analyse, LIKELY_DUPLICATE_THRESHOLD, raceSimilarity, SIGNATURE_VERSION } from '../../src/race/index.js';
import type { RaceSignature } from '../../src/race/index.js';

interface GroupsFile {
  notes?: Record<string, string>;
  groups: Record<string, string[]>;
  hard_negatives?: Array<[string, string]>;
}

interface Sighting {
  group: string;
  file: string;
  signature: RaceSignature;
}

function load(dir: string): { file: GroupsFile; sightings: Sighting[] } {
  const base = `/work/shared/corpus/${dir}`;
  const file = JSON.parse(readFileSync(`${base}/groups.json`, 'utf8')) as GroupsFile;
  const sightings = Object.entries(file.groups).flatMap(([group, files]) =>
    files.flatMap((name) => analyse(readFileSync(`${base}/${name}`, 'utf8')).map(({ signature }) => ({ group, file: name, signature }))),
  );
  return { file, sightings };
}

/** The one version-twin of a file: the same test before or after the refactor. */
const twin = (name: string) => (name.startsWith('v1-') ? name.replace('v1-', 'v2-') : name.replace('v2-', 'v1-'));

describe.each(['go-generated', 'go-kvdb'])('%s groups', (dir) => {
  const { file, sightings } = load(dir);
  const inlined = inlinedGroups(file);

  it('reads one full race from every file', () => {
    const files = Object.values(file.groups).flat();
    expect(new Set(sightings.map((s) => s.file))).toEqual(new Set(files));
    for (const s of sightings) expect(s.signature.partial).toBe(false);
  });

  it('gives one fingerprint per group, across the refactor', () => {
    for (const group of Object.keys(file.groups).filter((g) => !inlined.has(g))) {
      const fingerprints = new Set(sightings.filter((s) => s.group === group).map((s) => s.signature.fingerprint));
      expect({ group, fingerprints: [...fingerprints] }).toEqual({ group, fingerprints: [expect.stringMatching(new RegExp(`^${SIGNATURE_VERSION}:`))] });
    }
  });

  it('keeps the same test before and after the refactor on one fingerprint, inlined groups too', () => {
    for (const s of sightings) {
      const other = sightings.find((o) => o.file === twin(s.file));
      expect(other?.signature.fingerprint).toBe(s.signature.fingerprint);
    }
  });

  it('never gives two groups one fingerprint, nor a likely-duplicate score', () => {
    for (const a of sightings)
      for (const b of sightings) {
        if (a.group === b.group) continue;
        const pair = `${a.file} / ${b.file}`;
        expect({ pair, same: a.signature.fingerprint === b.signature.fingerprint }).toEqual({ pair, same: false });
        expect({ pair, likely: raceSimilarity(a.signature, b.signature) >= LIKELY_DUPLICATE_THRESHOLD }).toEqual({ pair, likely: false });
      }
  });
});

/** Groups the notes say an exact fingerprint may not see: the racing function was inlined away. */
function inlinedGroups(file: GroupsFile): Set<string> {
  return new Set(Object.keys(file.notes ?? {}).filter((name) => /inlined/.test(name) && name in file.groups));
}

describe('go-kvdb notes: the inlined group and the hard negative', () => {
  const { file, sightings } = load('go-kvdb');
  const inlined = inlinedGroups(file);

  it('is named in the notes', () => {
    expect([...inlined]).toEqual(['Executor.Hit (atomic, inlined) vs Executor.Stats']);
  });

  it('ranks its files closest to their own group, even leaving out the version twin', () => {
    const members = sightings.filter((x) => inlined.has(x.group));
    expect(members).toHaveLength(4);
    for (const s of members) {
      const ranked = sightings
        .filter((o) => o.file !== s.file && o.file !== twin(s.file))
        .map((o) => ({ group: o.group, score: raceSimilarity(s.signature, o.signature) }))
        .sort((x, y) => y.score - x.score);
      expect({ file: s.file, best: ranked[0]?.group }).toEqual({ file: s.file, best: s.group });
      expect(ranked[0]!.score).toBeGreaterThan(ranked.find((r) => r.group !== s.group)!.score);
    }
  });

  it('keeps hard negatives below the threshold', () => {
    expect(file.hard_negatives).toHaveLength(1);
    for (const [left, right] of file.hard_negatives ?? []) {
      const a = sightings.filter((s) => s.group === left);
      const b = sightings.filter((s) => s.group === right);
      expect(a.length * b.length).toBeGreaterThan(0);
      for (const x of a) for (const y of b) expect(raceSimilarity(x.signature, y.signature)).toBeLessThan(LIKELY_DUPLICATE_THRESHOLD - 0.2);
    }
  });
});
