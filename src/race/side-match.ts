/**
 * One access side against another: which frames are the same, and how much of the two
 * stacks could be compared at all. What a paste does not show is unknown, not different:
 * when one side stops because the text was cut, the other side's frames below that point
 * are left out of the comparison, and when one side starts inside its stack (its header was
 * cut), the other's frames above the first shared one are left out.
 *
 * The score is a weighted Dice coefficient over what could be compared: matched weight on
 * both sides over compared weight on both sides, frames weighed by frame-weight.ts. The
 * alignment is a weighted longest common subsequence, so an inlined or inserted frame costs
 * little. Frames whose key changed (a moved type, a bundled package, a renamed function)
 * match at RENAMED_CREDIT, and only where the rest of the stack vouches for them.
 */
import { frameParts, sameCodeRenamed, sharesAPart } from './frame-parts.js';
import { CREATION_KEY_PREFIX, frameWeight, OPERATION_WEIGHT } from './frame-weight.js';
import { CLOSURE_MARKER } from './go-symbol.js';

/** Frames per side compared; stored signatures keep no more. */
export const MATCH_DEPTH = 8;
/** Credit for a frame matched by its parts instead of its key. */
export const RENAMED_CREDIT = 0.75;
/** Identical callers needed before a different top frame may count as the same one, renamed. */
export const RENAMED_TOP_MIN_CALLERS = 5;
/** Identical frames needed before renamed callers count. */
export const RENAMED_CALLER_MIN_SAME = 3;
/** Matched frames at the same file and line that mark two reports as coming from one build. */
export const SAME_BUILD_FRAMES = 3;
/**
 * Factor on the score of two sides whose access kinds are both known and differ: one statement
 * reads or writes, so the same stack with the other kind is likely another statement (a
 * read-modify-write can show as either, so it is a discount, not a verdict).
 */
export const KIND_MISMATCH = 0.9;

/** What side-match needs of a side (a `SideSignature`). */
export interface ComparableSide {
  /** Significant frame keys, top first. */
  keys: readonly string[];
  /** `file:line` per key, '' when not printed. */
  locations?: readonly string[];
  cutAbove?: boolean;
  cutBelow?: boolean;
  /** Instrumentation dropped from the top (`atomic AddInt64`). */
  op?: string;
  /** `read`, `write`, or `unknown` when the access line was not pasted. */
  kind?: string;
}

/** What the repository's index knows about frames, for weighing them. */
export interface MatchContext {
  /** How many different races of the repository pass through a key; 1 (or absent) when only this one. */
  racesThrough?: (key: string) => number;
}

export interface FramePair {
  /** Index in the first side's keys. */
  a: number;
  /** Index in the second side's keys. */
  b: number;
  how: 'same' | 'renamed';
}

export interface SideMatch {
  /** Matched weight over compared weight, in [0,1]. */
  score: number;
  /** Weight matched, both sides added. */
  matched: number;
  /** Weight compared, both sides added: frames the other paste did not show are not in it. */
  compared: number;
  /** How much matched, in frame weights (the top frame of a rare stack weighs 2). */
  evidence: number;
  pairs: FramePair[];
  /** Frames of each side that could be compared, `[first, last]` (inclusive) by index. */
  comparedA: [number, number];
  comparedB: [number, number];
  /** One build (SAME_BUILD_FRAMES frames at the same lines) and the top frames at different lines: two statements. */
  differentStatement: boolean;
  /** Both kinds known, and one side reads where the other writes. */
  kindsDiffer: boolean;
}

type Credit = (i: number, j: number) => number;

const locationAt = (side: ComparableSide, i: number): string => side.locations?.[i] ?? '';

/**
 * Weights at the side's own depths are asked for once per candidate the side is compared with,
 * and a lookup compares the query's sides with dozens of candidates: kept per context.
 */
const ownDepthWeights = new WeakMap<MatchContext, WeakMap<ComparableSide, number[]>>();
const NO_CONTEXT: MatchContext = {};

function weights(side: ComparableSide, keys: string[], offset: number, context: MatchContext): number[] {
  if (offset === 0) {
    let cache = ownDepthWeights.get(context);
    if (!cache) ownDepthWeights.set(context, (cache = new WeakMap()));
    const known = cache.get(side);
    if (known) return known;
    const computed = weighAt(side, keys, 0, context);
    cache.set(side, computed);
    return computed;
  }
  return weighAt(side, keys, offset, context);
}

function weighAt(side: ComparableSide, keys: string[], offset: number, context: MatchContext): number[] {
  const out = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const races = Math.max(1, context.racesThrough?.(key) ?? 1);
    out[i] = frameWeight({ key, depth: i + offset, belowOperation: !!side.op && i === 0 && !side.cutAbove, races });
  }
  return out;
}

export function matchSides(a: ComparableSide, b: ComparableSide, context: MatchContext = NO_CONTEXT): SideMatch {
  const keysA = a.keys.length > MATCH_DEPTH ? a.keys.slice(0, MATCH_DEPTH) : (a.keys as string[]);
  const keysB = b.keys.length > MATCH_DEPTH ? b.keys.slice(0, MATCH_DEPTH) : (b.keys as string[]);
  const at = locationAt;
  const m = keysB.length;
  const provisionalA = weights(a, keysA, 0, context);
  const provisionalB = weights(b, keysB, 0, context);
  const byWeight = (i: number, j: number) => provisionalA[i]! + provisionalB[j]!;

  // Key equality is the costly test (closure chains are compared by parts): once per cell.
  const equal = new Uint8Array(keysA.length * m);
  let anyEqual = false;
  for (let i = 0; i < keysA.length; i++) {
    for (let j = 0; j < m; j++) {
      if (!sameFrameKey(keysA[i]!, keysB[j]!)) continue;
      equal[i * m + j] = 1;
      anyEqual = true;
    }
  }
  const same: Credit = (i, j) => equal[i * m + j]!;
  // Most sides a lookup compares share no frame at all: nothing to align (and nothing renamed,
  // which needs shared callers).
  let pairs = anyEqual ? align(keysA.length, m, same, byWeight) : [];

  // One build: the code is the same, so equal keys at different lines are different statements.
  const sameBuild = pairs.filter((p) => at(a, p.a) !== '' && at(a, p.a) === at(b, p.b)).length >= SAME_BUILD_FRAMES;
  const topPair = pairs.find((p) => p.a === 0 && p.b === 0);
  const differentStatement =
    sameBuild && topPair !== undefined && !a.cutAbove && !b.cutAbove && at(a, 0) !== '' && at(b, 0) !== '' && at(a, 0) !== at(b, 0);
  if (differentStatement) pairs = pairs.filter((p) => p !== topPair);

  // Renamed frames happen between builds, and count only where enough of the stack is the same.
  if (!sameBuild) {
    const topSame = topPair !== undefined;
    const callers = pairs.filter((p) => p.a > 0 && p.b > 0).length;
    const renamedTop = !topSame && !a.cutAbove && !b.cutAbove && keysA.length > 0 && keysB.length > 0 && callers >= RENAMED_TOP_MIN_CALLERS;
    const renamedCallers = (topSame || renamedTop) && pairs.length >= RENAMED_CALLER_MIN_SAME;
    if (renamedTop || renamedCallers) {
      const partsA = keysA.map(frameParts);
      const partsB = keysB.map(frameParts);
      const fileOf = (side: ComparableSide, i: number) => at(side, i).replace(/:\d+$/, '');
      const credit: Credit = (i, j) => {
        if (same(i, j)) return 1;
        if (keysA[i]!.startsWith(CREATION_KEY_PREFIX) || keysB[j]!.startsWith(CREATION_KEY_PREFIX)) return 0;
        if (i === 0 && j === 0) return renamedTop && sharesAPart(partsA[0]!, partsB[0]!, fileOf(a, 0), fileOf(b, 0)) ? RENAMED_CREDIT : 0;
        return renamedCallers && i > 0 && j > 0 && sameCodeRenamed(partsA[i]!, partsB[j]!) ? RENAMED_CREDIT : 0;
      };
      pairs = align(keysA.length, keysB.length, credit, byWeight).map((p) => ({ ...p, how: same(p.a, p.b) ? 'same' : 'renamed' }));
    }
  }

  // A side that starts inside its stack sits that many frames below the top of the other.
  const first = pairs[0];
  const last = pairs[pairs.length - 1];
  const offsetA = a.cutAbove && first ? Math.max(0, first.b - first.a) : 0;
  const offsetB = b.cutAbove && first ? Math.max(0, first.a - first.b) : 0;
  const weightsA = offsetA === 0 ? provisionalA : weights(a, keysA, offsetA, context);
  const weightsB = offsetB === 0 ? provisionalB : weights(b, keysB, offsetB, context);
  const comparedA = window(keysA.length, keysB.length, b, first && [first.a, first.b], last && [last.a, last.b]);
  const comparedB = window(keysB.length, keysA.length, a, first && [first.b, first.a], last && [last.b, last.a]);

  let matched = 0;
  for (const p of pairs) matched += (p.how === 'same' ? 1 : RENAMED_CREDIT) * (weightsA[p.a]! + weightsB[p.b]!);
  let compared = sum(weightsA, comparedA) + sum(weightsB, comparedB);
  if (a.op && b.op) {
    compared += 2 * OPERATION_WEIGHT;
    if (a.op === b.op) matched += 2 * OPERATION_WEIGHT;
  } else if (a.op ?? b.op) {
    // An operation above the other side's first frame is unknown when that side starts mid-stack.
    const other = a.op ? b : a;
    if (!other.cutAbove) compared += OPERATION_WEIGHT;
  }

  const known = (kind: string | undefined) => kind === 'read' || kind === 'write';
  const kindsDiffer = known(a.kind) && known(b.kind) && a.kind !== b.kind;
  return {
    score: compared > 0 ? Math.min(1, matched / compared) * (kindsDiffer ? KIND_MISMATCH : 1) : 0,
    matched,
    compared,
    evidence: matched / 2,
    pairs,
    comparedA,
    comparedB,
    differentStatement,
    kindsDiffer,
  };
}

/**
 * The frames of one side (`length` of them) that the other side's paste lets us compare. Below
 * the last shared frame, the other side showed `otherLength - 1 - last[1]` more frames; when it
 * was cut there, this side's frames beyond as many are unknown. Above the first shared frame
 * likewise when the other side starts inside its stack.
 */
function window(
  length: number,
  otherLength: number,
  other: ComparableSide,
  first: readonly [number, number] | undefined,
  last: readonly [number, number] | undefined,
): [number, number] {
  let from = 0;
  let to = length - 1;
  if (other.cutBelow) to = Math.min(to, last ? last[0] + (otherLength - 1 - last[1]) : otherLength - 1);
  if (other.cutAbove && first) from = Math.max(0, first[0] - first[1]);
  return [from, Math.max(from - 1, to)];
}

function sum(weights: number[], [from, to]: [number, number]): number {
  let total = 0;
  for (let i = from; i <= to; i++) total += weights[i] ?? 0;
  return total;
}

/**
 * The alignment of two key lists with the most weight matched: a longest common subsequence
 * where pair (i, j) is worth `credit(i, j) * weight(i, j)`. Lists are at most MATCH_DEPTH long.
 */
function align(n: number, m: number, credit: Credit, weight: (i: number, j: number) => number): FramePair[] {
  const width = m + 1;
  const best = new Float64Array((n + 1) * width);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const c = credit(i - 1, j - 1);
      const diagonal = c > 0 ? best[(i - 1) * width + j - 1]! + c * weight(i - 1, j - 1) : 0;
      best[i * width + j] = Math.max(best[(i - 1) * width + j]!, best[i * width + j - 1]!, diagonal);
    }
  }
  const pairs: FramePair[] = [];
  for (let i = n, j = m; i > 0 && j > 0; ) {
    const c = credit(i - 1, j - 1);
    const here = best[i * width + j]!;
    if (c > 0 && here === best[(i - 1) * width + j - 1]! + c * weight(i - 1, j - 1)) {
      pairs.push({ a: i - 1, b: j - 1, how: 'same' });
      i--;
      j--;
    } else if (here === best[(i - 1) * width + j]) i--;
    else j--;
  }
  return pairs.reverse();
}

const CLOSURE_SUFFIX = `.${CLOSURE_MARKER}`;

/**
 * Equal keys, or two closures of one package whose enclosing chains are a prefix or suffix
 * of each other: Go >= 1.21 names a closure after the functions inlined around it
 * (`main.main.f.func1` for `main.f.func1`, and `main.main.func1` before that, golang/go#60324).
 */
export function sameFrameKey(a: string, b: string): boolean {
  if (a === b) return true;
  const x = closureParts(a);
  const y = closureParts(b);
  if (!x || !y || x.pkg !== y.pkg) return false;
  const [short, long] = x.names.length <= y.names.length ? [x.names, y.names] : [y.names, x.names];
  const offset = long.length - short.length;
  return short.every((name, i) => name === long[i]) || short.every((name, i) => name === long[offset + i]);
}

/** Parsed closure keys: key equality asks about the same few hundred keys again and again. */
const closureMemo = new Map<string, { pkg: string; names: string[] } | undefined>();
const CLOSURE_MEMO_SIZE = 4096;

/** `pkg/path.Outer.Inner.func*` -> `{ pkg: 'pkg/path', names: ['Outer', 'Inner'] }`. */
export function closureParts(key: string): { pkg: string; names: string[] } | undefined {
  if (!key.endsWith(CLOSURE_SUFFIX)) return undefined;
  if (closureMemo.has(key)) return closureMemo.get(key);
  const parts = parseClosure(key);
  if (closureMemo.size >= CLOSURE_MEMO_SIZE) closureMemo.clear();
  closureMemo.set(key, parts);
  return parts;
}

function parseClosure(key: string): { pkg: string; names: string[] } | undefined {
  const chainText = key.slice(0, -CLOSURE_SUFFIX.length);
  const dot = chainText.indexOf('.', chainText.lastIndexOf('/') + 1);
  if (dot < 0) return undefined;
  const names = chainText.slice(dot + 1).split('.');
  return { pkg: chainText.slice(0, dot), names };
}
