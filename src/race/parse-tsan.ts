/**
 * Line shapes of C/C++/Rust ThreadSanitizer output (race-format.md §2.3).
 * Input is one trimmed line, already free of decoration and capped in length.
 * Frames are split by position, not by one big regex: C++ names contain spaces and parentheses.
 */
import type { LineShape } from './lines.js';
import type { AccessKind, RawFrame } from './types.js';

const HEADER = /^WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?$/;
const ACCESS =
  /^(Previous )?(atomic )?(read|write) of size \d+ at 0x[0-9a-f]+ by (main thread|thread T\d+)(?: \(mutexes: [^)]*\))?:$/i;
/** Accesses to external objects (Swift, annotated libraries). */
const EXTERNAL_ACCESS =
  /^(Previous )?(modifying|read-only) access of .+? at 0x[0-9a-f]+ by (main thread|thread T\d+)(?: \(mutexes: [^)]*\))?:$/i;
const THREAD = /^Thread T(\d+)(?: '[^']*')? \(tid=\d+, (?:running|finished)\) created by (?:main thread|thread T\d+)(?: at:)?$/;
const CONTEXT = /^(?:Location is |Mutex M\d+|As if synchronized via sleep:$|Thread T\d+.* is a GCD worker thread$)/;
const END = /^ThreadSanitizer: reported \d+ warnings$/;
/**
 * `SUMMARY: ThreadSanitizer: data race /a/b.c:10:5 in worker` (older runtimes: `... /a/b.c:10 worker`).
 * The location is one token: `file:line[:col]`, `??:?`, a bare path, or `(module+0xoff)`.
 */
const SUMMARY = /^SUMMARY: ThreadSanitizer: (data race(?: on vptr \(ctor\/dtor vs virtual call\))?|race on external object) (\S+) (?:in )?(.+)$/;
const CONTEXT_OR_END_START = 'STLMA';
const FRAME_NUMBER = /^#\d+\s+(?:0x[0-9a-fA-F]+ in )?/;
/** `(bin+0x12)`, `(lib.dylib:arm64+0xc46fc)`, `(0x4a5b2c)`. */
const MODULE = /^\((?:[^()]+?\+0x[0-9a-fA-F]+|0x[0-9a-fA-F]+)\)$/;
const BUILD_ID = / \(BuildId: [0-9a-fA-F]+\)$/;
const BUILD_ID_INSIDE = / \(BuildId: [0-9a-fA-F]+\)/;
/** `file:line:col`, `file:line`, `??:?`, or a bare file. */
const FILE_LINE = /^(.*?)(?::(\d+|\?))?(?::\d+)?$/;

export function classifyTsanLine(line: string): LineShape | undefined {
  const first = line.charCodeAt(0);
  if (first === 35 /* # */ && /^#\d/.test(line)) {
    const frame = parseFrame(line);
    return frame ? { kind: 'frame', frame } : { kind: 'unknown' };
  }
  if (line.startsWith('WARNING: ThreadSanitizer:')) {
    const header = HEADER.exec(line);
    // `data race`, `data race on vptr ...`, `race on external object`, Swift's `access race`;
    // not use-after-free, thread leak, lock-order inversion, mutex misuse or signal reports.
    if (header) return { kind: 'header', dialect: 'tsan', race: /\brace\b/.test(header[1]!) };
  }
  if (line.endsWith(':')) {
    const access = ACCESS.exec(line);
    if (access) {
      return {
        kind: 'access',
        dialect: 'tsan',
        previous: access[1] !== undefined,
        atomic: access[2] !== undefined,
        access: access[3]!.toLowerCase() as AccessKind,
        actor: access[4]!,
      };
    }
    const external = EXTERNAL_ACCESS.exec(line);
    if (external) {
      return {
        kind: 'access',
        dialect: 'tsan',
        previous: external[1] !== undefined,
        atomic: false,
        access: external[2]!.toLowerCase() === 'modifying' ? 'write' : 'read',
        actor: external[3]!,
      };
    }
    const thread = THREAD.exec(line);
    if (thread) return { kind: 'creation', dialect: 'tsan', actor: `thread T${thread[1]}` };
  }
  // Only lines starting with one of `SUMMARY`, `ThreadSanitizer`, `Thread`, `Location`, `Mutex`, `As if`
  // (or the `and:` between stacks) can close a report or open a context stack.
  if (line === 'and:') return { kind: 'context' };
  if (CONTEXT_OR_END_START.includes(line[0]!)) {
    if (line.startsWith('SUMMARY: ThreadSanitizer: ')) return summaryOf(line);
    if (END.test(line)) return { kind: 'end' };
    if (CONTEXT.test(line)) return { kind: 'context' };
  }
  return undefined;
}

function summaryOf(line: string): LineShape {
  const summary = SUMMARY.exec(line.replace(BUILD_ID_INSIDE, ''));
  if (!summary) return { kind: 'summary' };
  const location = summary[2]!.startsWith('(') ? ['', ''] : FILE_LINE.exec(summary[2]!)!;
  const file = location[1] === '??' ? '' : (location[1] ?? '');
  const lineNumber = location[2] && location[2] !== '?' ? Number(location[2]) : 0;
  return { kind: 'summary', frame: { function: summary[3]!.trim(), file, line: lineNumber } };
}

/** `#0 func file:line:col (module+0xoff) (BuildId: ..)`: the location is the last token before the module. */
function parseFrame(line: string): RawFrame | undefined {
  let rest = line.replace(FRAME_NUMBER, '').replace(BUILD_ID, '');
  const open = rest.lastIndexOf(' (');
  if (open > 0 && MODULE.test(rest.slice(open + 1))) rest = rest.slice(0, open).trimEnd();
  const space = rest.search(/\s\S*$/);
  if (space <= 0) return rest ? { function: rest, file: '', line: 0 } : undefined;
  const fn = rest.slice(0, space).trim();
  const location = FILE_LINE.exec(rest.slice(space + 1))!;
  const file = location[1] === '<null>' ? '' : location[1]!;
  const lineNumber = location[2] && location[2] !== '?' ? Number(location[2]) : 0;
  return { function: fn, file, line: lineNumber };
}
