import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { analyse, indexKeys, issueSimilarity, LIKELY_DUPLICATE_THRESHOLD, raceSimilarity, signRace } from '../../src/race/index.js';
import type { RaceSignature } from '../../src/race/index.js';
import { PARTIAL_CAP, sideSimilarity } from '../../src/race/similarity.js';
import { buildReport } from './build-report.js';

const P = 'example.com/kvdb/copr';
const stack = (...names: string[]) => names.map((n) => `${P}.${n}`);
const race = (a: string[], b: string[]) => signRace(buildReport([{ frames: a }, { frames: b }]));
const oneSided = (a: string[]) => signRace(buildReport([{ frames: a }], { partial: true }));

describe('side similarity', () => {
  const deep = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('is 1 for equal stacks and 0 for stacks with nothing in common', () => {
    expect(sideSimilarity(deep, deep)).toBe(1);
    expect(sideSimilarity(deep, ['x', 'y'])).toBe(0);
    expect(sideSimilarity([], deep)).toBe(0);
  });

  it('forgives an inlined or inserted frame', () => {
    expect(sideSimilarity(deep, deep.slice(1))).toBeGreaterThan(0.75);
    expect(sideSimilarity(deep, ['a', 'b', 'extra', 'c', 'd', 'e', 'f'])).toBeGreaterThan(0.85);
  });

  it('weighs frames near the top more', () => {
    const topDiffers = sideSimilarity(deep, ['z', ...deep.slice(1)]);
    const bottomDiffers = sideSimilarity(deep, [...deep.slice(0, -1), 'z']);
    expect(topDiffers).toBeLessThan(bottomDiffers);
  });
});

describe('race similarity', () => {
  const consume = stack('(*Tracker).Consume', '(*Worker).sendToRespCh', '(*Worker).handleTask', '(*Worker).run');
  const reset = stack('(*Session).ResetStmt', '(*Session).Execute', 'TestKill');

  it('matches the two sides as an unordered pair', () => {
    expect(raceSimilarity(race(consume, reset), race(reset, consume))).toBe(1);
  });

  it('scores equal full fingerprints 1 even when the callers differ', () => {
    const a = race(stack('(*Cart).Add', '(*Cart).AddAsync.func1'), stack('(*Cart).Total', 'TestCheckout'));
    const b = race(stack('(*Cart).Add', 'TestConcurrentAdd'), stack('(*Cart).Total', 'TestConcurrentAdd.func1'));
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(raceSimilarity(a, b)).toBe(1);
  });

  it('keeps a shared side with an unrelated other side clearly below the threshold', () => {
    const kill = race(stack('SendKill', 'TestKill.func1'), reset);
    const close = race(stack('(*Executor).Close', '(*Executor).CloseAsync.func1'), reset);
    expect(raceSimilarity(kill, close)).toBeLessThanOrEqual(0.5);
    expect(raceSimilarity(kill, close)).toBeLessThan(LIKELY_DUPLICATE_THRESHOLD - 0.2);
  });

  it('keeps a race whose top frame was inlined away above the threshold', () => {
    const inlined = race(consume.slice(1), reset);
    expect(raceSimilarity(race(consume, reset), inlined)).toBeGreaterThanOrEqual(LIKELY_DUPLICATE_THRESHOLD);
  });

  it('matches closures renamed by inlining across Go versions', () => {
    const other = ['main.reader'];
    const go120 = race(['main.main.func1'], other);
    const go121 = race(['main.main.f.func1'], other);
    const notInlined = race(['main.f.func1'], other);
    expect(raceSimilarity(go120, go121)).toBe(1);
    expect(raceSimilarity(notInlined, go121)).toBe(1);
    expect(raceSimilarity(race(['main.g.func1'], other), go121)).toBeLessThan(LIKELY_DUPLICATE_THRESHOLD);
  });

  it('lets a one-sided report match the side it shares, never as an exact duplicate', () => {
    const lost = oneSided(consume);
    expect(raceSimilarity(lost, race(consume, reset))).toBeCloseTo(PARTIAL_CAP);
    expect(raceSimilarity(lost, race(reset, consume))).toBeCloseTo(PARTIAL_CAP);
    expect(raceSimilarity(lost, oneSided(consume))).toBeCloseTo(PARTIAL_CAP);
    expect(PARTIAL_CAP).toBeLessThan(1);
    expect(PARTIAL_CAP).toBeGreaterThanOrEqual(LIKELY_DUPLICATE_THRESHOLD);
    expect(raceSimilarity(lost, race(reset, stack('Unrelated')))).toBe(0);
  });

  it('is symmetric and stays in [0, 1]', () => {
    fc.assert(
      fc.property(arbitrarySignature, arbitrarySignature, (a, b) => {
        const s = raceSimilarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(raceSimilarity(b, a)).toBeCloseTo(s, 12);
      }),
    );
  });
});

describe('issue similarity', () => {
  const a = race(stack('A'), stack('B'));
  const c = race(stack('C'), stack('D'));
  const e = race(stack('E'), stack('F'));

  it('is 0 when either issue has no race', () => {
    expect(issueSimilarity([], [a])).toBe(0);
    expect(issueSimilarity([a], [])).toBe(0);
  });

  it('scores an issue that reports one race of another as that race matches', () => {
    expect(issueSimilarity([a], [c, a])).toBe(1);
    expect(issueSimilarity([c, a], [a])).toBe(1);
  });

  it('averages the best matches of the issue with fewer races', () => {
    expect(issueSimilarity([a, c], [a, e, race(stack('X'), stack('Y'))])).toBeCloseTo(0.5);
    expect(issueSimilarity([a, c], [c, a])).toBe(1);
  });
});

/** Signatures over a small alphabet, closures with inlining renames included, so keys collide often. */
const alphabet = ['p.A', 'p.B', 'p.C', 'p.D', 'p.E', 'p.F.func*', 'p.G.F.func*', 'p.F.H.func*', 'p.G.func*'];
const keyList = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 8 });
const arbitrarySignature: fc.Arbitrary<RaceSignature> = fc
  .tuple(keyList, fc.option(keyList, { freq: 4 }), fc.boolean())
  .map(([a, b, sameFingerprint]) => {
    const sides = [a, ...(b ? [b] : [])].map((keys) => ({ keys, kind: 'read' as const }));
    const partial = sides.length < 2;
    const id = sameFingerprint ? 'same' : sides.map((s) => s.keys.join('|')).join('~');
    return { fingerprint: `${partial ? 'v1p' : 'v1'}:${id}`, title: '', partial, sides, packages: [] };
  });

describe('index keys', () => {
  const shareKey = (a: RaceSignature, b: RaceSignature) => {
    const keys = new Set(indexKeys(a));
    return indexKeys(b).some((k) => keys.has(k));
  };

  it('are shared by every pair at or above the threshold (random signatures)', () => {
    fc.assert(
      fc.property(arbitrarySignature, arbitrarySignature, (a, b) => {
        fc.pre(a.fingerprint !== b.fingerprint || a.partial);
        if (raceSimilarity(a, b) >= LIKELY_DUPLICATE_THRESHOLD) expect(shareKey(a, b)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('are shared by every pair at or above the threshold (seeds and corpora)', () => {
    const sigs = realSignatures();
    let above = 0;
    for (const a of sigs)
      for (const b of sigs) {
        if (a !== b && raceSimilarity(a, b) >= LIKELY_DUPLICATE_THRESHOLD) {
          above++;
          expect(shareKey(a, b)).toBe(true);
        }
      }
    expect(above).toBeGreaterThan(sigs.length);
  });

  it('hold the top keys of each side and the enclosing functions of closures', () => {
    const keys = indexKeys(race(stack('A', 'B', 'C', 'D'), ['main.main.f.func1']));
    expect(keys).toEqual(expect.arrayContaining(['copr.A', 'copr.B', 'copr.C', 'main.main.f.func*', 'main.main.func*', 'main.f.func*']));
    expect(keys).not.toContain('copr.D');
  });
});

function realSignatures(): RaceSignature[] {
  const files = [
    ...readdirSync('/work/shared/seeds').map((n) => `/work/shared/seeds/${n}`),
    ...['go-generated', 'go-kvdb'].flatMap((dir) =>
      readdirSync(`/work/shared/corpus/${dir}`)
        .filter((n) => n.endsWith('.txt'))
        .map((n) => `/work/shared/corpus/${dir}/${n}`),
    ),
  ];
  return files.flatMap((file) => analyse(readFileSync(file, 'utf8'), { ignoreFrames: ['testkit.'] }).map((r) => r.signature));
}
