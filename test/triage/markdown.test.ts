import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_COMMENT_LENGTH } from '../../src/triage/comment.js';
import { DEFAULT_CONFIG } from '../../src/triage/config.js';
import { decide } from '../../src/triage/decide.js';
import { code, linesOutsideCode, plain } from '../../src/triage/markdown.js';
import { findMarker } from '../../src/triage/marker.js';
import { candidate, issue, race } from './races.js';

/** Characters Markdown or GitHub act on, mixed into arbitrary text. */
const hostile = fc.string({
  unit: fc.oneof(fc.constantFrom(...'`@#<>[]()|*_~!\\&:/\n\r\t'.split(''), 'http://', '</details>', '-->', 'GH-', 'gh-1', 'www.', 'WWW.'), fc.string({ unit: 'grapheme', maxLength: 3 })),
  maxLength: 400,
});

describe('plain', () => {
  it('leaves every active character escaped, on one line, and nothing to mention or link', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = plain(text);
        expect(out).not.toMatch(/[\n\r<>]/);
        // Every Markdown punctuation character that acts inline is backslash-escaped.
        expect(out.replace(/\\[\\`*_{}[\]()!|~]/g, '')).not.toMatch(/[\\`*_{}[\]()!|~]/);
        expect(out).not.toMatch(/[@#][A-Za-z0-9_]/);
        expect(out).not.toContain('://');
        expect(out).not.toMatch(/\bgh-\d/i);
        expect(out).not.toMatch(/\bwww\./i);
        // `&` only as the start of the entities it wrote.
        expect(out.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }),
    );
  });

  it('turns neither GH-123 nor www. into a reference or a link', () => {
    expect(plain('fixed in GH-123, see www.example.com')).toBe('fixed in GH\u200D-123, see www\u200D.example.com');
  });
});

describe('code', () => {
  it('is always one code span on one line, whatever backticks it holds', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = code(text);
        expect(out).not.toMatch(/[\n\r]/);
        const fence = /^`+/.exec(out)![0];
        expect(out.endsWith(fence)).toBe(true);
        const inner = out.slice(fence.length, out.length - fence.length);
        // No run of exactly the fence's length inside, so the span cannot close early.
        expect((inner.match(/`+/g) ?? []).every((run) => run.length !== fence.length)).toBe(true);
        expect(inner.startsWith('`') || inner.endsWith('`')).toBe(false);
      }),
    );
  });
});

describe('a whole decision on hostile input', () => {
  it('never throws, stays under the limit and reads its marker back', () => {
    fc.assert(
      fc.property(hostile, hostile, fc.integer({ min: 1, max: 60 }), (title, name, count) => {
        const spec = `pkg ${name.replace(/\s/g, '_') || 'x'} f.go:1`;
        const races = Array.from({ length: count }, (_, i) =>
          race({ fingerprint: `v1:${i}`, test: name, sides: [{ kind: 'write', frames: [spec, spec] }, { kind: 'read', frames: [spec] }] }),
        );
        const decision = decide({
          issue: issue({ title }),
          races,
          candidates: [candidate(1, { exact: true, title }), candidate(2, { score: 0.9, title: name })],
          config: DEFAULT_CONFIG,
          repoLabels: null,
        });
        expect(decision.comment!.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
        expect(findMarker(decision.comment!)).toEqual(decision.marker);
      }),
      { numRuns: 50 },
    );
  });
});

describe('linesOutsideCode', () => {
  const outside = (text: string | null) => [...linesOutsideCode(text)];

  it('skips fenced code, backticks or tildes, with up to three leading spaces', () => {
    expect(outside('a\n```go\nb\n```\nc\n   ~~~\nd\n   ~~~\ne  ')).toEqual(['a', 'c', 'e']);
    expect(outside('a\r\n```\r\nb\r\n```\r\nc')).toEqual(['a', 'c']);
    expect(outside('    ```\nindented: no fence')).toEqual(['    ```', 'indented: no fence']);
  });

  it('a shorter fence, another character or a line with more on it does not close a fence', () => {
    expect(outside('````\n```\nstill code\n````\nout')).toEqual(['out']);
    expect(outside('```\n~~~\nstill code\n``` go\nstill code\n`````\nout')).toEqual(['out']);
  });

  it('an unclosed fence runs to the end', () => {
    expect(outside('a\n```\nb\nc')).toEqual(['a']);
    expect(outside(null)).toEqual(['']);
  });
});
