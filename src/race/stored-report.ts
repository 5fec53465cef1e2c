/**
 * A report as the index keeps it: the frames as printed, not as normalised, so a newer
 * engine (or a repository's changed module aliases) can sign the race again without
 * GitHub. Offsets into the issue body are left out: they mean nothing once stored.
 */
import { normalizeFrame } from './normalize.js';
import { signRace } from './signature.js';
import type { Access, EngineOptions, RaceReport, RaceSignature, RawFrame } from './types.js';

export interface StoredAccess extends Omit<Access, 'frames'> {
  frames: RawFrame[];
}

export interface StoredReport extends Omit<RaceReport, 'accesses' | 'creations' | 'span'> {
  accesses: StoredAccess[];
  creations: { actor: string; frames: RawFrame[] }[];
}

const raw = ({ function: fn, file, line }: RawFrame): RawFrame => ({ function: fn, file, line });

export function storedReport(report: RaceReport): StoredReport {
  const { span: _span, accesses, creations, ...rest } = report;
  return {
    ...rest,
    accesses: accesses.map((access) => ({ ...access, frames: access.frames.map(raw) })),
    creations: creations.map((creation) => ({ actor: creation.actor, frames: creation.frames.map(raw) })),
  };
}

/** The report back, normalised with `options`: what `signRace` reads. */
export function restoredReport(stored: StoredReport, options: EngineOptions = {}): RaceReport {
  const normalise = (frames: RawFrame[]) => frames.map((frame) => normalizeFrame(frame, stored.dialect, options));
  return {
    ...stored,
    accesses: stored.accesses.map((access) => ({ ...access, frames: normalise(access.frames) })),
    creations: stored.creations.map((creation) => ({ actor: creation.actor, frames: normalise(creation.frames) })),
    span: [0, 0],
  };
}

/** The signature this engine gives a stored report. */
export function signStored(stored: StoredReport, options: EngineOptions = {}): RaceSignature {
  return signRace(restoredReport(stored, options), options);
}
