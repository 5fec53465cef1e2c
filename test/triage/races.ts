/**
 * Races built by hand, shaped like the engine's output for TiDB reports, so comment bodies
 * can be asserted exactly without depending on how the engine normalises frames.
 */
import type { AccessKind, AnalysedRace, Frame } from '../../src/race/types.js';
import type { Candidate } from '../../src/store/types.js';
import type { IssueInput } from '../../src/triage/types.js';

/** `package short file:line`, the short name as the engine prints it: `(*T).M`, `pkg.F`. */
type FrameSpec = string;

export interface SideSpec {
  kind: AccessKind;
  actor?: string;
  frames: FrameSpec[];
}

export function frame(spec: FrameSpec): Frame {
  const [pkg = '', short = '', where = ''] = spec.split(' ');
  const [file = '', line = '0'] = where.split(':');
  const name = short.startsWith('(') ? `${pkg}.${short}` : `${pkg.replace(/[^/]+$/, '')}${short}`;
  return { function: `github.com/pingcap/tidb/${name}`, file, line: Number(line), key: name, package: pkg, module: 'github.com/pingcap/tidb', short, significant: true };
}

export function race(opts: { fingerprint: string; test?: string; sides: SideSpec[] }): AnalysedRace {
  const accesses = opts.sides.map((side, i) => ({
    kind: side.kind,
    atomic: false,
    previous: i > 0,
    actor: side.actor ?? '',
    frames: side.frames.map(frame),
    stackLost: false,
    cutAbove: false,
    cutBelow: false,
  }));
  const tops = accesses.map((a) => a.frames[0]?.short ?? '?');
  return {
    report: {
      dialect: 'go',
      accesses,
      creations: [],
      ...(opts.test ? { test: opts.test } : {}),
      partial: accesses.length < 2,
      ...(accesses.length < 2 ? { partialReason: 'second access missing: report cut off' } : {}),
      span: [0, 100],
      quoteDepth: 0,
    },
    signature: {
      fingerprint: opts.fingerprint,
      title: tops.join(' ↔ '),
      partial: accesses.length < 2,
      sides: accesses.map((a) => ({ kind: a.kind, keys: a.frames.map((f) => f.key) })),
      packages: [...new Set(accesses.flatMap((a) => a.frames.map((f) => f.package)))],
      ...(opts.test ? { test: opts.test } : {}),
    },
  };
}

/** Seed 001 (pingcap/tidb#41105): an index worker closing a select result races statement reset. */
export const indexWorkerRace = race({
  fingerprint: 'v1:45b5daa177fedf6b',
  test: 'TestForeignKeyAndMemoryTracker',
  sides: [
    {
      kind: 'read',
      actor: 'goroutine 43136',
      frames: [
        'distsql (*selectResult).Close distsql/select_result.go:458',
        'executor (*IndexLookUpExecutor).startIndexWorker.func* executor/distsql.go:657',
      ],
    },
    {
      kind: 'write',
      actor: 'goroutine 20821',
      frames: ['executor executor.ResetContextOfStmt executor/executor.go:2236', 'session (*session).ExecuteStmt session/session.go:2144'],
    },
  ],
});

/** Seed 002 (pingcap/tidb#55467): the same statement reset, racing a kill signal instead. */
export const killSignalRace = race({
  fingerprint: 'v1:ac6acca989bfa7b4',
  test: 'TestTiFlashBatchKill',
  sides: [
    {
      kind: 'read',
      actor: 'goroutine 512',
      frames: [
        'util/sqlkiller (*SQLKiller).SendKillSignal pkg/util/sqlkiller/sqlkiller.go:54',
        'ddl/tests/tiflash tiflash.TestTiFlashBatchKill.func* pkg/ddl/tests/tiflash/ddl_tiflash_test.go:1385',
      ],
    },
    {
      kind: 'write',
      actor: 'goroutine 498',
      frames: ['executor executor.ResetContextOfStmt pkg/executor/select.go:1015', 'session (*session).ExecuteStmt pkg/session/session.go:2106'],
    },
  ],
});

export function issue(overrides: Partial<IssueInput> = {}): IssueInput {
  return {
    installationId: 7,
    repo: 'pingcap/tidb',
    number: 41230,
    title: 'DATA RACE in TestForeignKeyAndMemoryTracker',
    body: '',
    state: 'open',
    labels: [],
    private: false,
    ...overrides,
  };
}

export function candidate(
  number: number,
  overrides: { score?: number; exact?: boolean; title?: string; state?: 'open' | 'closed'; stateReason?: string | null; fixingPr?: number | null; repo?: string; private?: boolean; labels?: string[]; installationId?: number; explanation?: Candidate['explanation'] } = {},
): Candidate {
  const exact = overrides.exact ?? false;
  return {
    issue: {
      installationId: overrides.installationId ?? 7,
      repo: overrides.repo ?? 'pingcap/tidb',
      number,
      title: overrides.title ?? `DATA RACE #${number}`,
      state: overrides.state ?? 'open',
      stateReason: overrides.stateReason ?? null,
      labels: overrides.labels ?? [],
      fixingPr: overrides.fixingPr ?? null,
      private: overrides.private ?? false,
      updatedAt: '2026-01-01T00:00:00Z',
    },
    score: overrides.score ?? (exact ? 1 : 0.8),
    exact,
    sharedFingerprints: exact ? [indexWorkerRace.signature.fingerprint] : [],
    races: [],
    ...(overrides.explanation ? { explanation: overrides.explanation } : {}),
  };
}
