/**
 * Go stack traces that are not race reports: a panic's `goroutine 1 [running]:` block, a
 * goroutine dump, or frames pasted without any header. Only their frames are read, for
 * ownership (which packages an issue is about), never for signatures.
 *
 * One pass over the cleaned lines (text.ts strips the same decoration as for races). A
 * `goroutine N [state]:` line opens a stack. A frame is a function line followed by its
 * location line (so Go code quoted in an issue is not read as frames); a frame with no stack
 * open starts one without a header. A `created by` line, a new header or three unknown lines
 * in a row close the stack. Never throws; linear in the body's length.
 */
import { classifyGoLine } from './parse-go.js';
import { normalizeFrame } from './normalize.js';
import { cleanLines } from './text.js';
import type { EngineOptions, Frame, RawFrame } from './types.js';

/** One goroutine's stack, or a run of frames pasted without their header. */
export interface GoStack {
  /** `goroutine 1 [running]`, or empty for frames pasted without a header. */
  header: string;
  /** True for the stack right after a `panic:` or `fatal error:` line: the goroutine that failed. */
  panicking: boolean;
  /** Frames, top first, normalised as race frames are (`significant` false for runtime and harness). */
  frames: Frame[];
}

/** Stacks read from one text at most: a goroutine dump of a big server holds thousands. */
export const MAX_STACKS = 100;
/** Frames kept per stack; deeper ones say nothing about ownership. */
export const MAX_STACK_FRAMES = 50;
/** Longest function line read: the symbol is capped the same way (go-symbol.ts). */
const MAX_FUNCTION_LINE = 2048;
/** Foreign lines tolerated in a row inside a stack. */
const MAX_UNKNOWN_RUN = 3;

/** `goroutine 1 [running]:`; Go 1.23 with GOTRACEBACK=system adds `gp=0x.. m=0 ...` before the state. */
const GOROUTINE_HEADER = /^goroutine (\d+)(?: [^[\]]{1,200})? \[([^\]]{1,100})\]:$/;
/** `panic: ...`, `fatal error: ...`, also after a test verdict (`PASS panic: ...` is rare enough to ignore). */
const FAILURE_LINE = /^(?:panic: |fatal error: )/;
/**
 * A panic frame's function line with its arguments: `pkg.(*T).M(0xc000123, {0x1, 0x2}, ...)`.
 * Arguments hold no parentheses, so the last `(` opens them. The name has no blanks.
 */
const FUNCTION_WITH_ARGUMENTS = /^([^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\(([^()]*)\)$/;

interface Draft {
  header: string;
  panicking: boolean;
  frames: RawFrame[];
  unknownRun: number;
}

/** Every Go stack in the text, in order (at most MAX_STACKS). Never throws. */
export function extractGoStacks(body: string, options: EngineOptions = {}): GoStack[] {
  if (typeof body !== 'string') return [];
  const drafts: Draft[] = [];
  let open: Draft | undefined;
  /** A function line waiting for its location: code quoted in an issue (`t.Logf("x")`) has none. */
  let pending: RawFrame | undefined;
  let failurePending = false;

  const start = (header: string): Draft | undefined => {
    open = undefined;
    if (drafts.length >= MAX_STACKS) return undefined;
    open = { header, panicking: failurePending, frames: [], unknownRun: 0 };
    failurePending = false;
    drafts.push(open);
    return open;
  };
  const push = (frame: RawFrame) => {
    const stack = open ?? start('');
    if (stack && stack.frames.length < MAX_STACK_FRAMES) stack.frames.push(frame);
    if (stack) stack.unknownRun = 0;
  };
  const close = () => {
    open = undefined;
    pending = undefined;
  };

  for (const line of cleanLines(body)) {
    if (line.overlong || line.fence) {
      close();
      continue;
    }
    const text = line.text;
    if (FAILURE_LINE.test(text)) {
      close();
      failurePending = true;
      continue;
    }
    const header = text.startsWith('goroutine ') ? GOROUTINE_HEADER.exec(text) : null;
    if (header) {
      pending = undefined;
      start(`goroutine ${header[1]} [${header[2]}]`);
      continue;
    }
    if (text.startsWith('created by ')) {
      // The creating call site is not this goroutine's work; its location line follows.
      close();
      continue;
    }
    const frame = frameLine(text);
    if (frame) {
      pending = undefined;
      if (frame.complete) push(frame.raw);
      else pending = frame.raw;
      continue;
    }
    const location = pending ? locationLine(text) : undefined;
    if (pending && location) {
      push({ ...pending, ...location });
      pending = undefined;
      continue;
    }
    pending = undefined;
    if (open && ++open.unknownRun >= MAX_UNKNOWN_RUN) close();
  }

  return drafts
    .filter((d) => d.frames.length > 0)
    .map((d) => ({
      header: d.header,
      panicking: d.panicking,
      frames: d.frames.map((raw) => normalizeFrame(raw, 'go', options)),
    }));
}

/** A function line (race style `pkg.F()` or panic style `pkg.F(0x1, ...)`), or a joined `pkg.F() /path/f.go:12 +0x1`. */
function frameLine(text: string): { raw: RawFrame; complete: boolean } | undefined {
  const shape = classifyGoLine(text);
  if (shape?.kind === 'function') return looksLikeSymbol(shape.name) ? { raw: { function: shape.name, file: '', line: 0 }, complete: false } : undefined;
  if (shape?.kind === 'frame') return looksLikeSymbol(shape.frame.function) ? { raw: { ...shape.frame }, complete: true } : undefined;
  if (!text.endsWith(')') || text.length > MAX_FUNCTION_LINE) return undefined;
  const name = FUNCTION_WITH_ARGUMENTS.exec(text)?.[1];
  return name && looksLikeSymbol(name) ? { raw: { function: name, file: '', line: 0 }, complete: false } : undefined;
}

function locationLine(text: string): { file: string; line: number } | undefined {
  const shape = classifyGoLine(text);
  return shape?.kind === 'location' ? { file: shape.file, line: shape.line } : undefined;
}

/**
 * A Go symbol: a package-qualified name (`pkg.F`, `github.com/o/r/pkg.(*T).M`, `main.main`)
 * or the builtin `panic`. Prose that ends in `()` (`call Close()`) has a blank in it.
 */
function looksLikeSymbol(name: string): boolean {
  if (name === 'panic') return true;
  if (name.length === 0 || /\s/.test(name)) return false;
  const dot = name.indexOf('.', name.lastIndexOf('/') + 1);
  return dot > 0 && dot < name.length - 1;
}
