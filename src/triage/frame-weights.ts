/**
 * How much each racing frame says about who owns a race, shared by every label source (path
 * rules, OWNERS files, the default component, learned ownership) so they all read the same
 * frames the same way: each side of each race votes with its top significant frames, nearer
 * the top weighing more (1, 1/2, 1/3, ...), each side and each race weighing the same.
 */
import type { AnalysedRace, Frame } from '../race/types.js';

/** Significant frames per side that vote; deeper frames say little about ownership. */
export const VOTING_FRAMES = 5;

/** Top-level directories of the Go standard library: never a component of the project. */
export const STANDARD_LIBRARY: ReadonlySet<string> = new Set([
  'archive', 'bufio', 'builtin', 'bytes', 'cmp', 'compress', 'container', 'context', 'crypto', 'database',
  'debug', 'embed', 'encoding', 'errors', 'expvar', 'flag', 'fmt', 'go', 'hash', 'html', 'image', 'io', 'iter',
  'log', 'maps', 'math', 'mime', 'net', 'os', 'path', 'plugin', 'reflect', 'regexp', 'runtime', 'slices', 'sort',
  'strconv', 'strings', 'structs', 'sync', 'syscall', 'testing', 'text', 'time', 'unicode', 'unique', 'unsafe', 'weak',
]);

/** One voting frame and its share of the vote. */
export interface WeightedFrame {
  frame: Frame;
  /** Share of the whole issue's vote; the weights of an issue's frames sum to 1. */
  weight: number;
  /** Which race of the issue and which side of it, for "on both sides". */
  race: number;
  side: number;
}

/** The top `depth` significant frames of every side of every race, with their weights. */
export function weightedFrames(frameLists: Frame[][][], depth = VOTING_FRAMES): WeightedFrame[] {
  const out: WeightedFrame[] = [];
  const races = frameLists.length;
  frameLists.forEach((sides, r) => {
    const voting = sides.map((frames) => frames.filter((f) => f.significant).slice(0, depth)).filter((f) => f.length > 0);
    voting.forEach((frames, s) => {
      const raw = frames.map((_, i) => 1 / (i + 1));
      const sum = raw.reduce((a, b) => a + b, 0);
      frames.forEach((frame, i) => out.push({ frame, weight: raw[i]! / sum / voting.length / races, race: r, side: s }));
    });
  });
  return out;
}

/** The sides of each race, as frame lists: what `weightedFrames` takes. */
export function raceSides(races: AnalysedRace[]): Frame[][][] {
  return races.map((race) => race.report.accesses.map((a) => a.frames));
}

/**
 * Whether a frame's module is the project itself: the repository's GitHub module, a
 * configured module prefix, a module named like the repository (the vanity path
 * `go.etcd.io/etcd` of etcd-io/etcd), or no module at all. With no repository known,
 * every frame counts as the project's.
 */
export function ownModule(modulePrefixes: readonly string[], repo: string): (module: string) => boolean {
  if (!repo) return () => true;
  const name = repo.slice(repo.indexOf('/') + 1).toLowerCase();
  const own = new Set(['', `github.com/${repo.toLowerCase()}`, ...modulePrefixes.map((p) => p.replace(/\/+$/, '').toLowerCase())]);
  return (module) => {
    const m = module.toLowerCase();
    return own.has(m) || m.slice(m.lastIndexOf('/') + 1) === name;
  };
}

/** A frame of the Go standard library: no module, and a top-level directory the standard library has. */
export function isStandardLibrary(frame: Frame): boolean {
  return frame.module === '' && STANDARD_LIBRARY.has(frame.package.split('/', 1)[0]!);
}
