import { describe, expect, it } from '@jest/globals';
import { MAX_COMMENT_LENGTH } from '../../src/triage/comment.js';
import { parseConfig } from '../../src/triage/config.js';
import { decide, type DecideInput } from '../../src/triage/decide.js';
import { code, plain } from '../../src/triage/markdown.js';
import { findMarker, MARKER_PREFIX, parseMarker, renderMarker } from '../../src/triage/marker.js';
import type { MarkerData } from '../../src/triage/types.js';
import { candidate, indexWorkerRace, issue, race } from './races.js';

const ZWJ = '\u200D';
const run = (overrides: Partial<DecideInput>) =>
  decide({
    issue: issue(),
    races: [indexWorkerRace],
    candidates: [candidate(41105, { exact: true })],
    config: parseConfig('').config,
    repoLabels: null,
    ...overrides,
  });

/** The comment with code spans removed: what GitHub renders as Markdown and HTML. */
const outsideCode = (text: string) => text.replace(/(`+)[^`]*?\1/g, '');

describe('quoted titles are shown as written, and do nothing else', () => {
  const hostile = [
    '@pingcap/sig-execution look <img src=x onerror=alert(1)> here',
    'race in `Close` | pipe ]] [click](javascript:alert(1)) #12345 *bold* _x_ \\ ~~gone~~ https://github.com/o/r/issues/1',
    'two\nlines\r\n# heading </details> <!-- comment -->',
  ];
  const comment = run({ candidates: hostile.map((title, i) => candidate(100 + i, { exact: true, title })) }).comment!;

  it('breaks mentions and references, escapes HTML and Markdown', () => {
    expect(comment).toContain(
      `- #100 (open) · same signature · @${ZWJ}pingcap/sig-execution look &lt;img src=x onerror=alert\\(1\\)&gt; here`,
    );
    expect(comment).toContain(
      `- #101 (open) · same signature · race in \\\`Close\\\` \\| pipe \\]\\] \\[click\\]\\(javascript:alert\\(1\\)\\) #${ZWJ}12345 \\*bold\\* \\_x\\_ \\\\ \\~\\~gone\\~\\~ https:${ZWJ}//github.com/o/r/issues/1`,
    );
    expect(comment).toContain('- #102 (open) · same signature · two lines # heading &lt;/details&gt; &lt;\\!-- comment --&gt;');
  });

  it('leaves no mention, no stray tag, and the marker as the only HTML comment', () => {
    const rendered = outsideCode(comment);
    expect(rendered).not.toMatch(/@[A-Za-z0-9]/);
    const tags = rendered.match(/<[^>]*>/g) ?? [];
    const marker = renderMarker(findMarker(comment)!);
    expect(new Set(tags)).toEqual(new Set([marker, '<details>', '</details>', '<summary>', '</summary>', '<sub>', '</sub>']));
    expect(comment.split(MARKER_PREFIX)).toHaveLength(2);
  });
});

describe('quoted function and test names', () => {
  const weird = race({
    fingerprint: 'v1:0000000000000001',
    test: 'Test`Evil`@team',
    sides: [
      { kind: 'write', actor: 'goroutine 7', frames: ['main main.f``x file.go:1'] },
      { kind: 'read', frames: ['main main.<script>@you file.go:2'] },
    ],
  });
  const comment = run({ races: [weird] }).comment!;

  it('sit in code spans fenced longer than any backticks they hold', () => {
    expect(comment).toContain('**Data race:** ```main.f``x``` (write) ↔ `main.<script>@you` (read) · caught by ``Test`Evil`@team``');
  });
});

describe('a report cut off after one access', () => {
  const partial = race({ fingerprint: 'v1p:9f8e7d6c5b4a3921', sides: [{ kind: 'write', actor: 'goroutine 9', frames: ['store/copr (*mppIterator).Close store/copr/mpp.go:301'] }] });

  it('names the access it has, says why the other is missing, and marks the signature partial', () => {
    const comment = run({ races: [partial] }).comment!;
    expect(comment).toContain(
      '**Data race:** `copr.(*mppIterator).Close` (write) ↔ an access not in the report (second access missing: report cut off) · signature `v1p:9f8e7d6c` (partial)',
    );
  });
});

describe('an issue with many races', () => {
  const races = Array.from({ length: 12 }, (_, i) =>
    race({ fingerprint: `v1:${String(i).padStart(16, '0')}`, sides: [{ kind: 'write', frames: [`p${i} p${i}.F f.go:1`] }, { kind: 'read', frames: [`q${i} q${i}.G g.go:2`] }] }),
  );

  it('lists ten on top and folds every one into the details', () => {
    const comment = run({ races }).comment!;
    expect(comment).toContain('\n10. `p9.F` (write) ↔ `q9.G` (read) · signature `v1:00000000`\n\nand 2 more, in the details below.\n');
    expect(comment).not.toContain('11. ');
    expect(comment).toContain('**Race 12:** `p11.F ↔ q11.G`');
  });
});

describe('markdown helpers', () => {
  it('code pads a span that starts or ends with a backtick', () => {
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('a\nb')).toBe('`a b`');
  });

  it('cut long text with a visible ellipsis', () => {
    expect(plain('x'.repeat(500))).toBe(`${'x'.repeat(199)}…`);
    expect(code('y'.repeat(500))).toBe(`\`${'y'.repeat(199)}…\``);
  });
});

describe("GitHub's 65,536-character limit", () => {
  const long = (i: number) => `pkg${i} (*${'VeryLong'.repeat(20)}${i}).${'Method'.repeat(25)} file${i}.go:${i}`;
  const manyRaces = (count: number) => Array.from({ length: count }, (_, i) =>
    race({
      fingerprint: `v1:${i.toString(16).padStart(16, '0')}`,
      test: `Test${'Name'.repeat(40)}${i}`,
      sides: [
        { kind: 'write', frames: [long(i), long(i + 1), long(i + 2), long(i + 3), long(i + 4)] },
        { kind: 'read', frames: [long(i + 5), long(i + 6), long(i + 7), long(i + 8), long(i + 9)] },
      ],
    }),
  );
  const races = manyRaces(40);
  const candidates = Array.from({ length: 20 }, (_, i) => candidate(1000 + i, { exact: true, title: '@x '.repeat(100) }));
  const config = parseConfig('max_duplicates: 20\nthresholds:\n  component_agreement: 0.01').config;
  const decision = run({ races, candidates, config });
  const comment = decision.comment!;

  it('is kept, with a visible note where the comment was cut', () => {
    expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(comment).toContain("_The rest of this comment was cut to stay within GitHub's 65,536-character limit._");
  });

  it('keeps the marker whole and the footer last, and closes what it folded', () => {
    expect(findMarker(comment)).toEqual(decision.marker);
    expect(decision.marker.fingerprints).toHaveLength(40);
    expect(comment.endsWith('<sub>Comment `/retriage` to run race-triage again, `/race help` to correct it. Settings: `.github/race-triage.yml`.</sub>')).toBe(true);
    expect(comment.match(/<details>/g)).toHaveLength(1);
    expect(comment.match(/<\/details>/g)).toHaveLength(1);
  });

  it('holds with far more races than fit on top', () => {
    const many = run({ races: manyRaces(300), candidates, config });
    expect(many.comment!.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(findMarker(many.comment!)).toEqual(many.marker);
    expect(many.comment!.match(/<details>/g)?.length ?? 0).toBe(many.comment!.match(/<\/details>/g)?.length ?? 0);
  });

  it('is not cut when it fits', () => {
    expect(run({}).comment).not.toContain('was cut');
  });
});

describe('the hidden marker', () => {
  const data: MarkerData = {
    v: 1,
    fingerprints: ['v1:45b5daa177fedf6b', 'v1p:0011223344556677'],
    labels: ['type/data-race', 'odd-->label<!--'],
    duplicates: [{ number: 41105, score: 1, exact: true }, { number: 39771, score: 0.82, exact: false }],
    declined: ['component/executor'],
  };

  it('round-trips, and no value can close the HTML comment early', () => {
    const line = renderMarker(data);
    expect(line.indexOf('-->')).toBe(line.length - 3);
    expect(findMarker(`${line}\nrest of the comment`)).toEqual(data);
  });

  it('is read only at the start of a comment, where the bot puts it', () => {
    expect(findMarker(`\n ${renderMarker(data)}\nbody`)).toEqual(data);
    expect(findMarker(`> ${renderMarker(data)}\nI agree with the bot`)).toBeUndefined();
    expect(findMarker(`Thanks!\n\n${renderMarker(data)}`)).toBeUndefined();
    expect(findMarker('<!-- some other bot {"v":1} -->')).toBeUndefined();
  });

  it.each([
    ['not JSON', '<!-- race-triage {v:1} -->'],
    ['unterminated', '<!-- race-triage {"v":1,"fingerprints":[],"labels":[],"duplicates":[]}'],
    ['another version', '<!-- race-triage {"v":2,"fingerprints":[],"labels":[],"duplicates":[]} -->'],
    ['labels that are not text', '<!-- race-triage {"v":1,"fingerprints":[],"labels":[{"name":"x"}],"duplicates":[]} -->'],
    ['a negative issue number', '<!-- race-triage {"v":1,"fingerprints":[],"labels":[],"duplicates":[{"number":-1,"score":1,"exact":true}]} -->'],
    ['a score above 1', '<!-- race-triage {"v":1,"fingerprints":[],"labels":[],"duplicates":[{"number":1,"score":9,"exact":true}]} -->'],
    ['an array', '<!-- race-triage [1,2,3] -->'],
    ['too many labels', `<!-- race-triage {"v":1,"fingerprints":[],"labels":${JSON.stringify(Array(101).fill('x'))},"duplicates":[]} -->`],
    ['a huge body', `<!-- race-triage {"v":1,"fingerprints":${JSON.stringify(Array(5000).fill('x'.repeat(20)))},"labels":[],"duplicates":[]} -->`],
  ])('forged or damaged (%s) reads as no marker', (_what, body) => {
    expect(findMarker(body)).toBeUndefined();
  });

  it('drops keys it does not know, including __proto__', () => {
    const forged = parseMarker('{"v":1,"fingerprints":[],"labels":[],"duplicates":[],"__proto__":{"polluted":true},"extra":1}');
    expect(forged).toEqual({ v: 1, fingerprints: [], labels: [], duplicates: [] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('where each race was reported, and why a duplicate matches', () => {
  const fromComment = { ...indexWorkerRace, origin: { kind: 'comment' as const, id: 77, url: 'https://github.com/pingcap/tidb/issues/7#issuecomment-77' } };

  it('links a race found in a comment, on top and in the details; the body is named as such', () => {
    const comment = run({ races: [indexWorkerRace, { ...fromComment, signature: { ...fromComment.signature, fingerprint: 'v2:00000000000000aa' } }] }).comment!;
    expect(comment).toContain(' · in [a comment](https://github.com/pingcap/tidb/issues/7#issuecomment-77) · signature `v2:00000000`');
    expect(comment).toContain('signature `v2:00000000000000aa`, reported in [a comment](https://github.com/pingcap/tidb/issues/7#issuecomment-77)');
    expect(comment).toContain('signature `v1:45b5daa177fedf6b`, reported in the issue body');
  });

  it('never links an address that is not a comment of a GitHub issue', () => {
    const hostile = { ...fromComment, origin: { kind: 'comment' as const, id: 77, url: 'javascript:alert(1)//https://github.com/a/b/issues/1#issuecomment-1' } };
    const comment = run({ races: [hostile] }).comment!;
    expect(comment).toContain(' · in a comment · ');
    expect(comment).not.toContain('javascript:');
  });

  it('names the frames matched, renamed, and left out because a paste stops early', () => {
    const explained = candidate(39771, {
      score: 0.86,
      explanation: [
        {
          race: 0,
          oneSided: false,
          sides: [
            { side: 0, otherSide: 1, same: ['distsql.(*selectResult).Close'], renamed: ['executor.(*IndexLookUpExecutor).startIndexWorker.func*'], compared: [2, 2], shown: [2, 2] },
            { side: 1, otherSide: 0, same: ['executor.ResetContextOfStmt', 'session.(*session).ExecuteStmt'], renamed: [], compared: [2, 2], shown: [2, 6] },
          ],
        },
      ],
    });
    const comment = run({ candidates: [explained] }).comment!;
    expect(comment).toContain(
      '- #39771: the side of `distsql.(*selectResult).Close`: 1 frame (`distsql.(*selectResult).Close`) the same, 1 frame (`executor.(*IndexLookUpExecutor).startIndexWorker.func*`) renamed; ' +
        'the side of `executor.ResetContextOfStmt`: 2 frames (`executor.ResetContextOfStmt`, `session.(*session).ExecuteStmt`) the same, 2 of its 6 frames compared, as this report\'s stack stops there',
    );
  });
});
