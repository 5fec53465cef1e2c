import { describe, expect, it } from '@jest/globals';
import { analyse, MAX_BODY_CHARS, MAX_RACES } from '../../src/race/index.js';

/** A Go race between `pkg.Write<n>` and `pkg.Read<n>`: a different race for every n. */
const report = (n: number) =>
  [
    '==================',
    'WARNING: DATA RACE',
    'Write at 0x00c000100000 by goroutine 7:',
    `  example.com/app/store.Write${n}()`,
    '      /src/store/store.go:10 +0x1',
    '',
    'Previous read at 0x00c000100000 by goroutine 8:',
    `  example.com/app/store.Read${n}()`,
    '      /src/store/store.go:20 +0x2',
    '==================',
  ].join('\n');

describe('analyse', () => {
  it('finds nothing in an empty or missing body', () => {
    expect(analyse('')).toEqual([]);
    expect(analyse(null)).toEqual([]);
    expect(analyse(undefined)).toEqual([]);
  });

  it('keeps one race per fingerprint, in report order', () => {
    const races = analyse([report(1), report(2), report(1)].join('\n'));
    expect(races.map((r) => r.signature.title)).toEqual(['store.Read1 ↔ store.Write1', 'store.Read2 ↔ store.Write2']);
  });

  it(`keeps at most ${MAX_RACES} races from one body, the first ones`, () => {
    const body = Array.from({ length: MAX_RACES + 10 }, (_, i) => report(i)).join('\n');
    const races = analyse(body);
    expect(races).toHaveLength(MAX_RACES);
    expect(races.at(-1)?.signature.title).toBe(`store.Read${MAX_RACES - 1} ↔ store.Write${MAX_RACES - 1}`);
  });

  it(`reads the first ${MAX_BODY_CHARS} characters and ignores the rest`, () => {
    const filler = 'log line\n'.repeat(Math.ceil(MAX_BODY_CHARS / 9));
    expect(analyse(report(1) + '\n' + filler + report(2)).map((r) => r.signature.title)).toEqual(['store.Read1 ↔ store.Write1']);
  });
});
