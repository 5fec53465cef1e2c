/** What a user can read from extracted reports, without offsets and normalisation details. */
import type { RaceReport } from '../../src/race/types.js';

const frameView = ({ function: fn, file, line }: { function: string; file: string; line: number }) =>
  `${fn} @ ${file}:${line}`;

export function reportView(report: RaceReport) {
  return {
    dialect: report.dialect,
    test: report.test,
    partial: report.partial,
    accesses: report.accesses.map((a) => ({
      kind: a.kind,
      previous: a.previous,
      atomic: a.atomic,
      actor: a.actor,
      stackLost: a.stackLost,
      frames: a.frames.map(frameView),
    })),
    creations: report.creations.map((c) => ({ actor: c.actor, frames: c.frames.map(frameView) })),
  };
}

/** First frame of an access that is not race instrumentation (`runtime.race*`, `sync/atomic.*`). */
export function topUserFrame(frames: { function: string }[]): string | undefined {
  return frames.find((f) => !/^(?:runtime\.race|sync\/atomic\.)/.test(f.function))?.function;
}
