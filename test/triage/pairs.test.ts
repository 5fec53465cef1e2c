/** What stored pairs mean for a comment (pure), and which issues a pull request's description closes. */
import { describe, expect, test } from '@jest/globals';
import { closingReferences } from '../../src/triage/closing-refs.js';
import { confirmedGroup, excludedIssues, MAX_CONFIRMED, sameFixOf } from '../../src/triage/pairs.js';
import type { IssuePair } from '../../src/triage/types.js';

const at = '2026-01-01T00:00:00Z';
const dup = (issue: number, other: number, user = 'dave'): IssuePair => ({ issue, other, kind: 'confirmed-dup', source: { kind: 'command', user }, at });
const notDup = (issue: number, other: number): IssuePair => ({ issue, other, kind: 'not-dup', source: { kind: 'command', user: 'dave' }, at });

describe('closingReferences', () => {
  test.each([
    ['Issue Number: close #41105, close #41110', [41105, 41110]],
    ['Issue Number: close #41105, ref #41110', [41105]],
    ['Fixes #1\nresolves: #2\nCloses pingcap/tidb#3 and closed #4', [1, 2, 3, 4]],
    ['fix https://github.com/pingcap/tidb/issues/5', [5]],
    ['> close #6\n```\nclose #7\n```\nprefix#8 close#9', []],
    ['This closes no issue; see #10.', []],
    ['FIXED #11 fixes #11', [11]],
  ])('%j -> %j', (body, numbers) => {
    expect(closingReferences(body).map((r) => r.number)).toEqual(numbers);
  });

  test('a shorter fence inside a longer one is still code', () => {
    expect(closingReferences('````\n```\nclose #1\n````\nclose #2').map((r) => r.number)).toEqual([2]);
  });

  test('names the repository when the reference does', () => {
    expect(closingReferences('close PingCAP/TiFlow#12, close #13')).toEqual([{ number: 12, repo: 'pingcap/tiflow' }, { number: 13 }]);
    expect(closingReferences(null)).toEqual([]);
  });
});

describe('confirmedGroup', () => {
  test('follows confirmations either way, nearest first, each with the link that reached it', () => {
    const pairs = [dup(10, 20, 'ann'), dup(30, 20, 'bo'), dup(30, 40, 'cy'), notDup(10, 50), dup(60, 70)];
    expect([...confirmedGroup(10, pairs)]).toEqual([
      [20, { kind: 'command', user: 'ann' }],
      [30, { kind: 'command', user: 'bo' }],
      [40, { kind: 'command', user: 'cy' }],
    ]);
    expect(confirmedGroup(50, pairs).size).toBe(0);
  });

  test('is bounded on a long chain', () => {
    const chain = Array.from({ length: 100 }, (_, i) => dup(i + 1, i + 2));
    expect(confirmedGroup(1, chain).size).toBe(MAX_CONFIRMED);
  });
});

describe('excludedIssues', () => {
  test('a not-dup said on an issue of the race hides the other from every issue of the race', () => {
    // Said on 10 about 50; 20 is of 10's race.
    expect(excludedIssues(20, [10], [notDup(10, 50)])).toEqual([50]);
    expect(excludedIssues(10, [], [notDup(10, 50)])).toEqual([50]);
    // On 50 itself, 10 is hidden too.
    expect(excludedIssues(50, [], [notDup(10, 50)])).toEqual([10]);
    // An issue of neither race is not affected.
    expect(excludedIssues(30, [40], [notDup(10, 50)])).toEqual([]);
  });
});

test('sameFixOf lists the other issues of a pull request', () => {
  const pairs: IssuePair[] = [{ issue: 10, other: 20, kind: 'same-fix', source: { kind: 'pull-request', number: 99 }, at }, dup(10, 30)];
  expect(sameFixOf(20, pairs)).toEqual([{ number: 10, pr: 99 }]);
  expect(sameFixOf(30, pairs)).toEqual([]);
});
