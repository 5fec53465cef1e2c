/**
 * How alike two races, or two issues, are: a score in [0,1].
 *
 * Side against side: a weighted alignment (a longest common subsequence in which frame i
 * weighs FRAME_DECAY^i, and the top frame, the accessing function, TOP_FRAME_WEIGHT times
 * the frame below it) of the two key lists, scored like a Dice coefficient, so frames
 * near the top count most and an inserted or inlined frame costs little. Race against
 * race: the mean of the two side scores under the better of the two side pairings, so a
 * shared side with an unrelated other side scores at most 0.5. Equal full fingerprints
 * score 1. A partial signature scores its best side match, capped at PARTIAL_CAP.
 * docs/signature.md explains the constants and shows the figures on the shared corpora.
 */
import { CLOSURE_MARKER } from './go-symbol.js';
import { SIMILARITY_DEPTH } from './signature.js';
import type { RaceSignature } from './types.js';

/** At or above this race similarity, an earlier issue is listed as a likely duplicate. */
export const LIKELY_DUPLICATE_THRESHOLD = 0.75;
/** Weight ratio between a frame and the one above it. */
export const FRAME_DECAY = 0.8;
/** Weight of the top frame, the accessing function itself, relative to the frame below it. */
export const TOP_FRAME_WEIGHT = 2.5;
/** Highest score a partial signature can reach: it may be a likely duplicate, never an exact one. */
export const PARTIAL_CAP = 0.85;
/** Keys per side that go into the inverted index (see indexKeys for why 3 is enough). */
export const INDEX_DEPTH = 3;

const CLOSURE_SUFFIX = `.${CLOSURE_MARKER}`;

export function raceSimilarity(a: RaceSignature, b: RaceSignature): number {
  if (!a.partial && !b.partial && a.fingerprint === b.fingerprint) return 1;
  const [a0, a1] = a.sides.map((side) => side.keys);
  const [b0, b1] = b.sides.map((side) => side.keys);
  if (!a0 || !b0) return 0;
  if (a.partial || b.partial) {
    let best = 0;
    for (const x of a.sides) for (const y of b.sides) best = Math.max(best, sideSimilarity(x.keys, y.keys));
    return best * PARTIAL_CAP;
  }
  if (!a1 || !b1) return 0;
  const straight = (sideSimilarity(a0, b0) + sideSimilarity(a1, b1)) / 2;
  const crossed = (sideSimilarity(a0, b1) + sideSimilarity(a1, b0)) / 2;
  return Math.max(straight, crossed);
}

/**
 * Issue against issue: each race of the issue with fewer races is matched to its most
 * similar race in the other, and the scores are averaged. An issue that reports one race
 * of a longer issue therefore scores as high as that race matches.
 */
export function issueSimilarity(a: RaceSignature[], b: RaceSignature[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [fewer, more] = a.length <= b.length ? [a, b] : [b, a];
  let total = 0;
  for (const x of fewer) {
    let best = 0;
    for (const y of more) best = Math.max(best, raceSimilarity(x, y));
    total += best;
  }
  return total / fewer.length;
}

/**
 * Keys for the store's inverted index: the top INDEX_DEPTH keys of each side, plus the
 * outer and inner enclosing function of closure keys (so inlining renames meet).
 *
 * Why any pair scoring at or above the threshold shares a key: a full pair at 0.75 has a
 * side pair at 0.75 or more (the score is a mean). If two key lists share nothing in
 * their top 3, the monotone alignment leaves the top 3 of one list unmatched, which costs
 * at least 2 + 0.8 + 0.64 = 3.44 of a total weight of at most 2 x 5.16 (8 frames), so the
 * side score is at most 0.67. A partial pair needs a side at 0.75 / 0.85 or more, and an
 * exact pair shares its top keys. test/race/similarity.test.ts checks it on random
 * signatures and on the corpora.
 */
export function indexKeys(sig: RaceSignature): string[] {
  const keys = new Set<string>();
  for (const side of sig.sides) {
    for (const key of side.keys.slice(0, INDEX_DEPTH)) {
      keys.add(key);
      const closure = closureParts(key);
      if (closure) {
        keys.add(`${closure.pkg}.${closure.names[0]}${CLOSURE_SUFFIX}`);
        keys.add(`${closure.pkg}.${closure.names[closure.names.length - 1]}${CLOSURE_SUFFIX}`);
      }
    }
  }
  return [...keys];
}

/** Weighted Dice score of the best monotone alignment of two key lists, top first. */
export function sideSimilarity(fullA: readonly string[], fullB: readonly string[]): number {
  // Stored signatures are capped already; the cap here keeps the work bounded for any input.
  const a = fullA.slice(0, SIMILARITY_DEPTH);
  const b = fullB.slice(0, SIMILARITY_DEPTH);
  let total = 0;
  for (let i = 0; i < a.length; i++) total += frameWeight(i);
  for (let j = 0; j < b.length; j++) total += frameWeight(j);
  if (total === 0) return 0;
  // best[i][j]: highest matched weight aligning a[0..i) with b[0..j).
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      const diagonal = sameFrame(a[i - 1]!, b[j - 1]!) ? previous[j - 1]! + frameWeight(i - 1) + frameWeight(j - 1) : 0;
      row[j] = Math.max(previous[j]!, row[j - 1]!, diagonal);
    }
    previous = row;
  }
  return Math.min(1, previous[b.length]! / total); // rounding can overshoot 1 by an ulp
}

/** Weight of the frame at `depth` (0 = top) in a side's key list. */
function frameWeight(depth: number): number {
  return depth === 0 ? TOP_FRAME_WEIGHT * FRAME_DECAY : FRAME_DECAY ** depth;
}

/**
 * Equal keys, or two closures of one package whose enclosing chains are a prefix or suffix
 * of each other: Go >= 1.21 names a closure after the functions inlined around it
 * (`main.main.f.func1` for `main.f.func1`, and `main.main.func1` before that, golang/go#60324).
 */
function sameFrame(a: string, b: string): boolean {
  if (a === b) return true;
  const x = closureParts(a);
  const y = closureParts(b);
  if (!x || !y || x.pkg !== y.pkg) return false;
  const [short, long] = x.names.length <= y.names.length ? [x.names, y.names] : [y.names, x.names];
  const offset = long.length - short.length;
  return short.every((name, i) => name === long[i]) || short.every((name, i) => name === long[offset + i]);
}

/** `pkg/path.Outer.Inner.func*` -> `{ pkg: 'pkg/path', names: ['Outer', 'Inner'] }`. */
function closureParts(key: string): { pkg: string; names: string[] } | undefined {
  if (!key.endsWith(CLOSURE_SUFFIX)) return undefined;
  const chainText = key.slice(0, -CLOSURE_SUFFIX.length);
  const dot = chainText.indexOf('.', chainText.lastIndexOf('/') + 1);
  if (dot < 0) return undefined;
  const names = chainText.slice(dot + 1).split('.');
  return { pkg: chainText.slice(0, dot), names };
}
