/**
 * Labels race-triage must never set (severity/*, priority/*, affects-*, flaky-test, ...):
 * whatever names them, a path rule, the race label, an OWNERS file, the history or the
 * nearest past races, they are not applied, and no config can turn that off.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseConfig } from '../../src/triage/config.js';
import { decide } from '../../src/triage/decide.js';
import { FORBIDDEN_LABELS, isForbiddenLabel } from '../../src/triage/forbidden-labels.js';
import { parseOwnersFiles } from '../../src/triage/owners-files.js';
import type { OwnershipRecord } from '../../src/triage/ownership.js';
import { issue, race } from './races.js';

const executorRace = race({
  fingerprint: 'v1:c6880bccaecff748',
  sides: [
    { kind: 'read', frames: ['executor executor.newBaseExecutor executor/executor.go:250', 'executor (*executorBuilder).buildPointGet executor/builder.go:900'] },
    { kind: 'write', frames: ['executor (*PointGetExecutor).Open executor/point_get.go:120'] },
  ],
});

/** A name each forbidden pattern matches, in any letter case: `*` becomes a random tail. */
const forbiddenName = fc
  .tuple(fc.constantFrom(...FORBIDDEN_LABELS), fc.stringMatching(/^[a-z0-9.-]{1,8}$/), fc.boolean())
  .map(([pattern, tail, upper]) => {
    const name = pattern.replace('*', tail);
    return upper ? name.toUpperCase() : name;
  });

describe('labels a race bot must never set', () => {
  it('match the built-in list, without regard to case', () => {
    for (const name of ['severity/critical', 'Priority/P0', 'affects-7.5', 'may-affects-8.1', 'flaky-test', 'status/help-wanted', 'needs-triage', 'duplicate', 'type/duplicate']) {
      expect(isForbiddenLabel(name)).toBe(true);
    }
    for (const name of ['sig/execution', 'type/bug', 'component/test', 'flaky-tests', 'duplicates', 'kind/flake']) {
      expect(isForbiddenLabel(name)).toBe(false);
    }
  });

  it('are never applied, whatever names them and whatever the config says', () => {
    fc.assert(
      fc.property(fc.array(forbiddenName, { minLength: 5, maxLength: 5 }), (names) => {
        const [ruled, raceLabel, owned, learnedFromHistory, nearest] = names as [string, string, string, string, string];
        const yaml = [
          `race_label: ${JSON.stringify(raceLabel)}`,
          'create_labels: true',
          `label_rules:\n  "executor/**": [${JSON.stringify(ruled)}, sig/execution]`,
          'learned_ownership:\n  families: ["*"]\n  min_precision: 0',
          'learned_labels:\n  enabled: true',
        ].join('\n');
        const { config, error } = parseConfig(yaml);
        expect(error).toBeUndefined();
        const history: OwnershipRecord[] = Array.from({ length: 12 }, (_, i) => ({
          number: 100 + i,
          filedAt: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
          packages: [{ package: 'executor', weight: 1 }],
          labels: [learnedFromHistory, 'kind/bug'],
        }));
        const decision = decide({
          issue: issue(),
          races: [executorRace],
          candidates: [],
          config,
          repoLabels: [...names, 'sig/execution', 'kind/bug'],
          owners: parseOwnersFiles([{ path: 'pkg/executor/OWNERS', text: `labels: [${JSON.stringify(owned)}]` }]),
          ownershipHistory: history,
          learnedLabels: [{ name: nearest, reason: '3 of the 3 most similar past races carry it', source: 'learned' }],
        });
        expect(decision.labels.filter((l) => isForbiddenLabel(l.name))).toEqual([]);
        expect(decision.labelsToAdd.filter(isForbiddenLabel)).toEqual([]);
        // The labels other sources name are still applied, and the refusals are explained.
        expect(decision.labelsToAdd).toEqual(expect.arrayContaining(['sig/execution', 'kind/bug']));
        for (const name of [ruled, raceLabel, owned, nearest]) {
          expect(decision.skippedLabels).toContainEqual({ name, reason: expect.stringMatching(/^race-triage never sets /) });
        }
        // The history's bookkeeping labels are not even learned: they never enter the vote.
        expect(decision.skippedLabels.map((l) => l.reason).join('\n')).not.toContain(`labelled ${learnedFromHistory}`);
      }),
      { numRuns: 100 },
    );
  });
});
