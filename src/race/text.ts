/**
 * Text cleanup for pasted race reports (race-format.md §4.1): split an untrusted body
 * into lines with their offsets, then strip the decoration GitHub issues add to each
 * line (quotes, CI timestamps and gutters, glued code fences, HTML tags and entities).
 * Every step is a bounded, anchored match on one line, so the cost is linear in the body.
 */

/** Lines longer than this are never scanned with a regex: they are classified as unknown. */
export const MAX_LINE_LENGTH = 4096;

/** One line of the body after decoration stripping. */
export interface CleanLine {
  /** The line's content with decoration and surrounding whitespace removed: indentation means nothing. */
  text: string;
  /** Offset of the line's first character in the original body. */
  start: number;
  /** Offset just past the line's last character (before its line break). */
  end: number;
  /** How many `>` quote levels were stripped. */
  quoteDepth: number;
  /** True when the line was a code-fence marker with nothing else on it. */
  fence: boolean;
  /** True when the line was too long to be read. */
  overlong: boolean;
}

const ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** `&lt;`, `&#43;`, `&#x27;`: the few entities that appear when a report passes through HTML. */
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-z]{2,4}));/g;

/** Decode the HTML entities that hand-escaped or rendered-and-copied reports contain. */
export function decodeEntities(line: string): string {
  if (!line.includes('&')) return line;
  return line.replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return ENTITIES[name] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex ?? '', 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** `> ` quoting, possibly nested and possibly without the space. */
const QUOTES = /^(?:[ \t]*>[ \t]?)+/;

/**
 * Prefixes that CI systems and log viewers put before every line (race-format.md §3.7).
 * They are tried in order; each is anchored and bounded.
 */
const CI_PREFIXES: RegExp[] = [
  // journalctl -o short-iso: 2026-11-20T23:05:12+0000 host prog[91534]:  (before the Actions timestamp)
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?[ \t]+[\w.-]{1,64}[ \t]+[\w./@-]{1,64}(?:\[\d{1,10}\])?: ?/,
  // Jenkins Timestamper: [2021-08-03T03:51:55.918Z]
  /^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\] ?/,
  // GitHub Actions raw log, optionally with a copied line number: 13044 2024-08-09T01:45:13.2083331Z
  /^[ \t]*(?:\d{1,9}[ \t]+)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/,
  // Web log viewer gutter: 151 | 
  /^[ \t]*\d{1,9}[ \t]?\|[ \t]?/,
  // ctest output: 368: 
  /^[ \t]*\d{1,9}: /,
  // goreman / docker compose: 11:05:58      etcd1 | 
  /^\d{2}:\d{2}:\d{2}[ \t]+[\w.-]{1,64}[ \t]+\|[ \t]?/,
  // Taskcluster: [task 2020-11-02T16:29:44.041Z] 16:29:44     INFO - GECKO(3384) | 
  /^\[task [^\]]{1,40}\] \d{2}:\d{2}:\d{2}[ \t]+[A-Z]{1,8} - [\w()]{1,40} \| ?/,
  // Prow / testgrid "Failed" cell opening
  /^\{Failed[ \t]+/,
];

/** syslog and journalctl's default: `Nov 20 23:05:12 host prog[91534]: `. Starts with a letter, so it is tried apart. */
const SYSLOG_PREFIX = /^[A-Za-z]{3}[ \t]+\d{1,2}[ \t]+\d{2}:\d{2}:\d{2}[ \t]+[\w.-]{1,64}[ \t]+[\w./@-]{1,64}(?:\[\d{1,10}\])?: ?/;

/** A code fence marker at the line start, with its info string when nothing else follows. */
const FENCE_ONLY = /^[ \t]*(?:`{3,}|~{3,})[\w+-]{0,20}[ \t]*$/;
/** A fence glued to the start of a report line: ```================== */
const FENCE_GLUED = /^[ \t]*(?:`{3,}|~{3,})/;

/**
 * A frame copied from the rendered page, where GitHub had turned the domain-like symbol into
 * a link: `[github.com/pkg.(*T).F()](http://github.com/pkg.(*T).F())` (pingcap/tidb#44818).
 */
const AUTOLINK_TARGET = /^\]\(https?:\/\/\S*\)[ \t]*$/;

function unlink(text: string): string {
  if (firstNonBlank(text) !== '[') return text;
  const open = text.indexOf('[');
  const close = text.indexOf('](http');
  if (close < open) return text;
  return AUTOLINK_TARGET.test(text.slice(close)) ? text.slice(open + 1, close) : text;
}

/** HTML tags that wrap pasted logs, at the line edges only (never inside a frame). */
const LEADING_TAGS = /^[ \t]*(?:<\/?(?:details|summary|pre|code|p|br|samp|kbd)\b[^<>]{0,200}>[ \t]*)+/i;
const TRAILING_TAGS = /(?:[ \t]*<\/?(?:details|summary|pre|code|p|br|samp|kbd)\b[^<>]{0,200}>)+[ \t]*$/i;

/** Decoration layers can nest (a quoted CI log); the loop is bounded by this many passes. */
const MAX_STRIP_PASSES = 6;

interface Stripped {
  text: string;
  quoteDepth: number;
  fence: boolean;
}

/** First characters (after blanks) a decorated line can start with; other lines skip the regexes. */
const DECORATION_FIRST_CHARS = new Set('[0123456789{`~<>');

/** Strip quotes, CI prefixes, glued fences, autolinks and edge HTML tags from one line. */
export function stripDecoration(raw: string): Stripped {
  let text = decodeEntities(raw);
  let quoteDepth = 0;
  for (let pass = 0; pass < MAX_STRIP_PASSES; pass++) {
    if (!DECORATION_FIRST_CHARS.has(firstNonBlank(text)) && !endsWithTag(text) && !SYSLOG_PREFIX.test(text)) break;
    const before = text;
    const quotes = QUOTES.exec(text);
    if (quotes) {
      quoteDepth += countChar(quotes[0], '>');
      text = text.slice(quotes[0].length);
    }
    for (const prefix of CI_PREFIXES) text = text.replace(prefix, '');
    text = text.replace(SYSLOG_PREFIX, '');
    if (FENCE_ONLY.test(text)) return { text: '', quoteDepth, fence: true };
    text = text.replace(FENCE_GLUED, '').replace(LEADING_TAGS, '');
    if (endsWithTag(text)) text = text.replace(TRAILING_TAGS, '');
    if (text === before) break;
  }
  // Last, once every prefix is gone: a Jenkins timestamp also starts with `[`.
  return { text: unlink(text), quoteDepth, fence: false };
}

function firstNonBlank(text: string): string {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return text.charAt(i);
}

/** True when the last non-blank character is `>`, the only way an edge tag can end a line. */
function endsWithTag(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  return i >= 0 && text.charCodeAt(i) === 62;
}

function countChar(text: string, char: string): number {
  let count = 0;
  for (const c of text) if (c === char) count++;
  return count;
}

/** Split a body into decoration-free, non-blank lines, keeping each line's offsets in the original text. */
export function cleanLines(body: string): CleanLine[] {
  const lines: CleanLine[] = [];
  let start = 0;
  const length = body.length;
  // Next \n and \r at or after `start`, each found once per occurrence: linear overall.
  let newline = -1;
  let carriageReturn = -1;
  while (start <= length) {
    if (newline < start) newline = indexOrEnd(body, '\n', start);
    if (carriageReturn < start) carriageReturn = indexOrEnd(body, '\r', start);
    const end = Math.min(newline, carriageReturn);
    if (end - start > MAX_LINE_LENGTH) {
      lines.push({ text: '', start, end, quoteDepth: 0, fence: false, overlong: true });
    } else if (end > start) {
      const { text, quoteDepth, fence } = stripDecoration(body.slice(start, end));
      const trimmed = text.trim();
      // Blank lines mean nothing (pasting doubles or drops them), so they are not kept.
      if (trimmed !== '' || fence) lines.push({ text: trimmed, start, end, quoteDepth, fence, overlong: false });
    }
    if (end >= length) break;
    // \r\n counts as one break; a lone \r is a break too.
    start = body.charCodeAt(end) === 13 && body.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
  }
  stripLearnedPrefixes(lines);
  return lines;
}

function indexOrEnd(body: string, char: string, from: number): number {
  const index = body.indexOf(char, from);
  return index < 0 ? body.length : index;
}

/** A report header with unknown text before it: that text is a prefix on every line of the block. */
const PREFIXED_HEADER = /^(.{1,120}?)\s*WARNING: (?:DATA RACE|ThreadSanitizer: )/;

/**
 * CI systems not in CI_PREFIXES (race-format.md §3.7 rule): learn the prefix from the line
 * holding the header, as a pattern where digit and blank runs may vary, and strip it from
 * that line and the following ones, until a header with another prefix (or none) comes.
 */
function stripLearnedPrefixes(lines: CleanLine[]): void {
  let learned: RegExp | undefined;
  for (const line of lines) {
    if (line.text.includes('WARNING: ')) {
      const prefix = PREFIXED_HEADER.exec(line.text)?.[1];
      learned = prefix ? prefixPattern(prefix) : undefined;
    }
    if (!learned) continue;
    const match = learned.exec(line.text);
    if (!match) continue;
    if (match[0].length < line.text.length) line.text = line.text.slice(match[0].length).trim();
    // A line that is nothing but the prefix is a blank line of the log, unless the prefix is a
    // separator glued to the header (`==================WARNING: ...`), which is left alone.
    else if (/[\p{L}\d]/u.test(match[0])) line.text = '';
  }
}

/** Literal text, with `\d+` for digit runs and `\s+` for blank runs: never two adjacent quantifiers of one class. */
function prefixPattern(prefix: string): RegExp {
  const pattern = prefix
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\d+/g, '\\d+')
    .replace(/\s+/g, '\\s+');
  return new RegExp(`^${pattern}\\s*`);
}
