/**
 * Markdown, both ways: quoting untrusted text (issue titles, function and test names) in a
 * GitHub comment so it shows as written (no @mention or #reference that notifies anyone, no
 * raw HTML, no Markdown that breaks the lines around it), and reading the lines of a comment
 * or description that are not code.
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

/**
 * The lines of a text outside fenced code blocks, trailing blanks removed, in order. A fence
 * opens with three or more backticks or tildes (up to three leading spaces) and closes only
 * with a line of the same character, at least as long, and nothing else: a shorter fence
 * inside a longer one is code. An unclosed fence runs to the end, as on GitHub.
 */
export function* linesOutsideCode(text: string | null | undefined): Generator<string> {
  let fence: string | undefined;
  for (const raw of (text ?? '').split(/\r?\n/)) {
    const line = raw.trimEnd();
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (opener && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) fence = undefined;
      continue;
    }
    if (opener) {
      fence = opener;
      continue;
    }
    yield line;
  }
}
