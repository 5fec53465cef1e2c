/**
 * The race engine's public surface. Pure: text in, values out, no I/O.
 *
 *   body --extractReports--> RaceReport[] --signRace--> RaceSignature
 *   RaceSignature x RaceSignature --raceSimilarity--> [0,1]
 */
import { extractReports } from './extract.js';
import { signRace } from './signature.js';
import type { AnalysedRace, EngineOptions } from './types.js';

export * from './types.js';
export { extractReports } from './extract.js';
export { normalizeFrame } from './normalize.js';
export { signRace, SIGNATURE_VERSION } from './signature.js';
export {
  raceSimilarity,
  issueSimilarity,
  indexKeys,
  LIKELY_DUPLICATE_THRESHOLD,
} from './similarity.js';

/**
 * Every race in an issue body, each with its signature, in report order.
 * Reports with the same fingerprint inside one body are kept once: the first full one wins.
 * Never throws.
 */
export function analyse(body: string, options: EngineOptions = {}): AnalysedRace[] {
  const seen = new Map<string, AnalysedRace>();
  for (const report of extractReports(body, options)) {
    const signature = signRace(report, options);
    if (!seen.has(signature.fingerprint)) seen.set(signature.fingerprint, { report, signature });
  }
  return [...seen.values()];
}
