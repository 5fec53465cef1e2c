/**
 * Where label sources meet: what maintainers wrote down (path rules, OWNERS files) wins over
 * what was learned from history, which wins over a guess from the directory name; a family
 * a person already routed is left alone; a learned label the repository dropped is not created.
 */
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/triage/config.js';
import { decide, type DecideInput } from '../../src/triage/decide.js';
import type { OwnershipRecord } from '../../src/triage/ownership.js';
import { issue, race } from './races.js';

const executorRace = race({
  fingerprint: 'v1:c6880bccaecff748',
  sides: [
    { kind: 'read', frames: ['executor executor.newBaseExecutor executor/executor.go:250', 'executor (*executorBuilder).buildPointGet executor/builder.go:900'] },
    { kind: 'write', frames: ['executor (*PointGetExecutor).Open executor/point_get.go:120', 'session (*session).ExecuteStmt session/session.go:2144'] },
  ],
});

/** Twelve earlier executor issues, routed to sig/execution and filed under component/executor-engine. */
const history: OwnershipRecord[] = Array.from({ length: 12 }, (_, i) => ({
  number: 100 + i,
  filedAt: new Date(Date.UTC(2024, 0, 1 + i * 7)).toISOString(),
  packages: [{ package: 'executor', weight: 1 }],
  labels: ['sig/execution', 'component/executor-engine', 'type/bug'],
}));

const run = (overrides: Partial<DecideInput> = {}, yaml = '') =>
  decide({ issue: issue(), races: [executorRace], candidates: [], config: parseConfig(yaml).config, repoLabels: null, ownershipHistory: history, ...overrides });
const bySource = (labels: { name: string; source: string }[]) => labels.map((l) => `${l.source}:${l.name}`);

describe('label sources together', () => {
  it('with no config: the race label, and learned labels that route the issue, each with its reason', () => {
    const decision = run();
    expect(bySource(decision.labels)).toEqual(['race:type/data-race', 'ownership:sig/execution', 'ownership:component/executor-engine']);
    expect(decision.labels[1]!.reason).toMatch(/^12 of the 12 earlier routed issues in executor were labelled sig\/execution \(/);
    // Learned labels route the issue, so the bot says why in a comment.
    expect(decision.comment).toContain('`sig/execution`: 12 of the 12 earlier routed issues in executor were labelled sig/execution');
    // The directory-name guess gives way to what maintainers did in the same family.
    expect(decision.skippedLabels).toContainEqual({
      name: 'component/executor',
      reason: expect.stringMatching(/^the labels learned from history decide component\/\* labels here \(the top-level directories said: /),
    });
  });

  it('path rules win over learned labels where both speak, and learned labels fill the families the rules leave out', () => {
    const decision = run({}, 'label_rules:\n  "executor/**": sig/exec-team\n');
    expect(bySource(decision.labels)).toEqual(['race:type/data-race', 'rule:sig/exec-team', 'ownership:component/executor-engine']);
    expect(decision.skippedLabels).toContainEqual({ name: 'sig/execution', reason: expect.stringMatching(/^the label rules decide sig\/\* labels here/) });
  });

  it('a family a person already routed is not routed again', () => {
    const decision = run({ issue: issue({ labels: ['sig/planner'] }) });
    expect(decision.labelsToAdd).toEqual(['type/data-race', 'component/executor-engine']);
    expect(decision.skippedLabels).toContainEqual({ name: 'sig/execution', reason: expect.stringMatching(/^a person already routed the issue with sig\/planner; learned from history: 12 of the 12/) });
    // The bot's own earlier label is not a person's routing.
    const again = run({ issue: issue({ labels: ['sig/execution'] }), previous: { v: 1, fingerprints: [], labels: ['sig/execution'], duplicates: [] } });
    expect(again.labels.map((l) => l.name)).toContain('sig/execution');
  });

  it('a learned label the repository no longer has is not created, even with create_labels', () => {
    const decision = run({ repoLabels: ['type/data-race', 'sig/execution'] }, 'create_labels: true');
    expect(decision.labelsToAdd).toEqual(['type/data-race', 'sig/execution']);
    expect(decision.skippedLabels).toContainEqual({ name: 'component/executor-engine', reason: 'learned from earlier issues, but the repository no longer has this label' });
  });

  it('learning is off with learned_ownership.enabled: false, and without a history', () => {
    expect(bySource(run({}, 'learned_ownership:\n  enabled: false\n').labels)).toEqual(['race:type/data-race', 'default:component/executor']);
    expect(bySource(decide({ issue: issue(), races: [executorRace], candidates: [], config: parseConfig('').config, repoLabels: null }).labels)).toEqual([
      'race:type/data-race',
      'default:component/executor',
    ]);
  });
});
