/**
 * `race-triage backfill` as a user runs it: a real child process, GitHub served by a loopback
 * HTTP server (GITHUB_API_URL), the index in a SQLite file the test then opens.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyse } from '../../src/race/index.js';
import { openDatabase, openIndex, OwnershipHistory, type OwnershipTables } from '../../src/store/index.js';
import { REPO_ROOT } from '../cli/run-cli.js';
import { HttpGitHub } from '../support/github/http-github.js';
import { issueObject } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { signatures } from '../support/indexed.js';

const PORT = 38_561;
const TOKEN = 'ghp_cliBackfillSecret0042';
const seeds = loadSeeds();
/** 230 issues; every 40th carries a seed (five in all). */
const history = Array.from({ length: 230 }, (_, i) => {
  const number = i + 1;
  const seed = number % 40 === 0 ? seeds[number / 40 - 1] : undefined;
  return issueObject({ number, title: seed?.title ?? `Issue ${number}`, body: seed?.body ?? 'no race here' });
});

let github: HttpGitHub;
let dir: string;
const requests = () => github.calls.map((c) => `${c.method} ${c.path}`);

beforeAll(async () => {
  github = new HttpGitHub(PORT);
  await github.listen();
});

afterAll(async () => {
  await github.close();
  expect(github.problems).toEqual([]);
});

beforeEach(() => {
  github.calls.length = 0;
  github.faults.length = 0;
  github.histories.set('pingcap/tidb', history);
  dir = mkdtempSync(join(tmpdir(), 'race-triage-cli-backfill-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function backfill(args: string[], env: Record<string, string | undefined> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'src/cli/main.ts'), 'backfill', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${PORT}`, RACE_TRIAGE_DATA_DIR: dir, DATABASE_URL: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done) => child.on('close', (status) => done({ status, stdout, stderr })));
}

async function indexed(number: number) {
  const index = await openIndex({ dataDir: dir });
  try {
    return await index.getIssue({ installationId: 77, repo: 'pingcap/tidb', number });
  } finally {
    await index.close();
  }
}

it('indexes the issues with races in one request per 100 issues, with plain progress lines off a terminal', async () => {
  const { status, stdout, stderr } = await backfill(['pingcap/tidb', '--installation', '77']);
  expect(status).toBe(0);
  expect(stdout).toBe('pingcap/tidb: backfill finished: 230 issues, 0 comments and 0 pull requests read in 5 pages, 5 with races in the index\n');
  expect(stderr).toMatch(
    /^pingcap\/tidb: 100\/300 issues read, 2 with races, \d+\/s\npingcap\/tidb: 200\/300 issues read, 5 with races, \d+\/s\npingcap\/tidb: 230\/230 issues and 0 comments read, 5 with races, \d+\/s\npingcap\/tidb: 230\/230 issues, 0 comments and 0 pull requests read, 5 with races, \d+\/s\npingcap\/tidb: 230\/230 issues, 0 comments and 0 pull requests read, 5 with races, \d+\/s\n$/,
  );
  expect(requests().filter((r) => r.startsWith('GET /repos/pingcap/tidb/issues?'))).toHaveLength(Math.ceil(230 / 100));
  expect(requests().filter((r) => r.startsWith('GET /repos/pingcap/tidb/issues/comments?'))).toHaveLength(1);
  expect(requests().filter((r) => r.startsWith('GET /repos/pingcap/tidb/pulls?'))).toEqual(['GET /repos/pingcap/tidb/pulls?state=closed&sort=created&direction=asc&per_page=100&page=1']);
  // The repository itself (is it private?), then the pages: reads only, with the token.
  expect(requests()[0]).toBe('GET /repos/pingcap/tidb');
  expect(requests()).toHaveLength(Math.ceil(230 / 100) + 3);
  expect(requests().every((r) => r.startsWith('GET '))).toBe(true);
  expect(github.calls.every((c) => c.headers.authorization === `token ${TOKEN}`)).toBe(true);
  for (const [i, seed] of seeds.entries()) {
    expect(signatures((await indexed((i + 1) * 40))?.races)).toEqual(analyse(seed.body).map((r) => r.signature));
  }
  // The ownership history the app learns labels from: every issue whose body names Go code.
  const database = await openDatabase({ dataDir: dir });
  try {
    const owned = await new OwnershipHistory(database.db.withTables<OwnershipTables>()).list(77, 'pingcap/tidb');
    expect(owned.map((r) => r.number)).toEqual([40, 80, 120, 160, 200]);
    expect(owned.every((r) => r.packages.length > 0)).toBe(true);
  } finally {
    await database.db.destroy();
  }
  expect(stdout + stderr).not.toContain(TOKEN);
});

it('stops with exit 1 on a GitHub error and resumes at the failed page', async () => {
  github.fail({ method: 'GET', path: /^\/repos\/pingcap\/tidb\/issues$/, query: { page: '2' }, status: 404 });
  const stopped = await backfill(['pingcap/tidb', '--installation', '77']);
  expect(stopped.status).toBe(1);
  expect(stopped.stderr).toContain(
    'race-triage: backfill of pingcap/tidb stopped: GitHub answered 404: the repository does not exist or the token cannot read it\nRun the same command again to resume.\n',
  );
  github.calls.length = 0;
  const resumed = await backfill(['pingcap/tidb', '--installation', '77']);
  expect(resumed.status).toBe(0);
  expect(resumed.stdout).toBe('pingcap/tidb: resumed backfill finished: 130 issues, 0 comments and 0 pull requests read in 4 pages, 5 with races in the index\n');
  expect(requests().filter((r) => /\/issues(?:\?|$)/.test(r)).map((r) => new URL(r.split(' ')[1]!, 'http://x').searchParams.get('page'))).toEqual(['2', '3']);
});

it.each([
  [['pingcap/tidb', '--installation', '77'], { GITHUB_TOKEN: '' }, "race-triage: set GITHUB_TOKEN to a token that can read the repository's issues\n"],
  [['pingcap', '--installation', '77'], {}, 'race-triage: "pingcap" is not a repository: write owner/name\n'],
  [['pingcap/tidb', '--installation', 'x'], {}, 'race-triage: --installation must be a positive number, not "x"\n'],
])('refuses %j with exit 2 and a readable message', async (args, env, message) => {
  const { status, stderr } = await backfill(args, env);
  expect(status).toBe(2);
  expect(stderr).toBe(message);
  expect(requests()).toEqual([]);
});
