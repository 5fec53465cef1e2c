/**
 * Quoting untrusted text (issue titles, function and test names) in a GitHub comment so it
 * shows as written: no @mention or #reference that notifies anyone, no raw HTML, and no
 * Markdown that breaks the lines around it.
 */

/** Longest quoted piece of text; longer ones are cut with an ellipsis. */
const MAX_QUOTED = 200;
/** Joins without showing: after `@` or `#` it stops GitHub from linking a mention or reference. */
const JOINER = '\u200D';

/**
 * Text as plain inline Markdown, every active character escaped. Links and references are not
 * made either (URLs, `www.` hosts, `GH-123`): a quoted issue URL would otherwise show up on
 * that issue as a cross-reference.
 */
export function plain(text: string, max = MAX_QUOTED): string {
  return clip(oneLine(text), max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()!|~]/g, '\\$&')
    .replace(/([@#])(?=\w)/g, `$1${JOINER}`)
    .replace(/:\/\//g, `:${JOINER}//`)
    // `GH-123` is a cross-reference and `www.host` a link, even without a scheme.
    .replace(/\b(gh)-(?=\d)/gi, `$1${JOINER}-`)
    .replace(/\b(www)\./gi, `$1${JOINER}.`);
}

/** Text as an inline code span, fenced with more backticks than it contains. */
export function code(text: string, max = MAX_QUOTED): string {
  const body = clip(oneLine(text), max);
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Control characters and line breaks become spaces, so quoted text stays on its line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
