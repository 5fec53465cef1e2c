import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { analyse, indexKeys, issueSimilarity, LIKELY_DUPLICATE_THRESHOLD, raceSimilarity, signRace } from '../../src/race/index.js';
import type { RaceSignature } from '../../src/race/index.js';
import { EVIDENCE_FLOOR, matchRaces, NOT_EXACT_CAP, ONE_SIDED_CAP } from '../../src/race/similarity.js';
import { KIND_MISMATCH, matchSides, RENAMED_CREDIT } from '../../src/race/side-match.js';
import { buildReport } from './build-report.js';

const P = 'example.com/kvdb/copr';
const stack = (...names: string[]) => names.map((n) => `${P}.${n}`);
const race = (a: string[], b: string[]) => signRace(buildReport([{ frames: a }, { frames: b }]));
const oneSided = (a: string[]) => signRace(buildReport([{ frames: a }], { partial: true }));
const side = (keys: string[], extra: { cutAbove?: boolean; cutBelow?: boolean; locations?: string[]; op?: string } = {}) => ({ keys, ...extra });
const score = (a: ReturnType<typeof side>, b: ReturnType<typeof side>, racesThrough?: (key: string) => number) =>
  matchSides(a, b, racesThrough ? { racesThrough } : {}).score;

describe('side match', () => {
  const deep = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('is 1 for equal stacks and 0 for stacks with nothing in common', () => {
    expect(score(side(deep), side(deep))).toBe(1);
    expect(score(side(deep), side(['x', 'y']))).toBe(0);
    expect(score(side([]), side(deep))).toBe(0);
  });

  it('forgives an inlined or inserted frame', () => {
    expect(score(side(deep), side(deep.slice(1)))).toBeGreaterThan(0.6);
    expect(score(side(deep), side(['a', 'b', 'extra', 'c', 'd', 'e', 'f']))).toBeGreaterThan(0.85);
  });

  it('weighs frames near the top more', () => {
    expect(score(side(deep), side(['z', ...deep.slice(1)]))).toBeLessThan(score(side(deep), side([...deep.slice(0, -1), 'z'])));
  });

  it('treats frames a cut paste does not show as unknown, not different', () => {
    // Complete, the two stacks differ below their second frame; cut there, nothing is known to differ.
    expect(score(side(['a', 'b']), side(deep))).toBeLessThan(0.8);
    expect(score(side(['a', 'b'], { cutBelow: true }), side(deep))).toBe(1);
    expect(score(side(deep), side(['a', 'b'], { cutBelow: true }))).toBe(1);
    // A frame the cut paste does show still counts against it.
    expect(score(side(['a', 'x'], { cutBelow: true }), side(deep))).toBeLessThan(0.75);
  });

  it('compares a stack that starts inside its stack against the frames below the first shared one', () => {
    expect(score(side(['c', 'd', 'e', 'f'], { cutAbove: true }), side(deep))).toBe(1);
    expect(score(side(['c', 'd', 'e', 'f']), side(deep))).toBeLessThan(0.7);
  });

  it('matches a frame renamed by the Go bundler or a moved type, when the rest of the stack agrees', () => {
    const bundled = ['bufio.(*Writer).Write', 'net/http.(*http2responseWriter).write', 'net/http.(*http2responseWriter).Write', 'net/http.HandlerFunc.ServeHTTP', 'net/http.serverHandler.ServeHTTP'];
    const original = ['bufio.(*Writer).Write', 'http2.(*responseWriter).write', 'http2.(*responseWriter).Write', 'net/http.HandlerFunc.ServeHTTP', 'net/http.serverHandler.ServeHTTP'];
    const match = matchSides(side(original), side(bundled));
    expect(match.pairs.map((p) => p.how)).toEqual(['same', 'renamed', 'renamed', 'same', 'same']);
    expect(match.score).toBeGreaterThan(0.85);
    expect(RENAMED_CREDIT).toBeLessThan(1);
    // Two methods of different types in one package are different code.
    const json = ['logrus.(*JSONFormatter).Format', 'logrus.(*Entry).Reader', 'logrus.(*Entry).log', 'logrus.(*Entry).Error'];
    const text = ['logrus.(*TextFormatter).Format', 'logrus.(*Entry).Reader', 'logrus.(*Entry).log', 'logrus.(*Entry).Error'];
    expect(matchSides(side(json), side(text)).pairs.every((p) => p.how === 'same' && p.a > 0)).toBe(true);
    expect(score(side(json), side(text))).toBeLessThan(0.6);
  });

  it('lets a renamed accessing function match only with five identical callers, in another build', () => {
    const callers = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const before = side(['cache.(*LRU).Get', ...callers]);
    const after = side(['cache/lru.(*Cache).Get', ...callers]);
    expect(matchSides(before, after).pairs[0]).toEqual({ a: 0, b: 0, how: 'renamed' });
    expect(score(before, after)).toBeGreaterThan(0.75);
    expect(matchSides(side(['cache.(*LRU).Get', ...callers.slice(1)]), side(['cache/lru.(*Cache).Get', ...callers.slice(1)])).pairs[0]!.a).toBeGreaterThan(0);
    // One build (the same lines everywhere): a different top frame is different code, not a rename.
    const lines = ['x.go:1', 'y.go:2', 'y.go:3', 'y.go:4', 'y.go:5', 'y.go:6'];
    expect(matchSides({ ...before, locations: lines }, { ...after, locations: lines }).pairs.every((p) => p.a > 0)).toBe(true);
  });

  it('tells two statements of one build apart: the same function at another line, the same callers at the same lines', () => {
    const keys = ['vm/pipeline.(*Pipeline).Run', 'compile.(*Scope).Run', 'compile.(*Scope).ParallelRun', 'compile.(*Scope).RemoteRun'];
    const at = (top: string) => [top, 'scope.go:205', 'scope.go:425', 'scope.go:351'];
    const apart = matchSides(side(keys, { locations: at('pipeline.go:58') }), side(keys, { locations: at('pipeline.go:59') }));
    expect(apart.differentStatement).toBe(true);
    expect(apart.score).toBeLessThan(0.6);
    // Lines that drifted between builds are not a different statement.
    const drifted = matchSides(side(keys, { locations: ['pipeline.go:58', 'scope.go:205', 'scope.go:425', 'scope.go:351'] }), side(keys, { locations: ['pipeline.go:61', 'scope.go:209', 'scope.go:425', 'scope.go:355'] }));
    expect(drifted.differentStatement).toBe(false);
    expect(drifted.score).toBe(1);
  });

  it('weighs a frame many races of the repository pass through less than a rare one', () => {
    const query = side(['hub', 'rare1'], { cutBelow: true });
    const other = side(['hub', 'rare2', 'x']);
    const common = matchSides(query, other, { racesThrough: (k) => (k === 'hub' ? 6 : 1) });
    const rare = matchSides(query, other);
    expect(common.score).toBeLessThan(rare.score);
    expect(common.evidence).toBeLessThan(rare.evidence);
  });

  it('discounts two stacks of the same code where one reads and the other writes', () => {
    const reading = matchSides({ ...side(deep), kind: 'read' }, { ...side(deep), kind: 'write' });
    expect(reading.kindsDiffer).toBe(true);
    expect(reading.score).toBeCloseTo(KIND_MISMATCH);
    // A side whose access line was cut off has no kind to disagree with.
    expect(matchSides({ ...side(deep), kind: 'unknown' }, { ...side(deep), kind: 'write' }).score).toBe(1);
  });

  it('weighs the test that caught a race, and the instrumentation on top, lightly', () => {
    // The same atomic add inlined into two tests.
    const a = side(['kvdb.TestStatsWhileRunning.func*'], { op: 'atomic Add' });
    const b = side(['kvdb.TestRuntimeStats'], { op: 'atomic Add' });
    expect(matchSides(a, b).matched).toBeGreaterThan(0);
    expect(matchSides(a, b).compared).toBeLessThan(2);
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
    expect(raceSimilarity(kill, close)).toBeLessThanOrEqual(0.55);
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
    expect(raceSimilarity(go120, go121)).toBeCloseTo(NOT_EXACT_CAP);
    expect(raceSimilarity(notInlined, go121)).toBeCloseTo(NOT_EXACT_CAP);
    expect(raceSimilarity(race(['main.g.func1'], other), go121)).toBeLessThan(LIKELY_DUPLICATE_THRESHOLD);
  });

  it('lets a one-sided report match the side it shares, never as an exact duplicate', () => {
    const lost = oneSided(consume);
    expect(raceSimilarity(lost, race(consume, reset))).toBeCloseTo(ONE_SIDED_CAP);
    expect(raceSimilarity(lost, race(reset, consume))).toBeCloseTo(ONE_SIDED_CAP);
    expect(raceSimilarity(lost, oneSided(consume))).toBeCloseTo(ONE_SIDED_CAP);
    expect(matchRaces(lost, oneSided(consume)).exact).toBe(false);
    expect(ONE_SIDED_CAP).toBeLessThan(1);
    expect(ONE_SIDED_CAP).toBeGreaterThanOrEqual(LIKELY_DUPLICATE_THRESHOLD);
    expect(raceSimilarity(lost, race(reset, stack('Unrelated')))).toBe(0);
  });

  it('finds a report cut after two frames of one side in the full report of its race', () => {
    const cut = signRace(buildReport([{ frames: consume.slice(0, 2), cutBelow: true }], { partial: true }));
    const full = race([...consume.slice(0, 2), ...stack('OtherCaller', 'Deeper')], reset);
    expect(raceSimilarity(cut, full)).toBeGreaterThanOrEqual(LIKELY_DUPLICATE_THRESHOLD);
  });

  it('never lets one common frame carry a match on its own', () => {
    const hub = stack('ResetStmt');
    const cutA = signRace(buildReport([{ frames: hub, cutBelow: true }], { partial: true }));
    const cutB = signRace(buildReport([{ frames: [...hub, ...stack('Other')], cutBelow: true }], { partial: true }));
    const common = matchRaces(cutA, cutB, { racesThrough: () => 5 });
    expect(common.score).toBeLessThan(LIKELY_DUPLICATE_THRESHOLD);
    expect(matchRaces(cutA, cutB).score).toBeGreaterThanOrEqual(LIKELY_DUPLICATE_THRESHOLD);
    expect(EVIDENCE_FLOOR).toBeGreaterThan(0);
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
    const sides = [a, ...(b ? [b] : [])].map((keys, i) => ({ keys, kind: 'read' as const, ...(i === 1 && keys.length < 3 ? { cutBelow: true } : {}) }));
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
