/**
 * Learned ownership: labels voted per package from the history, and applied only when the
 * history, replayed in filing order, shows such votes are right often enough.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyse } from '../../src/race/index.js';
import { DEFAULT_CONFIG } from '../../src/triage/config.js';
import { issuePackages, racePackages, stackPackages } from '../../src/triage/ownership-evidence.js';
import { OwnershipModel, ownershipLabels, type OwnershipRecord, type OwnershipSettings } from '../../src/triage/ownership.js';
import { extractGoStacks } from '../../src/race/go-stacks.js';

const settings: OwnershipSettings = { families: ['sig/*', 'component/*'], minPrecision: 0.9, halfLifeDays: 730 };
const ungated = { ...settings, minPrecision: 0 };

/** Issues numbered from `first`, one a month from `start`, all about `pkg` and labelled `labels`. */
function series(first: number, count: number, pkg: string, labels: string[], start = '2022-01-01'): OwnershipRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    number: first + i,
    filedAt: new Date(Date.parse(start) + i * 30 * 86_400_000).toISOString(),
    packages: [{ package: pkg, weight: 1 }],
    labels,
  }));
}
const at = (pkg: string, module?: string) => [{ package: pkg, ...(module ? { module } : {}), weight: 1 }];

describe('a label learned from the packages of earlier issues', () => {
  it('is applied when the replayed history defends it, saying which package and how often', () => {
    const history = series(100, 12, 'ddl', ['sig/sql-infra', 'type/bug']);
    const { applied, abstained } = ownershipLabels(at('ddl/ingest'), history, settings);
    expect(abstained).toEqual([]);
    // The package has no history of its own: its parent speaks.
    expect(applied).toEqual([
      {
        name: 'sig/sql-infra',
        source: 'ownership',
        reason:
          "12 of the 12 earlier routed issues in ddl were labelled sig/sql-infra (100% of the vote, confidence 93%); replayed in filing order, this repository's votes of confidence 67% or more: 11 of 11 were right",
      },
    ]);
  });

  it('abstains, saying so, while the history is too short to show the precision', () => {
    const { applied, abstained } = ownershipLabels(at('ddl'), series(100, 5, 'ddl', ['sig/sql-infra']), settings);
    expect(applied).toEqual([]);
    expect(abstained).toEqual([
      {
        name: 'sig/sql-infra',
        reason:
          "5 of the 5 earlier routed issues in ddl were labelled sig/sql-infra (100% of the vote, confidence 86%), but replayed in filing order, this repository's votes of confidence 67% or more: 4 of 4 were right: too few to show 90% precision (8 in a row are needed)",
      },
    ]);
    // The target is the config's: at 80%, four right in a row defend it ((4 + 1) / (4 + 2) = 0.83).
    expect(ownershipLabels(at('ddl'), series(100, 5, 'ddl', ['sig/sql-infra']), { ...settings, minPrecision: 0.8 }).applied).toHaveLength(1);
  });

  it('abstains where earlier votes were often wrong, even on a package with history', () => {
    // Session code is shared: maintainers route its races to whichever team owns the other side.
    const shared = series(100, 16, 'session', []).map((r, i) => ({ ...r, labels: [i % 2 ? 'sig/sql-infra' : 'sig/execution'] }));
    const { applied, abstained } = ownershipLabels(at('session'), shared, settings);
    expect(applied).toEqual([]);
    expect(abstained[0]!.reason).toMatch(/, but replayed in filing order, this repository's votes of confidence \d+% or more: \d+ of \d+ were right \(90% precision needed\)$/);
  });

  it('pools the check over packages: a consistent repository defends a package with little history', () => {
    const history = [...series(100, 10, 'ddl', ['sig/sql-infra']), ...series(200, 1, 'planner/core', ['sig/planner'], '2023-01-01')];
    const [label] = ownershipLabels(at('planner/core'), history, settings).applied;
    expect(label?.name).toBe('sig/planner');
    expect(label?.reason).toMatch(/^the one earlier routed issue in planner\/core was labelled sig\/planner \(100% of the vote, confidence 67%\); replayed in filing order, this repository's votes of confidence 67% or more: 9 of 9 were right$/);
  });

  it('follows a team change: recent issues weigh more', () => {
    const before = series(100, 4, 'session', ['sig/execution'], '2019-01-01');
    const after = series(200, 3, 'session', ['sig/sql-infra'], '2023-06-01');
    const [label] = ownershipLabels(at('session'), [...before, ...after], ungated).applied;
    expect(label?.name).toBe('sig/sql-infra');
    expect(label?.reason).toMatch(/^3 of the 7 earlier routed issues in session were labelled sig\/sql-infra \(7\d% of the vote, confidence \d+%\)/);
  });

  it('learns only from issues routed in the family, only the configured families, and never a forbidden label', () => {
    const history = [
      ...series(100, 12, 'ddl', ['sig/sql-infra', 'severity/major']),
      ...series(200, 30, 'ddl', ['type/bug']), // unrouted issues say nothing against sig/sql-infra
    ];
    const learned = ownershipLabels(at('ddl'), history, { ...settings, families: ['sig/*', 'severity/*', 'type/*'] }).applied;
    expect(learned.map((l) => l.name)).toEqual(['sig/sql-infra', 'type/bug']);
    expect(learned[0]!.reason).toMatch(/^12 of the 12 earlier routed issues in ddl/);
    expect(ownershipLabels(at('ddl'), history, { ...settings, families: ['area/*'] })).toEqual({ applied: [], abstained: [] });
  });

  it('leaves the issue itself out of its history, and names packages nothing is known about', () => {
    const history = series(100, 12, 'ddl', ['sig/sql-infra']);
    const withItself = [...history, { ...history[0]!, number: 500, packages: at('ttl'), labels: ['sig/execution'] }];
    expect(ownershipLabels(at('ttl'), withItself, settings, 500)).toEqual({
      applied: [],
      abstained: [{ name: 'sig/*', reason: 'no earlier issue labelled sig/* is about ttl' }],
    });
  });

  it("walks a dependency's packages up to its module root, never into another module", () => {
    const history = series(100, 12, 'internal/locate', ['sig/transaction']).map((r) => ({ ...r, packages: at('internal/locate', 'github.com/tikv/client-go') }));
    expect(ownershipLabels(at('tikv', 'github.com/tikv/client-go'), history, settings).applied.map((l) => l.name)).toEqual(['sig/transaction']);
    expect(ownershipLabels(at('pd', 'github.com/tikv/pd'), history, settings).applied).toEqual([]);
    // The project's own `internal/locate` is not the dependency's.
    expect(ownershipLabels(at('internal/locate'), history, settings).applied).toEqual([]);
  });

  it('reads the history in filing order, whatever the dates say', () => {
    const history = series(100, 12, 'ddl', ['sig/sql-infra']).map((r, i) => ({ ...r, filedAt: i % 3 ? r.filedAt : '2020-01-01T00:00:00Z' }));
    const shuffled = [...history].reverse();
    const [label] = ownershipLabels(at('ddl'), shuffled, settings).applied;
    expect(label?.name).toBe('sig/sql-infra');
    expect(label?.reason).toMatch(/replayed in filing order, this repository's votes of confidence \d+% or more: (\d+) of \1 were right/);
    expect(ownershipLabels(at('ddl'), shuffled, settings)).toEqual(ownershipLabels(at('ddl'), history, settings));
  });

  it('learns one issue at a time exactly as it learns the whole history, and refuses an issue out of order', () => {
    const history = [
      ...series(100, 10, 'ddl', ['sig/sql-infra']),
      ...series(200, 10, 'executor', ['sig/execution']),
      ...series(300, 6, 'ddl/ingest', ['sig/execution']),
    ];
    const model = OwnershipModel.learn([], settings);
    for (const [i, record] of history.entries()) {
      for (const packages of [at('ddl'), at('executor'), at('ddl/ingest')]) {
        expect(model.labels(packages)).toEqual(ownershipLabels(packages, history.slice(0, i), settings));
      }
      expect(model.add(record)).toBe(true);
    }
    expect(model.add(history[3]!)).toBe(false);
    expect(model.labels(at('ddl'))).toEqual(ownershipLabels(at('ddl'), history, settings));
  });
});

describe('what an issue says about ownership', () => {
  const tidb = readFileSync(join(process.cwd(), 'fixtures/store/tidb-issues.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { number: number; body: string });
  const body = (n: number) => tidb.find((i) => i.number === n)!.body;

  it('a race: the racing function and its caller on each side, the standard library left out', () => {
    // pingcap/tidb#30232: session variables against a sync.Once on the other side.
    const packages = racePackages(analyse(body(30232)), DEFAULT_CONFIG, 'pingcap/tidb');
    expect(packages).toEqual([
      { package: 'sessionctx/variable', weight: 0.6667 },
      { package: 'executor', weight: 0.3333 },
    ]);
    // A dependency's packages keep their module (pingcap/tidb#37888, client-go's region cache).
    expect(racePackages(analyse(body(37888)), DEFAULT_CONFIG, 'pingcap/tidb')[0]).toEqual({
      package: 'internal/locate',
      module: 'github.com/tikv/client-go',
      weight: 1,
    });
  });

  it('no race: the pasted stack (pingcap/tidb#55227, cut off before its race header)', () => {
    expect(issuePackages(body(55227), DEFAULT_CONFIG, 'pingcap/tidb')).toEqual({
      source: 'stack',
      packages: [{ package: 'sessionctx/variable', weight: 1 }],
    });
    expect(issuePackages('no stack here', DEFAULT_CONFIG, 'pingcap/tidb')).toEqual({ source: 'none', packages: [] });
  });

  it("a panic: the failing goroutine's frames; a timeout's alarm says nothing", () => {
    const panic = [
      'panic: runtime error: index out of range [3] with length 3',
      '',
      'goroutine 77 [running]:',
      'github.com/pingcap/tidb/pkg/planner/core.(*PlanBuilder).buildSelect(0xc000a1b2c0)',
      '\t/go/src/github.com/pingcap/tidb/pkg/planner/core/logical_plan_builder.go:4012 +0x1f4',
      'github.com/pingcap/tidb/pkg/planner/core.(*PlanBuilder).Build(0xc000a1b2c0)',
      '\t/go/src/github.com/pingcap/tidb/pkg/planner/core/planbuilder.go:512 +0x88',
      '',
      'goroutine 1 [chan receive]:',
      'github.com/pingcap/tidb/pkg/ddl.(*ddl).Start(0xc0001)',
      '\t/go/src/github.com/pingcap/tidb/pkg/ddl/ddl.go:700 +0x1',
    ].join('\n');
    expect(stackPackages(extractGoStacks(panic), DEFAULT_CONFIG, 'pingcap/tidb')).toEqual([{ package: 'planner/core', weight: 1 }]);
    const timeout = 'panic: test timed out after 10m0s\n\ngoroutine 9 [running]:\ntesting.(*M).startAlarm.func1()\n\t/usr/local/go/src/testing/testing.go:2259 +0x1fc\n\ngoroutine 1 [chan receive]:\ngithub.com/pingcap/tidb/pkg/ddl.(*ddl).Start(0xc0001)\n\t/go/src/github.com/pingcap/tidb/pkg/ddl/ddl.go:700 +0x1\n';
    expect(stackPackages(extractGoStacks(timeout), DEFAULT_CONFIG, 'pingcap/tidb')).toEqual([]);
  });
});
