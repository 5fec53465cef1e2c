import { describe, expect, test } from '@jest/globals';
import { tfIdfRankings, topFrameRankings, type BaselineIssue } from '../../src/eval/baselines.js';
import { duplicateMetrics, labelMetrics } from '../../src/eval/metrics.js';

const ranked = (...numbers: number[]) => numbers.map((number) => ({ number, score: 0.9, exact: false }));

describe('duplicate metrics', () => {
  test('recall@1, recall@5 and MRR follow the rank of the first true duplicate', () => {
    const m = duplicateMetrics([
      { truth: [1], ranked: ranked(1, 2) }, // rank 1
      { truth: [1], ranked: ranked(3, 4, 1) }, // rank 3
      { truth: [2], ranked: ranked(5, 6, 7, 2) }, // rank 4
      { truth: [3], ranked: [] }, // missed
    ]);
    expect(m.queries).toBe(4);
    expect(m.recall1).toBe(0.25);
    expect(m.recall5).toBe(0.75);
    expect(m.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 4 + 0) / 4);
  });

  test('wrong exact claims and false alarms count only where the truth is known', () => {
    const m = duplicateMetrics([
      { truth: [1], ranked: [{ number: 1, score: 1, exact: true }, { number: 2, score: 1, exact: true }] },
      { truth: [], ranked: [{ number: 4, score: 0.8, exact: false }] },
      { truth: [], ranked: [] },
      { truth: null, ranked: [{ number: 9, score: 1, exact: true }] },
    ]);
    expect(m.exactClaims).toBe(2);
    expect(m.wrongExact).toBe(0.5);
    expect(m.originals).toBe(2);
    expect(m.falseAlarms).toBe(0.5);
    expect(m.queries).toBe(1);
  });

  test('no ground truth gives no figure rather than a zero', () => {
    const m = duplicateMetrics([{ truth: null, ranked: ranked(1) }]);
    expect([m.recall1, m.mrr, m.wrongExact, m.falseAlarms]).toEqual([null, null, null, null]);
  });
});

describe('label metrics', () => {
  test('per label and overall, for managed families only', () => {
    const scores = labelMetrics(
      [
        { truth: ['sig/execution', 'type/bug'], predicted: ['sig/execution'] },
        { truth: ['sig/planner'], predicted: ['sig/execution', 'type/data-race'] },
      ],
      (label) => label.startsWith('sig/'),
    );
    expect(scores).toEqual([
      { label: 'sig/execution', truePositives: 1, falsePositives: 1, falseNegatives: 0, precision: 0.5, recall: 1 },
      { label: 'sig/planner', truePositives: 0, falsePositives: 0, falseNegatives: 1, precision: null, recall: 0 },
      { label: 'all', truePositives: 1, falsePositives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5 },
    ]);
  });
});

describe('baselines', () => {
  const issue = (number: number, text: string, topFrame: string | null, repo = 'o/r'): BaselineIssue => ({
    number,
    repo,
    text,
    topFrame,
  });

  test('top frame: earlier issues of the same repository with the same frame, newest first', () => {
    const rankings = topFrameRankings([
      issue(1, '', 'cart.(*Cart).Add'),
      issue(2, '', 'cart.(*Cart).Add', 'o/other'),
      issue(3, '', 'cart.(*Cart).Total'),
      issue(4, '', 'cart.(*Cart).Add'),
      issue(5, '', 'cart.(*Cart).Add'),
      issue(6, '', null),
    ]);
    expect(rankings.map((r) => r.map((d) => d.number))).toEqual([[], [], [], [1], [4, 1], []]);
    expect(rankings[4]!.every((d) => d.exact)).toBe(true);
  });

  test('TF-IDF: the earlier issue sharing rare words ranks first; later issues are never seen', () => {
    const rankings = tfIdfRankings([
      issue(1, 'data race in tracker consume memory', null),
      issue(2, 'data race in planner cache lookup', null),
      issue(3, 'data race in tracker consume again', null),
    ]);
    expect(rankings[0]).toEqual([]);
    expect(rankings[2]![0]).toMatchObject({ number: 1, exact: false });
    expect(rankings[2]!.map((d) => d.number)).not.toContain(3);
    for (const r of rankings[2]!) expect(r.score).toBeGreaterThan(0);
    expect(rankings[2]![0]!.score).toBeLessThanOrEqual(1);
  });
});
