/**
 * Finds every data-race report in an untrusted issue body (race-format.md §4.2).
 *
 * A state machine over cleaned lines: a header or an access line opens a report; access,
 * creation and context lines open stacks; frames fill the open stack; a separator, a new
 * header, a closing line, a fence or three unknown lines in a row close the report.
 * Blank lines and indentation carry no meaning, because pasting destroys both: cleanLines drops them.
 * Work is one pass over the lines, with each line's regexes bounded by MAX_LINE_LENGTH.
 */
import { classifyLine, isWrappedAccess, type LineShape } from './lines.js';
import { normalizeFrame } from './normalize.js';
import { cleanLines, type CleanLine } from './text.js';
import type { AccessKind, Dialect, EngineOptions, RaceReport, RawFrame } from './types.js';

/** Foreign log lines tolerated in a row inside a report before it is considered over (§3.10). */
const MAX_UNKNOWN_RUN = 3;

interface AccessDraft {
  kind: AccessKind;
  atomic: boolean;
  previous: boolean;
  actor: string;
  frames: RawFrame[];
  stackLost: boolean;
  cutAbove: boolean;
  cutBelow: boolean;
}

/** Frames read while no report is open: the tail of a stack whose header was not pasted. */
interface Orphans {
  frames: RawFrame[];
  start: number;
  firstLine: number;
  quoteDepth: number;
  awaitingLocation: boolean;
  unknownRun: number;
}

const SUMMARY_ONLY = 'only the SUMMARY line: the top frame of the first access';

/** Orphan frames kept at most: the paste starts inside a stack, rarely more than a screenful above the next access. */
const MAX_ORPHAN_FRAMES = 64;

interface CreationDraft {
  actor: string;
  frames: RawFrame[];
}

interface ReportDraft {
  dialect: Dialect;
  accesses: AccessDraft[];
  creations: CreationDraft[];
  start: number;
  end: number;
  firstLine: number;
  lastLine: number;
  quoteDepth: number;
  /** The stack frames go to; undefined while inside a context block (mutex, location, sleep). */
  stack: RawFrame[] | undefined;
  /** The access whose stack is open, for `[failed to restore the stack]`. */
  openAccess: AccessDraft | undefined;
  /** True when the last frame is a Go function line still waiting for its location line. */
  awaitingLocation: boolean;
  unknownRun: number;
  /** True when the text ended or turned into something else without a closing line. */
  cutOff: boolean;
  /** True for a report read from TSan's SUMMARY line alone. */
  summaryOnly?: boolean;
}

interface TestMarker {
  line: number;
  name: string;
  after: boolean;
}

interface Draft {
  report: ReportDraft;
  test?: string;
}

/** Every race report in the body, in order. Never throws; linear in the body's length. */
export function extractReports(body: string, options: EngineOptions = {}): RaceReport[] {
  // GitHub sends `body: null` for an issue or comment left empty.
  if (typeof body !== 'string') return [];
  const lines = cleanLines(body);
  const drafts: Draft[] = [];
  const markers: TestMarker[] = [];
  let open: ReportDraft | undefined;
  /** Inside a TSan report of another kind (use-after-free, leak): its accesses are not races. */
  let skippingOtherReport = false;

  const close = (cutOff: boolean): void => {
    // Access lines without a single frame leave nothing to sign or show.
    if (open && open.accesses.some((a) => a.frames.length > 0)) {
      open.cutOff = cutOff;
      // The stack being read when the text stopped may go on below its last frame.
      if (cutOff && open.openAccess) open.openAccess.cutBelow = true;
      drafts.push({ report: open });
    }
    open = undefined;
  };

  let orphans: Orphans | undefined;

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    let shape = shapeOf(line);
    let last = line;
    const next = lines[index + 1];
    // A wrapped access header's tail is `goroutine 101:` or `25:` on the next line.
    if (shape.kind === 'unknown' && next?.text.endsWith(':') && isWrappedAccess(line.text)) {
      const joined = classifyLine(`${line.text} ${next.text}`);
      if (joined.kind === 'access') {
        shape = joined;
        last = next;
        index++;
      }
    }

    if (shape.kind === 'test') markers.push({ line: index, name: shape.name, after: shape.after });

    if (open) {
      if (continueReport(open, shape, last, index)) continue;
      const closing = open;
      close(shape.kind === 'unknown' || shape.kind === 'elision' || line.fence);
      if (shape.kind === 'summary') {
        // The summary that ends a report names its first access's top frame.
        if (shape.frame) completeFromSummary(closing, shape.frame);
        continue;
      }
    }

    // Not inside a report: only a header or an access line opens one.
    if (shape.kind === 'header') {
      skippingOtherReport = !shape.race;
      if (shape.race) open = newReport(shape.dialect, line, index);
    } else if (shape.kind === 'separator') {
      skippingOtherReport = false;
    } else if (shape.kind === 'access' && !skippingOtherReport) {
      open = newReport(shape.dialect, orphans && shape.previous ? orphans : line, index);
      // The text starts inside the first stack: its frames belong to an access whose line was cut.
      if (orphans && shape.previous) open.accesses.push(orphanAccess(orphans));
      continueReport(open, shape, last, index);
    } else if (shape.kind === 'summary' && shape.frame && !skippingOtherReport && !summarised(drafts, shape.frame)) {
      drafts.push({ report: summaryReport(shape.frame, line, index) });
    }
    orphans = open || skippingOtherReport ? undefined : collectOrphan(orphans, shape, line, index);
  }
  close(true);

  attachTestsFromMarkers(drafts, markers);
  return drafts.map((draft) => finish(draft, options)).filter(saysSomething);
}

function shapeOf(line: CleanLine): LineShape {
  if (line.fence) return { kind: 'end' };
  if (line.overlong) return { kind: 'unknown' };
  return classifyLine(line.text);
}

function newReport(dialect: Dialect, from: CleanLine | Orphans, index: number): ReportDraft {
  const isOrphans = 'frames' in from;
  return {
    dialect,
    accesses: [],
    creations: [],
    start: from.start,
    end: isOrphans ? from.start : from.end,
    firstLine: isOrphans ? from.firstLine : index,
    lastLine: index,
    quoteDepth: from.quoteDepth,
    stack: undefined,
    openAccess: undefined,
    awaitingLocation: false,
    unknownRun: 0,
    cutOff: false,
  };
}

/** Frame lines outside any report are remembered, a few foreign lines in between tolerated. */
function collectOrphan(orphans: Orphans | undefined, shape: LineShape, line: CleanLine, index: number): Orphans | undefined {
  switch (shape.kind) {
    case 'function':
    case 'frame': {
      const frame = shape.kind === 'function' ? { function: shape.name, file: '', line: 0 } : shape.frame;
      const kept = orphans ?? { frames: [], start: line.start, firstLine: index, quoteDepth: line.quoteDepth, awaitingLocation: false, unknownRun: 0 };
      if (kept.frames.length >= MAX_ORPHAN_FRAMES) return kept;
      kept.frames.push(frame);
      kept.awaitingLocation = shape.kind === 'function';
      kept.unknownRun = 0;
      return kept;
    }
    case 'location': {
      const frame = orphans?.frames[orphans.frames.length - 1];
      if (!orphans || !frame || !orphans.awaitingLocation) return undefined;
      frame.file = shape.file;
      frame.line = shape.line;
      orphans.awaitingLocation = false;
      return orphans;
    }
    case 'unknown':
    case 'test':
      if (!orphans) return undefined;
      orphans.awaitingLocation = false;
      return ++orphans.unknownRun < MAX_UNKNOWN_RUN ? orphans : undefined;
    default:
      return undefined;
  }
}

function orphanAccess(orphans: Orphans): AccessDraft {
  return {
    kind: 'unknown',
    atomic: false,
    previous: false,
    actor: '',
    frames: orphans.frames,
    stackLost: false,
    cutAbove: true,
    cutBelow: false,
  };
}

/** A first stack pasted without its top gets the top frame the summary names. */
function completeFromSummary(report: ReportDraft, frame: RawFrame): void {
  const first = report.accesses[0];
  if (!first?.cutAbove || first.frames.some((f) => f.function === frame.function)) return;
  first.frames.unshift({ ...frame });
  first.cutAbove = false;
}

/** True when the summary names the top of a TSan report just read: it is that report's last line. */
function summarised(drafts: Draft[], frame: RawFrame): boolean {
  const last = drafts[drafts.length - 1]?.report;
  return last?.dialect === 'tsan' && last.accesses.some((a) => a.frames.some((f) => f.function === frame.function));
}

/** A report of which only TSan's SUMMARY line was pasted: one frame of the first access. */
function summaryReport(frame: RawFrame, line: CleanLine, index: number): ReportDraft {
  const report = newReport('tsan', line, index);
  report.accesses.push({ kind: 'unknown', atomic: false, previous: false, actor: '', frames: [frame], stackLost: false, cutAbove: false, cutBelow: true });
  report.summaryOnly = true;
  return report;
}

/**
 * Feed one line to an open report. Returns false when the line does not belong to it:
 * the caller then closes the report and looks at the line again from outside.
 */
function continueReport(report: ReportDraft, shape: LineShape, last: CleanLine, index: number): boolean {
  if (shape.kind === 'unknown' || (shape.kind === 'test' && !shape.after)) {
    // Foreign lines (logs, `=== RUN` of parallel tests) are tolerated, a few in a row.
    report.unknownRun++;
    report.awaitingLocation = false;
    return report.unknownRun < MAX_UNKNOWN_RUN;
  }
  switch (shape.kind) {
    case 'access': {
      // A second current access, or a second previous one, starts the next report.
      const hasCurrent = report.accesses.some((a) => !a.previous);
      const hasPrevious = report.accesses.some((a) => a.previous);
      if ((shape.previous && hasPrevious) || (!shape.previous && (hasCurrent || hasPrevious))) return false;
      const access: AccessDraft = {
        kind: shape.access,
        atomic: shape.atomic,
        previous: shape.previous,
        actor: shape.actor,
        frames: [],
        stackLost: false,
        cutAbove: false,
        cutBelow: false,
      };
      report.accesses.push(access);
      report.stack = access.frames;
      report.openAccess = access;
      report.awaitingLocation = false;
      break;
    }
    case 'creation': {
      const creation: CreationDraft = { actor: shape.actor, frames: [] };
      report.creations.push(creation);
      report.stack = creation.frames;
      report.openAccess = undefined;
      report.awaitingLocation = false;
      break;
    }
    case 'context':
      report.stack = undefined;
      report.openAccess = undefined;
      report.awaitingLocation = false;
      break;
    case 'lost':
      if (report.openAccess) report.openAccess.stackLost = true;
      report.awaitingLocation = false;
      break;
    case 'function':
      report.stack?.push({ function: shape.name, file: '', line: 0 });
      report.awaitingLocation = report.stack !== undefined;
      break;
    case 'location': {
      const frame = report.stack?.[report.stack.length - 1];
      if (!report.awaitingLocation || !frame) {
        // A `file:line` that follows no function line is foreign text (a testify trace).
        return continueReport(report, { kind: 'unknown' }, last, index);
      }
      frame.file = shape.file;
      frame.line = shape.line;
      report.awaitingLocation = false;
      break;
    }
    case 'frame':
      report.stack?.push(shape.frame);
      report.awaitingLocation = false;
      break;
    case 'elision':
      // Lines were left out here: frames below the last one shown are unknown, not absent.
      if (report.openAccess) report.openAccess.cutBelow = true;
      report.awaitingLocation = false;
      break;
    case 'end':
    case 'summary':
      report.end = last.end;
      report.lastLine = index;
      return false;
    default:
      // separator, header, `--- FAIL:`: the report is over.
      return false;
  }
  report.unknownRun = 0;
  report.end = last.end;
  report.lastLine = index;
  return true;
}

/** Cheap check before splitting a symbol into segments. */
const MAY_NAME_TEST = /\.(?:Test|Benchmark|Fuzz)/;
/** `TestX`, `BenchmarkX`, `FuzzX` as a symbol segment; `TestMain` is the harness, not a test. */
const TEST_SEGMENT = /^(?:Test|Benchmark|Fuzz)(?:[A-Z0-9_]\w*)?$/;

/** The test named in a Go symbol: `sessiontxn_test.TestX.func1.1` gives `TestX`. */
function testFromFunction(name: string): string | undefined {
  if (!MAY_NAME_TEST.test(name)) return undefined;
  const symbol = name.slice(name.lastIndexOf('/') + 1);
  for (const segment of symbol.split('.')) {
    if (segment !== 'TestMain' && TEST_SEGMENT.test(segment)) return segment;
  }
  return undefined;
}

function testFromStacks(report: ReportDraft): string | undefined {
  if (report.dialect !== 'go') return undefined;
  for (const stack of [...report.accesses, ...report.creations]) {
    for (const frame of stack.frames) {
      const test = testFromFunction(frame.function);
      if (test) return test;
    }
  }
  return undefined;
}

/**
 * Reports whose stacks name no test take it from `go test` lines next to them: the first
 * `--- FAIL:` after the report, else the last `=== RUN` before it, never across another report.
 * Markers and reports are both in line order; each marker is looked at by at most two reports.
 */
function attachTestsFromMarkers(drafts: Draft[], markers: TestMarker[]): void {
  let first = 0;
  drafts.forEach((draft, i) => {
    draft.test = testFromStacks(draft.report);
    const previousEnd = drafts[i - 1]?.report.lastLine ?? -1;
    while (first < markers.length && markers[first]!.line <= previousEnd) first++;
    if (draft.test) return;
    const { firstLine, lastLine } = draft.report;
    const nextStart = drafts[i + 1]?.report.firstLine ?? Number.MAX_SAFE_INTEGER;
    let before: TestMarker | undefined;
    let after: TestMarker | undefined;
    for (let m = first; m < markers.length && markers[m]!.line < nextStart && !after; m++) {
      const marker = markers[m]!;
      if (marker.line < firstLine && !marker.after) before = marker;
      if (marker.line > lastLine && marker.after) after = marker;
    }
    draft.test = (after ?? before)?.name;
  });
}

function partialReason(report: ReportDraft): string | undefined {
  if (report.summaryOnly) return SUMMARY_ONLY;
  const reasons: string[] = [];
  const [only] = report.accesses;
  if (report.accesses[0]?.cutAbove) reasons.push('first access line missing: the text starts inside its stack');
  if (report.accesses.length === 1 && only) {
    reasons.push(
      only.previous
        ? 'current access missing: report starts at the previous access'
        : `second access missing${report.cutOff ? ': report cut off' : ''}`,
    );
  }
  report.accesses.forEach((access, i) => {
    const which = i === 0 ? 'first' : 'second';
    if (access.stackLost) reasons.push(`${which} access stack lost: failed to restore the stack`);
    else if (access.frames.length === 0) reasons.push(`${which} access has no frames: report cut off`);
  });
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** A summary naming only an allocator or runtime function tells nothing about the race. */
function saysSomething(report: RaceReport): boolean {
  return report.partialReason !== SUMMARY_ONLY || report.accesses[0]!.frames.some((f) => f.significant);
}

function finish({ report, test }: Draft, options: EngineOptions): RaceReport {
  const normalize = (frames: RawFrame[]) => frames.map((raw) => normalizeFrame(raw, report.dialect, options));
  const reason = partialReason(report);
  return {
    dialect: report.dialect,
    accesses: report.accesses.map((a) => ({
      kind: a.kind,
      atomic: a.atomic,
      previous: a.previous,
      actor: a.actor,
      frames: normalize(a.frames),
      stackLost: a.stackLost,
      cutAbove: a.cutAbove,
      cutBelow: a.cutBelow,
    })),
    creations: report.creations.map((c) => ({ actor: c.actor, frames: normalize(c.frames) })),
    ...(test ? { test } : {}),
    partial: reason !== undefined,
    ...(reason ? { partialReason: reason } : {}),
    span: [report.start, report.end],
    quoteDepth: report.quoteDepth,
  };
}
