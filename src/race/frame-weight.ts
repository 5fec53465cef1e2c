/**
 * How much one frame of a side says about which race it is. Near the top more than below
 * (the top frame is the accessing function itself); a frame many different races of the
 * repository pass through (`ResetContextOfStmt`, `(*Tracker).Consume`) less than a rare one;
 * the test that happened to reach the race, and a goroutine's creation stack standing in for
 * a lost side, less than the code that races. docs/signature.md shows the figures.
 */

/** Weight of the top frame relative to the frame below it. */
export const TOP_FRAME_WEIGHT = 2.5;
/** Weight ratio between a frame and the one above it. */
export const FRAME_DECAY = 0.8;
/** A test function below the accessing frame says which test caught the race, not which code races. */
export const HARNESS_WEIGHT = 0.2;
/** Frames of a creation stack, standing in for an access stack that was only instrumentation. */
export const CREATION_WEIGHT = 0.5;
/** The instrumentation operation on top of a side (`atomic AddInt64`, `map write`): weak, and spelled differently across Go releases. */
export const OPERATION_WEIGHT = 0.5;

/** Key prefix of a side taken from a goroutine/thread creation stack (see signature.ts). */
export const CREATION_KEY_PREFIX = 'created:';

/** Weight of the frame at `depth` (0 = top) before anything is known about the frame itself. */
export function positionWeight(depth: number): number {
  return depth <= 0 ? TOP_FRAME_WEIGHT * FRAME_DECAY : FRAME_DECAY ** depth;
}

/**
 * 1 for a frame only this race passes through, then falling slowly: 0.59 for 2 races, 0.38
 * for 5, 0.30 for 10. `races` counts the different races of the repository seen through it.
 */
export function commonnessWeight(races: number): number {
  return 1 / (1 + Math.log(Math.max(1, races)));
}

/** Cheap check before splitting a key into segments. */
const MAY_NAME_TEST = /(?:^|[./])(?:Test|Benchmark|Fuzz|Example)/;
const TEST_SEGMENT = /^(?:Test|Benchmark|Fuzz|Example)(?:[A-Z0-9_]\w*)?$/;

/** Keys seen recently: scoring asks about the same few hundred keys over and over. */
const testFunctionMemo = new Map<string, boolean>();
const MEMO_SIZE = 4096;

/** `executor.TestKill`, `executor.TestKill.func*`, `(*suite).TestX`: a Go test function or a closure inside one. */
export function isTestFunction(key: string): boolean {
  const known = testFunctionMemo.get(key);
  if (known !== undefined) return known;
  const symbol = key.slice(key.lastIndexOf('/') + 1);
  const answer = MAY_NAME_TEST.test(key) && symbol.split('.').some((segment) => segment !== 'TestMain' && TEST_SEGMENT.test(segment));
  if (testFunctionMemo.size >= MEMO_SIZE) testFunctionMemo.clear();
  testFunctionMemo.set(key, answer);
  return answer;
}

export interface WeighedFrame {
  key: string;
  /** Depth in the stack, top = 0, counting frames the paste cut away above when that is known. */
  depth: number;
  /** True when instrumentation was dropped above the side's first frame: that frame is where the access was inlined. */
  belowOperation: boolean;
  /** How many different races of the repository pass through this key. */
  races: number;
}

export function frameWeight(frame: WeighedFrame): number {
  let weight = positionWeight(frame.depth) * commonnessWeight(frame.races);
  if (frame.key.startsWith(CREATION_KEY_PREFIX)) weight *= CREATION_WEIGHT;
  else if ((frame.depth > 0 || frame.belowOperation) && isTestFunction(frame.key)) weight *= HARNESS_WEIGHT;
  return weight;
}
