import { describe, expect, it } from '@jest/globals';
import { analyse } from '../../src/race/index.js';
import { parseConfig } from '../../src/triage/config.js';
import { decide, type DecideInput } from '../../src/triage/decide.js';
import type { MarkerData } from '../../src/triage/types.js';
import { indexWorkerRace, issue, killSignalRace, race } from './races.js';

/** Seed 000 (pingcap/tidb#31965): statement setup races the memory tracker, two packages apart. */
const trackerRace = race({
  fingerprint: 'v1:5e6b2df352fa78d5',
  test: 'TestWeakConsistencyRead',
  sides: [
    {
      kind: 'write',
      frames: [
        'sessionctx/variable (*SessionVars).InitStatementContext sessionctx/variable/session.go:1474',
        'executor executor.ResetContextOfStmt executor/executor.go:1920',
      ],
    },
    {
      kind: 'read',
      frames: ['util/memory (*Tracker).Consume util/memory/tracker.go:437', 'store/copr (*copIteratorWorker).sendToRespCh store/copr/coprocessor.go:775'],
    },
  ],
});

/** Both sides deep in the executor. */
const executorRace = race({
  fingerprint: 'v1:c6880bccaecff748',
  sides: [
    { kind: 'read', frames: ['executor executor.newBaseExecutor executor/executor.go:250', 'executor (*executorBuilder).buildPointGet executor/builder.go:900'] },
    { kind: 'write', frames: ['executor (*PointGetExecutor).Open executor/point_get.go:120', 'session (*session).ExecuteStmt session/session.go:2144'] },
  ],
});

const config = (yaml: string) => parseConfig(yaml).config;
const run = (overrides: Partial<DecideInput>) =>
  decide({ issue: issue(), races: [executorRace], candidates: [], config: config(''), repoLabels: null, ...overrides });
const names = (labels: { name: string }[]) => labels.map((l) => l.name);

describe('component labels are voted by the racing frames of both sides', () => {
  it('are applied when the frames agree, with the vote as the reason', () => {
    const decision = run({});
    expect(decision.labels).toEqual([
      { name: 'type/data-race', reason: 'the issue holds a data-race report', source: 'race' },
      {
        name: 'component/executor',
        reason: '3 of 4 top racing frames, on both sides, are in executor: 83% agreement',
        source: 'default',
      },
    ]);
  });

  it('abstain when the two sides point at different teams, and say so', () => {
    const decision = run({ races: [trackerRace] });
    expect(names(decision.labels)).toEqual(['type/data-race']);
    expect(decision.skippedLabels).toEqual([
      { name: 'component/sessionctx', reason: '1 of 4 top racing frames, on one side, are in sessionctx: 33% agreement is below the 60% needed' },
      { name: 'component/util', reason: '1 of 4 top racing frames, on one side, are in util: 33% agreement is below the 60% needed' },
      { name: 'component/executor', reason: '1 of 4 top racing frames, on one side, are in executor: 17% agreement is below the 60% needed' },
    ]);
  });

  it('follow the agreement threshold from the config', () => {
    const lenient = config('thresholds:\n  component_agreement: 0.3');
    expect(names(run({ races: [trackerRace], config: lenient }).labels)).toEqual([
      'type/data-race',
      'component/sessionctx',
      'component/util',
    ]);
  });

  it('weigh each race of an issue the same', () => {
    // executor: 5/6 of the first race's vote and 1/3 of the second's, so 7/12 in all.
    const decision = run({ races: [executorRace, killSignalRace] });
    expect(names(decision.labels)).toEqual(['type/data-race']);
    expect(decision.skippedLabels).toContainEqual({
      name: 'component/executor',
      reason: '4 of 8 top racing frames, on both sides, are in executor: 58% agreement is below the 60% needed',
    });
    const alone = run({ races: [executorRace, executorRace] });
    expect(alone.labels[1]?.reason).toBe('6 of 8 top racing frames, on both sides, are in executor: 83% agreement');
  });
});

describe('label rules', () => {
  const rules = config(
    'label_rules:\n  "pkg/executor/**": [sig/execution, component/executor]\n  "pkg/util/**": component/util\n  "sessionctx/*": sig/sql-infra\n',
  );

  it('match package paths written with or without pkg/, and a frame votes for every rule it matches', () => {
    const decision = run({ config: rules });
    expect(decision.labels.slice(1)).toEqual([
      { name: 'sig/execution', reason: '3 of 4 top racing frames, on both sides, are in pkg/executor/**: 83% agreement', source: 'rule' },
      { name: 'component/executor', reason: '3 of 4 top racing frames, on both sides, are in pkg/executor/**: 83% agreement', source: 'rule' },
    ]);
  });

  it('replace the default labels: frames no rule matches abstain', () => {
    const decision = run({ config: rules, races: [trackerRace] });
    expect(names(decision.labels)).toEqual(['type/data-race']);
    expect(names(decision.skippedLabels)).toEqual(['sig/sql-infra', 'component/util', 'sig/execution']);
  });

  it('apply no race label when it is turned off', () => {
    expect(names(run({ config: config('race_label: false') }).labels)).toEqual(['component/executor']);
  });
});

describe('only labels the repository has', () => {
  it('are applied, matched without regard to case and spelled as the repository spells them', () => {
    const decision = run({ repoLabels: ['Type/Data-Race', 'component/planner'] });
    expect(decision.labelsToAdd).toEqual(['Type/Data-Race']);
    expect(decision.skippedLabels).toContainEqual({
      name: 'component/executor',
      reason: 'the repository has no such label (set create_labels: true to create it)',
    });
  });

  it('unless create_labels allows creating them', () => {
    const decision = run({ repoLabels: [], config: config('create_labels: true') });
    expect(decision.labelsToAdd).toEqual(['type/data-race', 'component/executor']);
  });
});

describe('labels people set are theirs', () => {
  const bot = (labels: string[], declined?: string[]): MarkerData => ({
    v: 1,
    fingerprints: ['v1:c6880bccaecff748'],
    labels,
    duplicates: [],
    ...(declined ? { declined } : {}),
  });

  it('a label a person added is never removed, even when it no longer applies', () => {
    const decision = run({
      issue: issue({ labels: ['type/data-race', 'component/planner', 'component/executor'] }),
      previous: bot(['type/data-race']),
      config: config('default_component_prefix: false'),
    });
    expect(decision.labelsToRemove).toEqual([]);
    expect(decision.marker.labels).toEqual(['type/data-race']);
  });

  it("the bot's own labels that no longer apply are removed, and only those", () => {
    const decision = run({
      issue: issue({ labels: ['type/data-race', 'component/executor', 'component/planner'] }),
      previous: bot(['type/data-race', 'component/executor']),
      races: [trackerRace],
    });
    expect(decision.labelsToRemove).toEqual(['component/executor']);
    expect(decision.labelsToAdd).toEqual([]);
    expect(decision.marker.labels).toEqual(['type/data-race']);
  });

  it('a label the issue already had is not claimed by the bot, so it is never removed later', () => {
    const first = run({ issue: issue({ labels: ['component/executor'] }) });
    expect(first.labelsToAdd).toEqual(['type/data-race']);
    expect(first.marker.labels).toEqual(['type/data-race']);
    const later = run({ issue: issue({ labels: ['component/executor', 'type/data-race'] }), races: [trackerRace], previous: first.marker });
    expect(later.labelsToRemove).toEqual([]);
  });

  it('a bot label a person removed is not added again, and stays declined', () => {
    const first = run({ issue: issue({ labels: ['type/data-race'] }), previous: bot(['type/data-race', 'component/executor']) });
    expect(first.labelsToAdd).toEqual([]);
    expect(first.labelsToRemove).toEqual([]);
    expect(first.marker).toMatchObject({ labels: ['type/data-race'], declined: ['component/executor'] });
    expect(first.skippedLabels).toContainEqual({
      name: 'component/executor',
      reason: 'a person removed it after the bot added it, so it is not added again',
    });
    const again = run({ issue: issue({ labels: ['type/data-race'] }), previous: first.marker });
    expect(again.labelsToAdd).toEqual([]);
    expect(again.marker.declined).toEqual(['component/executor']);
  });

  it('a declined label a person puts back is theirs again', () => {
    const decision = run({
      issue: issue({ labels: ['type/data-race', 'component/executor'] }),
      previous: bot(['type/data-race'], ['component/executor']),
    });
    expect(decision.marker).not.toHaveProperty('declined');
    expect(decision.labelsToRemove).toEqual([]);
  });
});

describe('learned labels', () => {
  const learned = [{ name: 'sig/planner', reason: '3 of the 4 most similar past races (#41105, #39771, #40823) carry sig/planner', source: 'learned' as const }];

  it('are ignored unless learned_labels is enabled', () => {
    expect(names(run({ learnedLabels: learned }).labels)).not.toContain('sig/planner');
  });

  it('join the rule labels with their reason when enabled', () => {
    const decision = run({ learnedLabels: learned, config: config('learned_labels:\n  enabled: true') });
    expect(decision.labels).toContainEqual(learned[0]);
    expect(decision.labelsToAdd).toEqual(['type/data-race', 'component/executor', 'sig/planner']);
  });
});

describe('an issue of several races', () => {
  it('gets the race label once, counting them', () => {
    const decision = run({ races: [indexWorkerRace, killSignalRace] });
    expect(decision.labels[0]).toEqual({ name: 'type/data-race', reason: 'the issue holds 2 data-race reports', source: 'race' });
  });
});

describe("a dependency's frames are not the project's components", () => {
  /** A Go race with each side's frames given as `package.Function`. */
  const goRace = (write: string[], read: string[]) =>
    analyse(
      [
        'WARNING: DATA RACE',
        'Write at 0x00c000100000 by goroutine 7:',
        ...write.flatMap((f) => [`  ${f}()`, '      /src/x.go:10 +0x1']),
        '',
        'Previous read at 0x00c000100000 by goroutine 8:',
        ...read.flatMap((f) => [`  ${f}()`, '      /src/y.go:20 +0x2']),
        '==================',
      ].join('\n'),
    );
  const clientGo = goRace(
    ['github.com/tikv/client-go/v2/internal/locate.(*RegionCache).insertRegion', 'github.com/tikv/client-go/v2/internal/locate.(*RegionCache).OnRegionEpochNotMatch'],
    ['github.com/tikv/client-go/v2/internal/locate.(*Region).checkSyncFlags', 'github.com/tikv/client-go/v2/internal/locate.(*RegionCache).GetTiKVRPCContext'],
  );
  const tidb = (repo: string, yaml = '') =>
    decide({ issue: issue({ repo }), races: clientGo, candidates: [], config: config(yaml), repoLabels: null });

  it('gives no default component label to frames of another module', () => {
    expect(names(tidb('pingcap/tidb').labels)).toEqual(['type/data-race']);
  });

  it('matches label rules against the module path of a dependency', () => {
    const yaml = 'label_rules:\n  "tikv/client-go/**": sig/transaction\n';
    expect(names(tidb('pingcap/tidb', yaml).labels)).toEqual(['type/data-race', 'sig/transaction']);
    const full = 'label_rules:\n  "github.com/tikv/client-go/**": sig/transaction\n';
    expect(names(tidb('pingcap/tidb', full).labels)).toEqual(['type/data-race', 'sig/transaction']);
  });

  it("counts the repository's own module, even one under a vanity path, as the project", () => {
    expect(names(tidb('tikv/client-go').labels)).toEqual(['type/data-race', 'component/locate']);
    const etcd = goRace(
      ['go.etcd.io/etcd/server/v3/mvcc.(*store).Write', 'go.etcd.io/etcd/server/v3/mvcc.(*watchableStore).syncWatchers'],
      ['go.etcd.io/etcd/server/v3/mvcc.(*store).Read', 'go.etcd.io/etcd/server/v3/mvcc.(*watchableStore).notify'],
    );
    const decision = decide({ issue: issue({ repo: 'etcd-io/etcd' }), races: etcd, candidates: [], config: config(''), repoLabels: null });
    expect(names(decision.labels)).toEqual(['type/data-race', 'component/server']);
  });
});
