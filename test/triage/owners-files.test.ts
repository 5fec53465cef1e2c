/**
 * Prow-style OWNERS files as label rules: read without ever throwing, applied to their
 * directory and below, and voted on by the racing frames like path rules.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseConfig } from '../../src/triage/config.js';
import { decide } from '../../src/triage/decide.js';
import { ownersDir, ownersLabels, parseOwnersFiles } from '../../src/triage/owners-files.js';
import { issue, race } from './races.js';

/** pingcap/tidb's pkg/planner/OWNERS, as committed there. */
const PLANNER_OWNERS = `# See the OWNERS docs at https://go.k8s.io/owners
options:
  no_parent_owners: true
filters:
  "(^|/)BUILD\\\\.bazel$":
    approvers:
      - sig-community-approvers
  ".*":
    approvers:
      - sig-approvers-planner
    labels:
      - sig/planner
`;

const owners = parseOwnersFiles([
  { path: 'OWNERS', text: 'approvers: [root-approvers]\nlabels: [kind/tidb]\n' },
  { path: 'pkg/planner/OWNERS', text: PLANNER_OWNERS },
  { path: 'pkg/executor/OWNERS', text: 'labels:\n  - sig/execution\n' },
  { path: 'pkg/executor/sortexec/OWNERS', text: 'filters:\n  "\\\\.go$":\n    labels: [component/sort]\n' },
]);

describe('OWNERS files', () => {
  it('give their labels to the directory and below, collecting parents up to no_parent_owners', () => {
    expect(owners.problems).toEqual([]);
    expect(ownersLabels(owners, 'planner/core', '/go/src/github.com/pingcap/tidb/pkg/planner/core/plan.go')).toEqual([
      { label: 'sig/planner', source: 'pkg/planner/OWNERS' },
    ]);
    expect(ownersLabels(owners, 'executor/sortexec', 'pkg/executor/sortexec/topn.go').map((l) => l.label)).toEqual([
      'component/sort',
      'sig/execution',
      'kind/tidb',
    ]);
    // A filter needs the file it matches: without a file name only top-level labels apply.
    expect(ownersLabels(owners, 'executor/sortexec').map((l) => l.label)).toEqual(['sig/execution', 'kind/tidb']);
    expect(ownersLabels(owners, 'ddl', 'ddl/ddl.go').map((l) => l.label)).toEqual(['kind/tidb']);
    expect(ownersDir('pkg/planner/OWNERS')).toBe('planner');
    expect(ownersDir('OWNERS')).toBe('');
  });

  it('that cannot be read are named, and the others still apply', () => {
    const parsed = parseOwnersFiles([
      { path: 'a/OWNERS', text: 'labels: [sig/a' },
      { path: 'b/OWNERS', text: 'filters:\n  "[":\n    labels: [sig/b]\n' },
      { path: 'c/OWNERS', text: 'labels: sig/c\n' },
      { path: 'd/OWNERS', text: 'filters:\n  "(?i)\\\\.GO$":\n    labels: [sig/d]\n' },
    ]);
    expect(parsed.problems).toEqual([
      expect.stringMatching(/^a\/OWNERS: not valid YAML \(/),
      'b/OWNERS: filters key "[" is not a regular expression race-triage can read',
      expect.stringMatching(/^c\/OWNERS: labels: /),
    ]);
    expect(ownersLabels(parsed, 'd', 'd/x.go')).toEqual([{ label: 'sig/d', source: 'd/OWNERS' }]);
  });

  it('never throw on any text', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 300 })), { maxLength: 5 }), (files) => {
        const parsed = parseOwnersFiles(files.map(([path, text]) => ({ path, text })));
        for (const [path] of files) ownersLabels(parsed, path, `${path}/x.go`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('OWNERS labels on a race', () => {
  const plannerRace = race({
    fingerprint: 'v1:0123456789abcdef',
    sides: [
      { kind: 'write', frames: ['planner/core (*PlanBuilder).buildSelect planner/core/logical_plan_builder.go:4012', 'planner/core (*PlanBuilder).Build planner/core/planbuilder.go:512'] },
      { kind: 'read', frames: ['planner/core (*PlanBuilder).getStatsTable planner/core/planbuilder.go:800'] },
    ],
  });
  const run = (yaml = '') =>
    decide({ issue: issue(), races: [plannerRace], candidates: [], config: parseConfig(yaml).config, repoLabels: null, owners });

  it('are voted on by the racing frames and say which file they come from', () => {
    expect(run().labels.find((l) => l.source === 'owners')).toEqual({
      name: 'sig/planner',
      source: 'owners',
      reason: '3 of 3 top racing frames, on both sides, are in pkg/planner/OWNERS: 100% agreement',
    });
  });

  it('give way to the path rules in a family both speak for, and can be turned off', () => {
    const ruled = run('label_rules:\n  "planner/**": sig/optimizer\n');
    expect(ruled.labels.map((l) => l.name)).toEqual(['type/data-race', 'sig/optimizer']);
    expect(ruled.skippedLabels).toContainEqual({
      name: 'sig/planner',
      reason: 'the label rules decide sig/* labels here (the OWNERS files said: 3 of 3 top racing frames, on both sides, are in pkg/planner/OWNERS: 100% agreement)',
    });
    expect(run('owners_files: false').labels.map((l) => l.source)).not.toContain('owners');
  });
});
