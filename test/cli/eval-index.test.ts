/**
 * `race-triage eval --index`: a repository's history read from the app's own index (a real
 * SQLite file, filled as the app fills it) and scored against the pairs its maintainers
 * recorded, with the threshold sweep a maintainer sets `thresholds.duplicate` from.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { analyse, storedReport } from '../../src/race/index.js';
import { IssuePairs, KyselyRaceIndex, openDatabase, type IssuePairsDatabase } from '../../src/store/index.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const REPO = 'pingcap/tidb';
const INSTALLATION = 4;
const seeds = readFileSync(join(REPO_ROOT, 'fixtures/corpus/seeds.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { number: number; title: string; body: string; duplicate_of?: number[] });

let dir: string;
const env = () => ({ RACE_TRIAGE_DATA_DIR: dir, DATABASE_URL: '' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'race-triage-eval-index-'));
  const database = await openDatabase({ dataDir: dir });
  const index = new KyselyRaceIndex(database.db);
  const pairs = new IssuePairs(database.db.withTables<IssuePairsDatabase>());
  try {
    await index.upsertIssues(
      seeds.map((seed, i) => ({
        installationId: INSTALLATION,
        repo: REPO,
        number: seed.number,
        title: seed.title,
        state: 'open',
        stateReason: null,
        labels: [],
        fixingPr: null,
        private: false,
        updatedAt: '2025-01-01T00:00:00Z',
        createdAt: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
        races: analyse(seed.body).map((race) => ({ ...race.signature, report: storedReport(race.report) })),
      })),
    );
    const repo = { installationId: INSTALLATION, repo: REPO };
    const at = '2025-02-01T00:00:00Z';
    for (const seed of seeds) {
      for (const other of seed.duplicate_of ?? []) {
        await pairs.record(repo, { issue: seed.number, other, kind: 'confirmed-dup', source: { kind: 'command', user: 'maintainer' }, at }, { replace: true });
      }
    }
    // Two races that share `ResetContextOfStmt`, which a maintainer said are different.
    await pairs.record(repo, { issue: 55467, other: 41105, kind: 'not-dup', source: { kind: 'command', user: 'maintainer' }, at }, { replace: true });
  } finally {
    await index.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('race-triage eval --index', () => {
  it("scores the index's history against the recorded pairs, with the threshold sweep", () => {
    const result = runCli(['eval', '--index', REPO, '--installation', String(INSTALLATION)], undefined, env());
    expect(result.stderr).toContain(`race-triage: ${REPO}: 7 indexed issues, 2 confirmed duplicate pairs and 1 not-duplicate pairs recorded`);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`## ${REPO}: 7 issues`);
    expect(result.stdout).toContain('Duplicates: 2 issues with earlier duplicates, 2 without, 1 hard negatives.');
    expect(result.stdout).toMatch(/\| race-triage \| 1\.00 \| 1\.00 \| 1\.00 \| 0% of \d+ \| 0% \| 0 of 1 \| 0 \|/);
    expect(result.stdout).toMatch(/\| 0\.75 \| 1\.00 \| 1\.00 \| \d+ \| 0 \|/);
    expect(result.stdout).toContain('Best precision at recall of at least 0.9: threshold');
  });

  it('gives the figures as JSON, and gates on them as with a corpus', () => {
    const result = runCli(['eval', '--index', REPO, '--installation', String(INSTALLATION), '--json', '--min-recall1', '1'], undefined, env());
    expect(result.status).toBe(0);
    const [report] = JSON.parse(result.stdout) as { corpus: string; duplicates: { method: string; metrics: { recall1: number; queries: number } }[] }[];
    expect(report!.corpus).toBe(REPO);
    expect(report!.duplicates[0]).toMatchObject({ method: 'race-triage', metrics: { recall1: 1, queries: 2 } });
  });

  it('says what is missing when the index holds nothing of the repository, or the options do not add up', () => {
    const other = runCli(['eval', '--index', REPO, '--installation', '5'], undefined, env());
    expect(other.status).toBe(2);
    expect(other.stderr).toContain(`the index holds no issue of ${REPO} under installation 5: run the backfill first`);

    const noInstallation = runCli(['eval', '--index', REPO], undefined, env());
    expect(noInstallation.status).toBe(2);
    expect(noInstallation.stderr).toContain(`--index needs --installation, the app's installation id on ${REPO}`);

    const both = runCli(['eval', '--index', REPO, '--installation', '4', '--corpus', 'fixtures/corpus/seeds.jsonl'], undefined, env());
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--corpus and --index are two ways to name what to score: give one');

    const neither = runCli(['eval'], undefined, env());
    expect(neither.status).toBe(2);
    expect(neither.stderr).toContain('name what to score: --corpus PATH..., or --index OWNER/REPO --installation ID');
  });
});
