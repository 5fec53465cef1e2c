/**
 * Properties of the extractor over untrusted input: it never throws, its output is well
 * formed, and decoration of a real report never changes what is read from it.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { extractReports } from '../../src/race/extract.js';
import type { RaceReport } from '../../src/race/types.js';
import { readFixtures } from './fixture-file.js';
import { anyMutation, applyDecorations, decorationSequence, reportLine } from './mutations.js';
import { reportView } from './report-view.js';

const realBodies = readFixtures().map((f) => f.body);
/** Bodies with races; already-escaped ones are left out, since escaping them again is not decoration. */
const bodiesWithRaces = realBodies.filter((body) => extractReports(body).length > 0 && !/&#?\w+;/.test(body));

/** Spans inside the body, in order, not overlapping; every report has a frame; reasons match `partial`. */
function expectWellFormed(body: string, reports: RaceReport[]): void {
  let previousEnd = 0;
  for (const report of reports) {
    const [start, end] = report.span;
    expect(start).toBeGreaterThanOrEqual(previousEnd);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(end).toBeLessThanOrEqual(body.length);
    previousEnd = end;
    expect(report.accesses.length).toBeGreaterThan(0);
    expect(report.accesses.length).toBeLessThanOrEqual(2);
    expect(report.accesses.some((a) => a.frames.length > 0)).toBe(true);
    expect(report.partial).toBe(report.partialReason !== undefined);
  }
}

describe('extractReports on untrusted input', () => {
  test('random text never throws and gives well-formed output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (body) => {
        expectWellFormed(body, extractReports(body));
      }),
      { numRuns: 300 },
    );
  });

  test('random sequences of report-shaped lines never throw and give well-formed output', () => {
    const body = fc
      .tuple(fc.array(fc.tuple(reportLine, reportLine), { maxLength: 80 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([pairs, eol]) => pairs.map(([a, b]) => a + b).join(eol));
    fc.assert(
      fc.property(body, (text) => {
        expectWellFormed(text, extractReports(text));
      }),
      { numRuns: 300 },
    );
  });

  test('real reports with lines dropped, cut off or decorated never throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...realBodies),
        fc.array(anyMutation, { minLength: 1, maxLength: 5 }),
        (body, mutations) => {
          const mutated = mutations.reduce((text, mutate) => mutate(text), body);
          expectWellFormed(mutated, extractReports(mutated));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('decoration never changes the frames, kinds, sides or test read from a real report', () => {
    fc.assert(
      fc.property(fc.constantFrom(...bodiesWithRaces), decorationSequence, (body, names) => {
        const expected = extractReports(body).map(reportView);
        expect(extractReports(applyDecorations(body, names)).map(reportView)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
