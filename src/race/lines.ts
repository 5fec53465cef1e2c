/**
 * What one cleaned, non-blank line of an issue body is, judged by its content alone (never by
 * indentation or blank lines, which pasting destroys). The extractor's state machine
 * works on these shapes; the dialect-specific shapes live in parse-go.ts and parse-tsan.ts.
 */
import { classifyGoLine } from './parse-go.js';
import { classifyTsanLine } from './parse-tsan.js';
import type { AccessKind, Dialect, RawFrame } from './types.js';

export type LineShape =
  /** `==================`, also glued to the end of other output. */
  | { kind: 'separator' }
  /** `WARNING: DATA RACE` or `WARNING: ThreadSanitizer: <type> (pid=N)`; `race` is false for other TSan reports. */
  | { kind: 'header'; dialect: Dialect; race: boolean }
  /** A racing access line opening a stack. */
  | { kind: 'access'; dialect: Dialect; previous: boolean; access: AccessKind; atomic: boolean; actor: string }
  /** A goroutine or thread creation line opening a stack. */
  | { kind: 'creation'; dialect: Dialect; actor: string }
  /** A line opening a stack that is not evidence of the race (heap block, mutex, sleep, location). */
  | { kind: 'context' }
  /** `[failed to restore the stack]`. */
  | { kind: 'lost' }
  /** A Go function line, `pkg.F()`, whose location follows on the next line. */
  | { kind: 'function'; name: string }
  /** A Go location line, `/path/f.go:12 +0x1a`: valid only right after a function line. */
  | { kind: 'location'; file: string; line: number }
  /** A whole frame on one line: a TSan `#N` frame or a Go function joined with its location. */
  | { kind: 'frame'; frame: RawFrame }
  /** A line that closes a report: `Found N data race(s)`, the test verdict, TSan's warning count. */
  | { kind: 'end' }
  /**
   * TSan's `SUMMARY: ThreadSanitizer: data race FILE:LINE in FUNC`: closes a report, and names the
   * top frame of its first access, which is all some pastes keep. `frame` is absent for other reports' summaries.
   */
  | { kind: 'summary'; frame?: RawFrame }
  /** `--` (grep context), `...`: lines were left out here. */
  | { kind: 'elision' }
  /** A test named by the runner: `--- FAIL: TestX` comes after a report, `=== RUN TestX` before one. */
  | { kind: 'test'; name: string; after: boolean }
  | { kind: 'unknown' };

const UNKNOWN: LineShape = { kind: 'unknown' };
const ELISION: LineShape = { kind: 'elision' };
/** What people and grep put where they left lines out. */
const ELISION_LINE = /^(?:--|\.{3,}|…|\[(?:\.{3}|…|snip(?:ped)?)\]|\((?:\.{3}|…)\)|<snip(?:ped)?>)$/i;
const SEPARATOR: LineShape = { kind: 'separator' };
const LOST: LineShape = { kind: 'lost' };

/** 18 `=` exactly at the end of a line, or a line of ten or more `=` (OCR'd reports miscount). */
const SEPARATOR_LINE = /^={10,}$|={18}$/;
const FAIL_LINE = /^--- FAIL: (\S+) \(\d/;
/** gotestsum prints `=== FAIL: pkg TestX (2.04s)` before the test's output. */
const RUN_LINE = /^=== (?:RUN|FAIL:(?: \S+)?) +(\S+)/;
/** GoogleTest, for C++ reports: `[ RUN      ] Suite.Name` before, `[  FAILED  ] Suite.Name (12 ms)` after. */
const GTEST_LINE = /^\[ +(RUN|FAILED) +\] (\S+)/;
/** cargo test, for Rust reports: `test tests::name ... FAILED` after. */
const CARGO_FAILED_LINE = /^test (\S+) \.\.\. FAILED$/;

/**
 * Every shape either starts with one of these characters (`#0 f`, `--- FAIL`, `=== RUN`,
 * `SUMMARY`, `Thread`, `ThreadSanitizer`, `Location`, `Mutex`, `As if`, `WARNING`, `[ RUN ]`)...
 */
const SHAPE_FIRST_CHARS = new Set('#-=STLMAW[.…(<');
/** ...or ends with one of these (`:` headers, `()` functions, `]` lost stack, `=` separator,
 * `DATA RACE`, `test`/`benchmark` verdicts, cargo's `FAILED`) or a hex digit (locations).
 * Prose and logs rarely do. */
const SHAPE_LAST_CHARS = new Set(':)]=EtkD0123456789abcdefABCDEF');

/** Shape of one cleaned, trimmed, non-empty line. The caller caps line length. */
export function classifyLine(line: string): LineShape {
  if (!SHAPE_FIRST_CHARS.has(line[0]!) && !SHAPE_LAST_CHARS.has(line[line.length - 1]!)) return UNKNOWN;
  if (line.endsWith('=') && SEPARATOR_LINE.test(line)) return SEPARATOR;
  if (line === '[failed to restore the stack]') return LOST;
  if (line.length <= 12 && ELISION_LINE.test(line)) return ELISION;
  if (line.startsWith('--- FAIL: ')) {
    const fail = FAIL_LINE.exec(line);
    return fail?.[1] ? { kind: 'test', name: topLevelTest(fail[1]), after: true } : UNKNOWN;
  }
  if (line.startsWith('=== ')) {
    const run = RUN_LINE.exec(line);
    return run?.[1] ? { kind: 'test', name: topLevelTest(run[1]), after: false } : UNKNOWN;
  }
  if (line.startsWith('[ ')) {
    const gtest = GTEST_LINE.exec(line);
    if (gtest?.[2]) return { kind: 'test', name: gtest[2], after: gtest[1] === 'FAILED' };
  }
  if (line.startsWith('test ') && line.endsWith(' FAILED')) {
    const cargo = CARGO_FAILED_LINE.exec(line);
    if (cargo?.[1]) return { kind: 'test', name: cargo[1], after: true };
  }
  return classifyTsanLine(line) ?? classifyGoLine(line) ?? UNKNOWN;
}

/** `TestX/sub_case` is reported under `TestX`. */
function topLevelTest(name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(0, slash) : name;
}

/**
 * An access line broken after `by` or `by goroutine` (e-mail and terminal wrapping):
 * the extractor joins it with the next line and classifies again.
 */
const WRAPPED_ACCESS = /^(?:previous )?(?:read|write)\b.{0,40} by(?: goroutine)?$/i;

export function isWrappedAccess(line: string): boolean {
  return line.length < 80 && (line.endsWith('by') || line.endsWith('goroutine')) && WRAPPED_ACCESS.test(line);
}
