import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/triage/config.js';
import { decide, type DecideInput } from '../../src/triage/decide.js';
import { findMarker } from '../../src/triage/marker.js';
import { candidate, indexWorkerRace, issue, killSignalRace } from './races.js';

const TIDB_CONFIG = `
label_rules:
  "pkg/executor/**": [sig/execution, component/executor]
  "pkg/distsql/**": sig/execution
thresholds:
  component_agreement: 0.5
`;
const { config } = parseConfig(TIDB_CONFIG);
const TIDB_LABELS = ['type/data-race', 'sig/execution', 'component/executor', 'type/bug'];

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return { issue: issue(), races: [indexWorkerRace], candidates: [], config, repoLabels: TIDB_LABELS, ...overrides };
}

describe('the comment on a refiled race', () => {
  const decision = decide(
    input({
      candidates: [
        candidate(39771, {
          score: 0.82,
          state: 'closed',
          stateReason: 'completed',
          fixingPr: 39802,
          title: 'DATA RACE in the mppIterator',
          // The earlier report shows the statement reset only, cut after one frame.
          explanation: [
            {
              race: 0,
              oneSided: true,
              sides: [{ side: 1, otherSide: 0, same: ['executor.ResetContextOfStmt'], renamed: [], compared: [1, 1], shown: [2, 1] }],
            },
          ],
        }),
        candidate(41105, { exact: true, title: 'DATA RACE at the TestForeignKeyAndMemoryTracker' }),
        candidate(55467, { score: 0.41, title: 'DATA RACE in the SendKillSignal' }),
      ],
    }),
  );

  it('names the racing pair, the test, the duplicates and the labels with their reasons', () => {
    expect(decision.comment).toBe(
      [
        '<!-- race-triage {"v":1,"fingerprints":["v1:45b5daa177fedf6b"],"labels":["type/data-race","sig/execution","component/executor"],"duplicates":[{"number":41105,"score":1,"exact":true},{"number":39771,"score":0.82,"exact":false}]} -->',
        '**Data race:** `distsql.(*selectResult).Close` (read) ↔ `executor.ResetContextOfStmt` (write) · caught by `TestForeignKeyAndMemoryTracker` · signature `v1:45b5daa1`',
        '',
        '**Likely duplicates**',
        '- #41105 (open) · same signature · DATA RACE at the TestForeignKeyAndMemoryTracker',
        '- #39771 (closed as completed, fixed by #39802) · 82% similar · DATA RACE in the mppIterator',
        '',
        '**Labels:** `type/data-race`, `sig/execution`, `component/executor`',
        '',
        '<details>',
        '<summary>Details</summary>',
        '',
        'Why these labels:',
        '- `type/data-race`: the issue holds a data-race report',
        '- `sig/execution`: 3 of 4 top racing frames, on both sides, are in pkg/distsql/\\*\\*, pkg/executor/\\*\\*: 83% agreement',
        '- `component/executor`: 2 of 4 top racing frames, on both sides, are in pkg/executor/\\*\\*: 50% agreement',
        '',
        '**Race:** `(*selectResult).Close ↔ executor.ResetContextOfStmt`, signature `v1:45b5daa177fedf6b`',
        '- Read by goroutine 43136:',
        '  - `distsql.(*selectResult).Close` at `distsql/select_result.go:458`',
        '  - `executor.(*IndexLookUpExecutor).startIndexWorker.func*` at `executor/distsql.go:657`',
        '- Previous write by goroutine 20821:',
        '  - `executor.ResetContextOfStmt` at `executor/executor.go:2236`',
        '  - `session.(*session).ExecuteStmt` at `session/session.go:2144`',
        '',
        'Why the likely duplicates match:',
        '- #39771: the side of `executor.ResetContextOfStmt`: 1 frame (`executor.ResetContextOfStmt`) the same, 1 of this report\'s 2 frames compared, as the stack in #39771 stops there; the other side is not in #39771, so it was not compared',
        '',
        '</details>',
        '',
        '<sub>Comment `/retriage` to run race-triage again, `/race help` to correct it. Settings: `.github/race-triage.yml`.</sub>',
      ].join('\n'),
    );
  });

  it('lists duplicates below the threshold nowhere, not even in the marker', () => {
    expect(decision.duplicates.map((d) => d.number)).toEqual([41105, 39771]);
    expect(decision.marker.duplicates.map((d) => d.number)).not.toContain(55467);
  });

  it('adds the labels the issue lacks and removes none', () => {
    expect(decision.labelsToAdd).toEqual(['type/data-race', 'sig/execution', 'component/executor']);
    expect(decision.labelsToRemove).toEqual([]);
  });
});

describe('likely duplicates', () => {
  const numbers = (overrides: Partial<DecideInput>) => decide(input(overrides)).duplicates.map((d) => d.number);

  it('puts open issues first, then same signature, then the closest', () => {
    const candidates = [
      candidate(100, { exact: true, state: 'closed', stateReason: 'completed' }),
      candidate(101, { score: 0.8 }),
      candidate(102, { score: 0.95 }),
      candidate(103, { exact: true }),
    ];
    expect(numbers({ candidates })).toEqual([103, 102, 101, 100]);
  });

  it('never names the issue itself, another installation, or an unconfigured repository', () => {
    const candidates = [
      candidate(41230, { exact: true }),
      candidate(200, { exact: true, installationId: 8 }),
      candidate(201, { exact: true, repo: 'pingcap/tiflow' }),
      candidate(202, { exact: true }),
    ];
    expect(numbers({ candidates })).toEqual([202]);
  });

  it('names a sibling repository in full, but never a private one', () => {
    const siblings = parseConfig('siblings: [PingCAP/TiFlow, pingcap/secret]').config;
    const decision = decide(
      input({
        config: { ...siblings, label_rules: config.label_rules, thresholds: config.thresholds },
        candidates: [
          candidate(5, { exact: true, repo: 'pingcap/tiflow', fixingPr: 9 }),
          candidate(6, { exact: true, repo: 'pingcap/secret', private: true }),
        ],
      }),
    );
    expect(decision.duplicates.map((d) => d.repo)).toEqual(['pingcap/tiflow']);
    expect(decision.comment).toContain('- pingcap/tiflow#5 (open, fixed by pingcap/tiflow#9) · same signature');
  });

  it('lists at most max_duplicates', () => {
    const candidates = Array.from({ length: 9 }, (_, i) => candidate(300 + i, { score: 0.9 }));
    const few = parseConfig('max_duplicates: 2').config;
    expect(numbers({ candidates, config: few })).toEqual([300, 301]);
  });

  it('shows a near match as a whole percentage, and records its score to three places', () => {
    const decision = decide(input({ candidates: [candidate(8, { score: 0.87654 })] }));
    expect(decision.comment).toContain('- #8 (open) · 87% similar · DATA RACE #\u200D8');
    expect(decision.marker.duplicates).toEqual([{ number: 8, score: 0.877, exact: false }]);
  });

  it('shows the state reason of a closed issue in words', () => {
    const decision = decide(input({ candidates: [candidate(7, { exact: true, state: 'closed', stateReason: 'not_planned' })] }));
    expect(decision.comment).toContain('- #7 (closed as not planned) · same signature');
  });
});

describe('quiet by design', () => {
  it('says and labels nothing for an issue without races', () => {
    const decision = decide(input({ races: [], candidates: [candidate(1, { exact: true })] }));
    expect(decision).toMatchObject({ comment: null, labels: [], labelsToAdd: [], labelsToRemove: [], duplicates: [] });
  });

  it('sets only the race label, silently, when it has no duplicate and no component to name', () => {
    const decision = decide(input({ config: parseConfig('default_component_prefix: false').config }));
    expect(decision.comment).toBeNull();
    expect(decision.labelsToAdd).toEqual(['type/data-race']);
  });

  it('comments when a component label routes the issue, though no duplicate is known', () => {
    const decision = decide(input());
    expect(decision.comment).toContain('No earlier issue reports this race.');
    expect(decision.comment).toContain('**Labels:** `type/data-race`, `sig/execution`, `component/executor`');
  });

  it('keeps its earlier comment up to date even when there is nothing new to say', () => {
    const previous = { v: 1 as const, fingerprints: ['v1:old'], labels: ['type/data-race'], duplicates: [] };
    const quiet = parseConfig('default_component_prefix: false').config;
    const decision = decide(input({ config: quiet, previous, issue: issue({ labels: ['type/data-race'] }) }));
    expect(decision.comment).toContain('No earlier issue reports this race.');
    expect(decision.labelsToAdd).toEqual([]);
  });
});

describe('an edit that removes the last race', () => {
  const previous = { v: 1 as const, fingerprints: ['v1:45b5daa177fedf6b'], labels: ['type/data-race', 'sig/execution'], duplicates: [] };

  it('updates the earlier comment to say so and takes back only the bot’s own labels', () => {
    const decision = decide(
      input({ races: [], previous, issue: issue({ labels: ['type/data-race', 'sig/execution', 'type/bug'] }) }),
    );
    expect(decision.labelsToRemove).toEqual(['type/data-race', 'sig/execution']);
    expect(decision.comment).toBe(
      [
        '<!-- race-triage {"v":1,"fingerprints":[],"labels":[],"duplicates":[]} -->',
        'This issue no longer holds a data-race report, so race-triage has nothing to match.',
        '',
        'Removed the labels it had added: `type/data-race`, `sig/execution`.',
        '',
        '<sub>Comment `/retriage` to run race-triage again, `/race help` to correct it. Settings: `.github/race-triage.yml`.</sub>',
      ].join('\n'),
    );
  });
});

describe('config problems', () => {
  it('are named in the footer with file and line, escaped', () => {
    const bad = parseConfig('race_label: type/data-race\nthresholds:\n  duplicate: 7\n');
    const decision = decide(input({ config: bad.config, configError: bad.error!, candidates: [candidate(1, { exact: true })] }));
    expect(decision.comment).toMatch(
      /\n\n\*\*Config problem:\*\* \.github\/race-triage\.yml line 3: thresholds\.duplicate must be a number between 0 and 1; the defaults are used$/,
    );
  });
});

describe('the marker', () => {
  it('reads back what the decision recorded', () => {
    const decision = decide(input({ candidates: [candidate(41105, { exact: true })] }));
    expect(findMarker(decision.comment!)).toEqual(decision.marker);
  });
});

describe('several races in one issue', () => {
  it('numbers them on top and details each', () => {
    const decision = decide(input({ races: [indexWorkerRace, killSignalRace] }));
    const comment = decision.comment!;
    expect(comment).toContain('**2 data races** in this issue:\n1. `distsql.(*selectResult).Close` (read)');
    expect(comment).toContain('\n2. `sqlkiller.(*SQLKiller).SendKillSignal` (read) ↔ `executor.ResetContextOfStmt` (write) · caught by `TestTiFlashBatchKill`');
    expect(comment).toContain('**Race 2:** `(*SQLKiller).SendKillSignal ↔ executor.ResetContextOfStmt`');
    expect(decision.marker.fingerprints).toEqual(['v1:45b5daa177fedf6b', 'v1:ac6acca989bfa7b4']);
  });
});

describe('the effects', () => {
  it('lists the changes in the order the executor makes them: index, labels, the comment', () => {
    const decision = decide(input({ candidates: [candidate(41105, { exact: true })] }));
    expect(decision.effects.map((e) => e.kind)).toEqual(['index', 'add-labels', 'comment']);
    expect(decision.effects[0]).toEqual({ kind: 'index', races: [indexWorkerRace.signature] });
    expect(decision.effects[1]).toEqual({ kind: 'add-labels', labels: ['type/data-race', 'sig/execution', 'component/executor'] });
    expect(decision.memory).toEqual({ labels: ['type/data-race', 'sig/execution', 'component/executor'], declined: [] });
  });

  it('under dry_run, only the index changes', () => {
    const dry = parseConfig(`${TIDB_CONFIG}\ndry_run: true\n`).config;
    expect(decide(input({ config: dry })).effects.map((e) => e.kind)).toEqual(['index']);
  });

  it('labels set without a comment are the bot’s all the same, and a person’s removal is kept', () => {
    const quiet = parseConfig('default_component_prefix: false').config;
    // The bot labelled the issue silently; a person removed the label since.
    const decision = decide(input({ config: quiet, previous: { labels: ['type/data-race'] }, commented: false, issue: issue({ labels: [] }) }));
    expect(decision.comment).toBeNull();
    expect(decision.effects.map((e) => e.kind)).toEqual(['index']);
    expect(decision.memory).toEqual({ labels: [], declined: ['type/data-race'] });
  });

  it('an issue whose races are gone, labelled silently before, loses the bot’s labels without a comment', () => {
    const decision = decide(input({ races: [], previous: { labels: ['type/data-race'] }, commented: false, issue: issue({ labels: ['type/data-race'] }) }));
    expect(decision.comment).toBeNull();
    expect(decision.effects).toEqual([{ kind: 'index', races: [] }, { kind: 'remove-labels', labels: ['type/data-race'] }]);
  });
});
