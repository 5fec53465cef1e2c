/**
 * What an issue says about who owns which code: the packages of its top racing frames, or,
 * for an issue without a race report, of the Go stack it shows (a panic's failing goroutine,
 * or frames pasted without a header), each with its share of the issue's weight. This is
 * what the ownership history stores per issue, and what a new race is matched with.
 */
import type { GoStack } from '../race/go-stacks.js';
import { analyse, goStacks } from '../race/index.js';
import { PACKAGE_DEPTH } from '../race/signature.js';
import type { AnalysedRace, Frame } from '../race/types.js';
import { engineOptions, type Config } from './config.js';
import { isStandardLibrary, ownModule, raceSides, weightedFrames, type WeightedFrame } from './frame-weights.js';

/** A package and its share of one issue's ownership evidence. */
export interface PackageWeight {
  /** Package path as the engine names it (`executor/sortexec`); for a dependency, relative to its module. */
  package: string;
  /** A dependency's module root (`github.com/tikv/client-go`); absent for the project's own code. */
  module?: string;
  /** Share of the issue's weight; an issue's packages sum to 1. */
  weight: number;
}

/** Where an issue's evidence came from. */
export type EvidenceSource = 'race' | 'stack' | 'none';

/**
 * Frames per side that say who owns an issue: the racing function and its caller, the
 * frames the engine takes a race's packages from (`RaceSignature.packages`). Deeper callers
 * (session plumbing, the test) are shared by every team's races and would blur the history.
 */
export const OWNERSHIP_DEPTH = PACKAGE_DEPTH;

/** Packages of the racing frames: the top frames of every side of every race, nearer the top weighing more. */
export function racePackages(races: AnalysedRace[], config: Config, repo: string): PackageWeight[] {
  return packageWeights(weightedFrames(raceSides(races), OWNERSHIP_DEPTH), config, repo);
}

/**
 * Packages of the stack that tells what failed: the goroutine a `panic:` line names, or, with
 * no panic line, the first stack with frames of any package. A panic whose goroutine holds
 * only runtime and test-runner frames (a test timeout's alarm) says nothing.
 */
export function stackPackages(stacks: GoStack[], config: Config, repo: string): PackageWeight[] {
  const usable = (stack: GoStack) => stack.frames.some((f) => f.significant && f.package !== '' && !isStandardLibrary(f));
  const panicking = stacks.find((s) => s.panicking);
  const stack = panicking ? (usable(panicking) ? panicking : undefined) : stacks.find(usable);
  return stack ? packageWeights(weightedFrames([[stack.frames.filter((f) => !isStandardLibrary(f))]], OWNERSHIP_DEPTH), config, repo) : [];
}

/** The evidence of an issue body: its races' packages, else its stack's. `races`, when the caller has them, saves reading the body twice. */
export function issuePackages(
  body: string | null | undefined,
  config: Config,
  repo: string,
  races: AnalysedRace[] = analyse(body, engineOptions(config)),
): { source: EvidenceSource; packages: PackageWeight[] } {
  if (races.length > 0) return { source: 'race', packages: racePackages(races, config, repo) };
  const packages = stackPackages(goStacks(body, engineOptions(config)), config, repo);
  return { source: packages.length > 0 ? 'stack' : 'none', packages };
}

/** Merges frames by package, drops the standard library and frames without a package, and renormalises. */
function packageWeights(frames: WeightedFrame[], config: Config, repo: string): PackageWeight[] {
  const isOwn = ownModule(config.module_prefixes, repo);
  const merged = new Map<string, PackageWeight>();
  let total = 0;
  for (const { frame, weight } of frames) {
    if (!counts(frame)) continue;
    const module = isOwn(frame.module) ? undefined : frame.module;
    const key = `${module ?? ''}\n${frame.package}`;
    const entry = merged.get(key) ?? { package: frame.package, ...(module ? { module } : {}), weight: 0 };
    entry.weight += weight;
    merged.set(key, entry);
    total += weight;
  }
  if (total === 0) return [];
  return [...merged.values()]
    .map((p) => ({ ...p, weight: Math.round((p.weight / total) * 10_000) / 10_000 }))
    .filter((p) => p.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.package.localeCompare(b.package));
}

function counts(frame: Frame): boolean {
  return frame.significant && frame.package !== '' && !isStandardLibrary(frame);
}
