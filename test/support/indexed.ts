/** What the index holds of a race, without where it was reported and its printed frames: what tests compare with the engine. */
import type { RaceSignature } from '../../src/race/index.js';
import type { IndexedRace } from '../../src/store/index.js';

export function signatures(races: IndexedRace[] | undefined): RaceSignature[] | undefined {
  return races?.map(({ commentId: _commentId, report: _report, ...signature }) => signature);
}
