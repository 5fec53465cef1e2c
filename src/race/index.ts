/**
 * The race engine's public surface. Pure: text in, values out, no I/O.
 *
 *   body --extractReports--> RaceReport[] --signRace--> RaceSignature
 *   RaceSignature x RaceSignature --matchRaces--> score in [0,1], and which frames matched
 */
import { extractReports } from './extract.js';
import { extractGoStacks, type GoStack } from './go-stacks.js';
import { signRace } from './signature.js';
import type { AnalysedRace, EngineOptions } from './types.js';

export * from './types.js';
export { extractReports } from './extract.js';
export { extractGoStacks, type GoStack } from './go-stacks.js';
export { normalizeFrame } from './normalize.js';
export { signRace, SIGNATURE_VERSION, SIMILARITY_DEPTH } from './signature.js';
export { storedReport, restoredReport, signStored, type StoredReport } from './stored-report.js';
export {
  raceSimilarity,
  issueSimilarity,
  matchRaces,
  matchIssues,
  indexKeys,
  keyContexts,
  contextOver,
  LIKELY_DUPLICATE_THRESHOLD,
  type MatchContext,
  type RaceMatch,
  type IssueMatch,
  type SideMatch,
} from './similarity.js';

/**
 * Longest text read, in characters: 16 times GitHub's 65,536-character limit on an issue
 * body, so a CI log given to the CLI is read whole while the work any input can cause
 * stays bounded. Text beyond it is ignored.
 */
export const MAX_BODY_CHARS = 1_048_576;
/**
 * Most distinct races kept from one text, in report order. Real issues hold one to three;
 * a body made only of reports holds a few hundred, which would make the index and the
 * lookups pay for text nobody reads.
 */
export const MAX_RACES = 50;

/**
 * Every race in an issue body, each with its signature, in report order.
 * Reports with the same fingerprint inside one body are kept once: the first full one wins.
 * Never throws; reads at most MAX_BODY_CHARS and keeps at most MAX_RACES.
 */
export function analyse(body: string | null | undefined, options: EngineOptions = {}): AnalysedRace[] {
  const seen = new Map<string, AnalysedRace>();
  // GitHub sends `body: null` for an issue without text; untyped callers may pass anything.
  const text = typeof body === 'string' ? body.slice(0, MAX_BODY_CHARS) : '';
  for (const report of extractReports(text, options)) {
    const signature = signRace(report, options);
    if (!seen.has(signature.fingerprint)) seen.set(signature.fingerprint, { report, signature });
    if (seen.size === MAX_RACES) break;
  }
  return [...seen.values()];
}

/**
 * The Go stack traces in a text that are not race reports (panics, goroutine dumps, pasted
 * frames), in order. Never throws; reads at most MAX_BODY_CHARS.
 */
export function goStacks(body: string | null | undefined, options: EngineOptions = {}): GoStack[] {
  return extractGoStacks(typeof body === 'string' ? body.slice(0, MAX_BODY_CHARS) : '', options);
}
