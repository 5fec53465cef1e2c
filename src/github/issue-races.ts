/**
 * Every race an issue holds: its body's, then those people pasted in its comments, once
 * each. Comments' races come from the index (each stored with its frames as printed, so they
 * are signed with the repository's settings of today), except the comment an event is about,
 * which is read afresh. A report quoted in a reply (`> WARNING: DATA RACE`) is somebody
 * quoting an earlier sighting, not a new one.
 */
import { analyse, MAX_RACES, restoredReport, signStored, storedReport, type AnalysedRace, type EngineOptions } from '../race/index.js';
import type { IndexedIssue, IndexedRace } from '../store/index.js';

/** A person's comment an event is about: its body now, or null once deleted. */
export interface ChangedComment {
  id: number;
  body: string | null;
}

/**
 * A command's comment as a changed comment when it also pastes a race (a report below
 * `/retriage` or `/race dup`), so the triage reads it; undefined when it pastes none.
 */
export function pastedWith(comment: { id: number; body?: string | null }): ChangedComment | undefined {
  return commentRaces(comment.body, {}, comment.id).length > 0 ? { id: comment.id, body: comment.body ?? '' } : undefined;
}

/** The races a comment's text reports as new sightings. */
export function commentRaces(body: string | null | undefined, engine: EngineOptions, id: number, url?: string): AnalysedRace[] {
  return analyse(body, engine)
    .filter((race) => race.report.quoteDepth === 0)
    .map((race) => ({ ...race, origin: { kind: 'comment', id, ...(url ? { url } : {}) } }));
}

export function issueRaces(
  body: string,
  stored: IndexedIssue | undefined,
  changed: ChangedComment | undefined,
  engine: EngineOptions,
  commentUrl: (id: number) => string | undefined,
): AnalysedRace[] {
  const fromComments = new Map<number, AnalysedRace[]>();
  for (const race of stored?.races ?? []) {
    if (race.commentId === undefined || race.commentId === changed?.id || !race.report) continue;
    const report = restoredReport(race.report, engine);
    const url = commentUrl(race.commentId);
    const analysed: AnalysedRace = { report, signature: signStored(race.report, engine), origin: { kind: 'comment', id: race.commentId, ...(url ? { url } : {}) } };
    fromComments.set(race.commentId, [...(fromComments.get(race.commentId) ?? []), analysed]);
  }
  if (changed?.body) fromComments.set(changed.id, commentRaces(changed.body, engine, changed.id, commentUrl(changed.id)));

  const all = [...analyse(body, engine), ...[...fromComments].sort(([a], [b]) => a - b).flatMap(([, races]) => races)];
  const seen = new Set<string>();
  return all.filter((race) => !seen.has(race.signature.fingerprint) && !!seen.add(race.signature.fingerprint)).slice(0, MAX_RACES);
}

/** What the index stores of each race: where it was reported, and its frames as printed. */
export function storedRaces(races: AnalysedRace[]): Map<string, Pick<IndexedRace, 'commentId' | 'report'>> {
  return new Map(
    races.map((race) => [
      race.signature.fingerprint,
      { ...(race.origin?.kind === 'comment' ? { commentId: race.origin.id } : {}), report: storedReport(race.report) },
    ]),
  );
}
