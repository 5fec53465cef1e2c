import { describe, expect, test } from '@jest/globals';
import { DEFAULT_CONFIG, parseConfig } from '../../src/triage/config.js';
import { candidateLimit, labelMatcher, learnLabels, managedLabelFamilies } from '../../src/triage/learned-labels.js';

const settings = { neighbours: 4, minSupport: 2, managed: labelMatcher(['sig/*', 'component/*']) };
const past = (number: number, score: number, ...labels: string[]) => ({ number, score, labels });

describe('learned labels', () => {
  test('a label most of the nearest past races carry is suggested, with the vote as its reason', () => {
    const learned = learnLabels(
      [
        past(41105, 0.9, 'sig/execution', 'type/bug'),
        past(39771, 0.8, 'sig/execution'),
        past(31965, 0.7, 'sig/execution', 'component/test'),
        past(40823, 0.6, 'sig/planner'),
        past(12000, 0.5, 'sig/planner'), // fifth: beyond k
      ],
      settings,
    );
    expect(learned).toEqual([
      {
        name: 'sig/execution',
        source: 'learned',
        reason: '3 of the 4 most similar past races (#41105, #39771, #31965) carry sig/execution',
      },
    ]);
  });

  test('a split vote, too little support, unrelated races or unmanaged labels suggest nothing', () => {
    expect(learnLabels([past(1, 0.9, 'sig/a'), past(2, 0.9, 'sig/a'), past(3, 0.9, 'sig/b'), past(4, 0.9, 'sig/b')], settings)).toEqual([]);
    expect(learnLabels([past(1, 0.9, 'sig/a')], settings)).toEqual([]);
    expect(learnLabels([past(1, 0.1, 'sig/a'), past(2, 0.2, 'sig/a')], settings)).toEqual([]);
    expect(learnLabels([past(1, 0.9, 'type/bug'), past(2, 0.9, 'type/bug')], settings)).toEqual([]);
  });

  test('more than three voters are named with an ellipsis', () => {
    const [label] = learnLabels([1, 2, 3, 4].map((n) => past(n, 0.9, 'sig/x')), settings);
    expect(label!.reason).toBe('4 of the 4 most similar past races (#1, #2, #3, ...) carry sig/x');
  });

  test('the families a config manages come from its rules and its component prefix', () => {
    const { config } = parseConfig('label_rules:\n  "executor/**": [sig/execution, component/executor]\n  "br/**": br\n');
    expect(managedLabelFamilies(config)).toEqual(['br', 'component/*', 'sig/*']);
    expect(managedLabelFamilies(DEFAULT_CONFIG)).toEqual(['component/*']);
  });

  test('the index is asked for enough candidates to vote only when learning is on', () => {
    const { config } = parseConfig('max_duplicates: 3\nlearned_labels:\n  enabled: true\n  neighbours: 8\n');
    expect(candidateLimit(config)).toBe(8);
    expect(candidateLimit({ ...config, learned_labels: { ...config.learned_labels, enabled: false } })).toBe(3);
  });
});
