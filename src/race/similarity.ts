/**
 * How alike two races, or two issues, are: a score in [0,1], and what it rests on.
 *
 * Race against race: the sides are paired up (the unordered pair, so both pairings are
 * tried) and the side scores averaged, each weighed by how much it could compare (capped),
 * over the sides both reports show. A side one report does not show (cut off, `[failed to restore the
 * stack]`) is unknown, not different: it leaves the comparison, and the score is capped at
 * ONE_SIDED_CAP, because a race seen from one side may be any race through that side.
 * A shared side with an unrelated other side scores about 0.5. Below EVIDENCE_FLOOR matched
 * weight the score shrinks in proportion, so one common frame never carries a match on its
 * own. "Same signature" stays what it is: equal full fingerprints, and then the score is 1.
 * docs/signature.md explains the constants and shows the figures on the corpora.
 */
import { isTestFunction, positionWeight } from './frame-weight.js';
import { CLOSURE_MARKER } from './go-symbol.js';
import { closureParts, matchSides, type MatchContext, type SideMatch } from './side-match.js';
import type { RaceSignature, SideSignature } from './types.js';

export type { MatchContext, SideMatch } from './side-match.js';

/** At or above this race similarity, an earlier issue is listed as a likely duplicate. */
export const LIKELY_DUPLICATE_THRESHOLD = 0.75;
/** Highest score when one of the two reports shows one side only: a likely duplicate, never an exact one. */
export const ONE_SIDED_CAP = 0.9;
/** Highest score of two races that do not share a full fingerprint. */
export const NOT_EXACT_CAP = 0.99;
/** Matched weight (a rare top frame weighs 2) under which a score is scaled down in proportion. */
export const EVIDENCE_FLOOR = 1.5;
/** Most a side pair weighs in a race's score: both sides' top frame and first caller. */
export const SIDE_WEIGHT_CAP = 2 * (positionWeight(0) + positionWeight(1));
/** Keys per side that go into the inverted index (see indexKeys for why 3 is enough). */
export const INDEX_DEPTH = 3;

const CLOSURE_SUFFIX = `.${CLOSURE_MARKER}`;

/** One pair of sides that was compared. */
export interface ComparedSides {
  /** Index into the first race's `sides`. */
  a: number;
  /** Index into the second race's `sides`. */
  b: number;
  match: SideMatch;
}

export interface RaceMatch {
  score: number;
  /** Equal full fingerprints (and not two statements of one build). */
  exact: boolean;
  /** The sides compared, in the pairing that scored best. */
  compared: ComparedSides[];
  /** True when one of the two reports shows a single side, so the other side could not be compared. */
  oneSided: boolean;
}

export function matchRaces(a: RaceSignature, b: RaceSignature, context: MatchContext = {}): RaceMatch {
  const pairings = sidePairings(a.sides.length, b.sides.length);
  let best: RaceMatch = { score: 0, exact: false, compared: [], oneSided: a.sides.length < 2 || b.sides.length < 2 };
  let bestEvidence = -1;
  for (const pairing of pairings) {
    const compared = pairing.map(([i, j]) => ({ a: i, b: j, match: symmetricMatch(a.sides[i]!, b.sides[j]!, context) }));
    // Each side pair counts by how much it could compare, up to SIDE_WEIGHT_CAP: a side of
    // harness frames or bare instrumentation counts less, and a long shared stack cannot
    // outweigh a different accessing function on the other side.
    const weights = compared.map((c) => Math.min(c.match.compared, SIDE_WEIGHT_CAP));
    const weight = weights.reduce((total, w) => total + w, 0);
    const evidence = compared.reduce((total, c) => total + c.match.evidence, 0);
    const pooled = weight > 0 ? compared.reduce((total, c, i) => total + c.match.score * weights[i]!, 0) / weight : 0;
    if (pooled > best.score || (pooled === best.score && evidence > bestEvidence)) {
      best = { ...best, score: pooled, compared };
      bestEvidence = evidence;
    }
  }
  const differentStatement = best.compared.some((c) => c.match.differentStatement);
  const exact = !a.partial && !b.partial && a.fingerprint === b.fingerprint && !differentStatement;
  if (exact) return { ...best, score: 1, exact };
  let score = Math.min(best.score, best.oneSided ? ONE_SIDED_CAP : NOT_EXACT_CAP);
  if (bestEvidence < EVIDENCE_FLOOR) score *= Math.max(0, bestEvidence) / EVIDENCE_FLOOR;
  return { ...best, score, exact };
}

export function raceSimilarity(a: RaceSignature, b: RaceSignature, context: MatchContext = {}): number {
  return matchRaces(a, b, context).score;
}

/**
 * Alignments can tie; matching the two sides in one canonical order makes the score the same
 * whichever report asks. The frame pairs come back in the caller's order.
 */
function symmetricMatch(x: SideSignature, y: SideSignature, context: MatchContext): SideMatch {
  const key = (side: SideSignature) => JSON.stringify([side.keys, side.locations ?? [], !!side.cutAbove, !!side.cutBelow, side.op ?? '']);
  if (key(x) <= key(y)) return matchSides(x, y, context);
  const m = matchSides(y, x, context);
  return { ...m, pairs: m.pairs.map((p) => ({ a: p.b, b: p.a, how: p.how })), comparedA: m.comparedB, comparedB: m.comparedA };
}

/** Side index pairs to try: both orders of a two-sided pair; every side of the other race for a one-sided one. */
function sidePairings(n: number, m: number): Array<Array<[number, number]>> {
  if (n === 0 || m === 0) return [];
  if (n >= 2 && m >= 2) {
    return [
      [
        [0, 0],
        [1, 1],
      ],
      [
        [0, 1],
        [1, 0],
      ],
    ];
  }
  const pairings: Array<Array<[number, number]>> = [];
  for (let i = 0; i < Math.min(n, 2); i++) for (let j = 0; j < Math.min(m, 2); j++) pairings.push([[i, j]]);
  return pairings;
}

/** The best match of each race of `a` among the races of `b`. */
export interface IssueMatch {
  score: number;
  /** Per race of the issue with fewer races: its best match, and the index of that race in the other issue. */
  races: Array<{ a: number; b: number; match: RaceMatch }>;
}

/**
 * Issue against issue: each race of the issue with fewer races is matched to its most
 * similar race in the other, and the scores are averaged. An issue that reports one race
 * of a longer issue therefore scores as high as that race matches.
 */
export function matchIssues(a: RaceSignature[], b: RaceSignature[], context: MatchContext = {}): IssueMatch {
  if (a.length === 0 || b.length === 0) return { score: 0, races: [] };
  const swapped = a.length > b.length;
  const [fewer, more] = swapped ? [b, a] : [a, b];
  const races: IssueMatch['races'] = [];
  let total = 0;
  fewer.forEach((x, i) => {
    let found: { j: number; match: RaceMatch } | undefined;
    more.forEach((y, j) => {
      const match = swapped ? matchRaces(y, x, context) : matchRaces(x, y, context);
      if (!found || match.score > found.match.score) found = { j, match };
    });
    total += found!.match.score;
    races.push(swapped ? { a: found!.j, b: i, match: found!.match } : { a: i, b: found!.j, match: found!.match });
  });
  return { score: total / fewer.length, races };
}

export function issueSimilarity(a: RaceSignature[], b: RaceSignature[], context: MatchContext = {}): number {
  return matchIssues(a, b, context).score;
}

/**
 * Keys for the store's inverted index: the top INDEX_DEPTH keys of each side, plus the
 * outer and inner enclosing function of closure keys (so inlining renames meet).
 *
 * Why a pair scoring at or above the threshold shares a key: the score pools the compared
 * sides, so some side pair scores at least the threshold. If two key lists share nothing in
 * their top 3, the top 3 of each stay unmatched, which costs at least 2 + 0.8 + 0.64 = 3.44
 * of each side's weight; over what the other side shows, that leaves at most about 0.67.
 * A renamed top frame needs five identical callers, so its callers 1 and 2 are shared keys.
 * The one case it misses is a report whose only side starts inside its stack, deeper than
 * the other report's third frame. test/race/similarity.test.ts checks it on random
 * signatures and on the corpora.
 */
export function indexKeys(sig: RaceSignature): string[] {
  return [...keyContexts(sig).keys()];
}

/**
 * The frame weights a lookup uses: for each index key of the `query` races, how many different
 * contexts (`keyContexts`) it has among the query and the `stored` races. Keys the query does
 * not have weigh as rare. The index computes the same from its own rows for every lookup; this
 * is the definition, for tests over races held in memory.
 */
export function contextOver(query: RaceSignature[], stored: RaceSignature[]): MatchContext {
  const contexts = new Map<string, Set<string>>();
  for (const race of query) for (const key of keyContexts(race).keys()) contexts.set(key, new Set());
  for (const race of [...query, ...stored]) {
    for (const [key, context] of keyContexts(race)) {
      if (context !== undefined) contexts.get(key)?.add(context);
    }
  }
  return { racesThrough: (key) => Math.max(1, contexts.get(key)?.size ?? 1) };
}

/**
 * Each index key with the frame that tells apart the races through it: for the top frame,
 * its first caller that is not a test function; for a caller, the accessing function above
 * it; undefined when the paste stops at the key. Counting different contexts per key over a repository's index tells a hub that
 * many races go through (`ResetContextOfStmt`, logrus's `(*Entry).log`) from a frame one race
 * goes through, however often that race was filed, and whether its reports show one side or two.
 */
export function keyContexts(sig: RaceSignature): Map<string, string | undefined> {
  const contexts = new Map<string, string | undefined>();
  for (const side of sig.sides) {
    // The test that reached a race is not another path to it.
    const caller = side.keys.slice(1).find((key) => !isTestFunction(key));
    side.keys.slice(0, INDEX_DEPTH).forEach((key, depth) => {
      const context = depth === 0 ? caller : side.keys[0];
      const add = (k: string) => {
        if (contexts.get(k) === undefined) contexts.set(k, context);
      };
      add(key);
      const closure = closureParts(key);
      if (closure) {
        add(`${closure.pkg}.${closure.names[0]}${CLOSURE_SUFFIX}`);
        add(`${closure.pkg}.${closure.names[closure.names.length - 1]}${CLOSURE_SUFFIX}`);
      }
    });
  }
  return contexts;
}
