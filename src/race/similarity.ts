// PLACEHOLDER: replaced by the real similarity.
import type { RaceSignature } from './types.js';

/** At or above this race similarity, an earlier issue is listed as a likely duplicate. */
export const LIKELY_DUPLICATE_THRESHOLD = 0.75;

export function raceSimilarity(a: RaceSignature, b: RaceSignature): number {
  return a.fingerprint === b.fingerprint ? 1 : 0;
}

export function issueSimilarity(a: RaceSignature[], b: RaceSignature[]): number {
  let best = 0;
  for (const x of a) for (const y of b) best = Math.max(best, raceSimilarity(x, y));
  return best;
}

/** Keys for the index's inverted index: a candidate must share at least one with the query. */
export function indexKeys(sig: RaceSignature): string[] {
  return [...new Set(sig.sides.flatMap((s) => s.keys.slice(0, 3)))];
}
