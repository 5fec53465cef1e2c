/**
 * The issues a pull request's description says it closes, as GitHub reads closing keywords
 * (`close`, `closes`, `closed`, `fix`, `fixes`, `fixed`, `resolve`, `resolves`, `resolved`,
 * any case, an optional colon) before each reference: `#12`, `owner/repo#12` or an issue's
 * address. TiDB's template line `Issue Number: close #A, close #B` is two of them; `ref #C`
 * only mentions #C. Lines in fenced code and quotes are not read. Pure text; no request.
 */
import { linesOutsideCode } from './markdown.js';

export interface ClosingReference {
  number: number;
  /** `owner/name`, lower-cased, when the reference names a repository. */
  repo?: string;
}

/** More than any real description closes; bounds the work on a hostile one. */
const MAX_REFERENCES = 50;

const KEYWORD = String.raw`\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+`;
const REFERENCE = String.raw`(?:([\w.-]+\/[\w.-]+)?#(\d{1,9})|https:\/\/[\w.-]+\/([\w.-]+\/[\w.-]+)\/issues\/(\d{1,9}))\b`;
const PATTERN = new RegExp(KEYWORD + REFERENCE, 'gi');

export function closingReferences(description: string | null | undefined): ClosingReference[] {
  const found = new Map<string, ClosingReference>();
  for (const line of linesOutsideCode(description)) {
    if (/^ {0,3}>/.test(line)) continue;
    for (const match of line.matchAll(PATTERN)) {
      const repo = (match[1] ?? match[3])?.toLowerCase();
      const number = Number(match[2] ?? match[4]);
      if (!Number.isInteger(number) || number <= 0) continue;
      found.set(`${repo ?? ''}#${number}`, { number, ...(repo ? { repo } : {}) });
      if (found.size >= MAX_REFERENCES) return [...found.values()];
    }
  }
  return [...found.values()];
}
