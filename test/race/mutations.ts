/**
 * The ways GitHub issues mangle a pasted race report (race-format.md §3), as functions
 * from body to body, plus fast-check arbitraries that combine them. Decorations keep every
 * frame readable; damage (dropped lines, truncation) does not. Shared by the extractor and
 * signature property tests.
 */
import fc from 'fast-check';

export type Mutation = (body: string) => string;

const mapLines = (body: string, f: (line: string, index: number) => string): string =>
  body.split('\n').map(f).join('\n');

/** Decorations: each one leaves every frame of every report readable. */
export const decorations = {
  /** Bodies edited in the web UI come back with CRLF. */
  crlf: (body: string) => body.replace(/\r?\n/g, '\r\n'),
  /** A quoted reply: `> ` on every line, a bare `>` on blank ones. */
  quote: (body: string) => mapLines(body, (l) => (l === '' ? '>' : `> ${l}`)),
  /** A reply quoting a reply. */
  quoteTwice: (body: string) => mapLines(body, (l) => `> > ${l}`),
  /** Jenkins Timestamper (TiDB CI). */
  jenkinsTimestamps: (body: string) => mapLines(body, (l) => `[2021-08-03T03:51:55.918Z] ${l}`),
  /** GitHub Actions raw log copied with its line numbers. */
  actionsTimestamps: (body: string) =>
    mapLines(body, (l, i) => ` ${13044 + i} 2024-08-09T01:45:13.${String(2083331 + i).padStart(7, '0')}Z ${l}`),
  /** A web log viewer gutter, which also loses the indentation. */
  gutter: (body: string) => mapLines(body, (l, i) => `${150 + i} | ${l.trimStart()}`),
  /** journald or syslog in front of every line of a service's output. */
  journald: (body: string) => mapLines(body, (l) => `nov 20 23:05:12 host prog[91534]: ${l}`),
  /** ctest prefixes every line with the test number. */
  ctestPrefix: (body: string) => mapLines(body, (l) => `368: ${l}`),
  /** Everything flush left. */
  loseIndentation: (body: string) => mapLines(body, (l) => l.trimStart()),
  /** Indentation with tabs instead of spaces. */
  tabs: (body: string) => mapLines(body, (l) => l.replace(/^ +/, (s) => '\t'.repeat(Math.ceil(s.length / 4)))),
  /** Every line followed by an empty one. */
  doubleSpace: (body: string) => body.replace(/\n/g, '\n\n'),
  /** All blank lines removed. */
  collapseBlankLines: (body: string) => body.replace(/\n(?:[ \t]*\n)+/g, '\n'),
  /** A fenced code block. */
  fence: (body: string) => `Output:\n\n\`\`\`console\n${body}\n\`\`\`\n`,
  /** A fence glued to the first line of the report. */
  gluedFence: (body: string) => `\`\`\`${body.replace(/^\n+/, '')}\n\`\`\``,
  /** A collapsed `<details>` block. */
  details: (body: string) => `<details><summary><code>race log</code></summary>\n\n${body}\n</details>\n`,
  /** Hand-escaped HTML, as in reports pasted inside `<pre>`. */
  htmlEntities: (body: string) =>
    body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\+/g, '&#43;'),
  /** Frames copied from the rendered page, where GitHub linked every domain-like symbol. */
  autolinkedFrames: (body: string) =>
    mapLines(body, (l) => l.replace(/^(\s*)(\S+\.\S+\/\S*\(\))$/, '$1[$2](http://$2)')),
  /** Prose before and after the report. */
  prose: (body: string) => `Seen on master today, see the log below.\n\n${body}\n\nPlease take a look.\n`,
  /** TiDB log lines between the header and the stacks, as in seeds 003 and 004. */
  interleavedLogLines: (body: string) =>
    mapLines(body, (l) =>
      /^\s*(?:Previous |Goroutine \d)/.test(l)
        ? `[2022/12/08 22:45:28.632 +08:00] [WARN] [mpp.go:255] ["mpp dispatch meet io error"]\n${l}`
        : l,
    ),
} satisfies Record<string, Mutation>;

export type DecorationName = keyof typeof decorations;
export const decorationNames = Object.keys(decorations) as DecorationName[];

/** Damage: drop the given line numbers (modulo the line count). */
export const dropLines = (body: string, indices: number[]): string => {
  const lines = body.split('\n');
  const drop = new Set(indices.map((i) => i % Math.max(lines.length, 1)));
  return lines.filter((_, i) => !drop.has(i)).join('\n');
};

/** Damage: cut the body off at a fraction of its length, mid-line if need be. */
export const truncate = (body: string, fraction: number): string =>
  body.slice(0, Math.floor(body.length * Math.min(Math.max(fraction, 0), 1)));

/**
 * A sequence of distinct decorations, applied in order. Distinct, because escaping HTML twice
 * is a different text (`&amp;lt;`), not a decoration of the same one.
 */
export const decorationSequence = fc.uniqueArray(fc.constantFrom(...decorationNames), { minLength: 1, maxLength: 4 });

export const applyDecorations = (body: string, names: DecorationName[]): string =>
  names.reduce((text, name) => decorations[name](text), body);

/** Any mutation at all, decoration or damage, for never-throws properties. */
export const anyMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...decorationNames).map((name) => decorations[name] as Mutation),
  fc.array(fc.nat(), { maxLength: 20 }).map((indices) => (body: string) => dropLines(body, indices)),
  fc.double({ min: 0, max: 1, noNaN: true }).map((fraction) => (body: string) => truncate(body, fraction)),
);

/** Report-shaped lines in random order: the grammar's pieces, for random bodies. */
export const reportLine = fc.constantFrom(
  '==================',
  'WARNING: DATA RACE',
  'Write at 0x00c0000ac088 by goroutine 8:',
  'Previous read at 0x00c0000ac088 by goroutine 7:',
  'Read by main goroutine:',
  'Goroutine 8 (running) created at:',
  '  example.com/shop/cart.(*Cart).Add()',
  '      /home/ci/src/shop-v1/cart/cart.go:14 +0xc4',
  '  [failed to restore the stack]',
  '      <autogenerated>:1 +0x24',
  'WARNING: ThreadSanitizer: data race (pid=12)',
  'WARNING: ThreadSanitizer: heap-use-after-free (pid=12)',
  '  Write of size 8 at 0x7b140000f730 by thread T17:',
  '  Previous atomic read of size 4 at 0x7b140000f730 by main thread (mutexes: write M1):',
  '    #0 free <null> (vhds_integration_test+0x282f3f4)',
  '    #1 main /a/b.c:12:5 (a.out+0x12) (BuildId: abcd)',
  '  Thread T1 (tid=5022, running) created by main thread at:',
  'SUMMARY: ThreadSanitizer: data race /a/b.c:12 in main',
  '--- FAIL: TestCheckout (0.00s)',
  '```',
  '> ',
  '[2021-08-03T03:51:55.918Z] ',
  '',
  '(((((((((((',
  '&lt;&amp;&#43;&#x1F600;&#99999999;',
);
