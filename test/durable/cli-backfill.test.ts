/**
 * `race-triage backfill` as a user runs it: a real child process, GitHub served by a loopback
 * HTTP server (GITHUB_API_URL), the index in a SQLite file the test then opens.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyse } from '../../src/race/index.js';
import { openIndex } from '../../src/store/index.js';
import { issueObject } from '../github/support/payloads.js';
import { loadSeeds } from '../github/support/seeds.js';
import { REPO_ROOT } from '../cli/run-cli.js';

const PORT = 38_561;
const TOKEN = 'ghp_cliBackfillSecret0042';
const seeds = loadSeeds();
/** 230 issues; every 40th carries a seed (five in all). */
const history = Array.from({ length: 230 }, (_, i) => {
  const number = i + 1;
  const seed = number % 40 === 0 ? seeds[number / 40 - 1] : undefined;
  return issueObject({ number, title: seed?.title ?? `Issue ${number}`, body: seed?.body ?? 'no race here' });
});

let server: Server;
let requests: string[];
let failPage: number | undefined;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${PORT}`);
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.headers.authorization !== `token ${TOKEN}`) return send(401, { message: 'Bad credentials' });
    if (url.pathname === '/repos/pingcap/tidb') return send(200, { full_name: 'pingcap/tidb', private: false });
    if (url.pathname !== '/repos/pingcap/tidb/issues') return send(404, { message: 'Not Found' });
    const page = Number(url.searchParams.get('page'));
    if (page === failPage) return send(404, { message: 'Not Found' });
    const last = Math.ceil(history.length / 100);
    const link = (p: number) => `<http://127.0.0.1:${PORT}/repositories/1/issues?page=${p}>`;
    const headers: Record<string, string> = page < last ? { link: `${link(page + 1)}; rel="next", ${link(last)}; rel="last"` } : {};
    send(200, history.slice((page - 1) * 100, page * 100), headers);
  });
  await new Promise<void>((done) => server.listen(PORT, '127.0.0.1', done));
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

beforeEach(() => {
  requests = [];
  failPage = undefined;
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
  expect(stdout).toBe('pingcap/tidb: backfill finished: 230 issues read in 3 pages, 5 with races in the index\n');
  expect(stderr).toMatch(/^pingcap\/tidb: 100\/300 issues read, 2 with races, \d+\/s\npingcap\/tidb: 200\/300 issues read, 5 with races, \d+\/s\npingcap\/tidb: 230\/230 issues read, 5 with races, \d+\/s\n$/);
  expect(requests.filter((r) => r.startsWith('GET /repos/pingcap/tidb/issues'))).toHaveLength(Math.ceil(230 / 100));
  expect(requests).toHaveLength(Math.ceil(230 / 100) + 1);
  expect(requests.every((r) => r.startsWith('GET '))).toBe(true);
  for (const [i, seed] of seeds.entries()) {
    expect((await indexed((i + 1) * 40))?.races).toEqual(analyse(seed.body).map((r) => r.signature));
  }
  expect(stdout + stderr).not.toContain(TOKEN);
});

it('stops with exit 1 on a GitHub error and resumes at the failed page', async () => {
  failPage = 2;
  const stopped = await backfill(['pingcap/tidb', '--installation', '77']);
  expect(stopped.status).toBe(1);
  expect(stopped.stderr).toContain(
    'race-triage: backfill of pingcap/tidb stopped: GitHub answered 404: the repository does not exist or the token cannot read it\nRun the same command again to resume.\n',
  );
  failPage = undefined;
  requests = [];
  const resumed = await backfill(['pingcap/tidb', '--installation', '77']);
  expect(resumed.status).toBe(0);
  expect(resumed.stdout).toBe('pingcap/tidb: resumed backfill finished: 130 issues read in 2 pages, 5 with races in the index\n');
  expect(requests.filter((r) => r.includes('/issues')).map((r) => new URL(r.split(' ')[1]!, 'http://x').searchParams.get('page'))).toEqual(['2', '3']);
});

it.each([
  [['pingcap/tidb', '--installation', '77'], { GITHUB_TOKEN: '' }, "race-triage: set GITHUB_TOKEN to a token that can read the repository's issues\n"],
  [['pingcap', '--installation', '77'], {}, 'race-triage: "pingcap" is not a repository: write owner/name\n'],
  [['pingcap/tidb', '--installation', 'x'], {}, 'race-triage: --installation must be a positive number, not "x"\n'],
])('refuses %j with exit 2 and a readable message', async (args, env, message) => {
  const { status, stderr } = await backfill(args, env);
  expect(status).toBe(2);
  expect(stderr).toBe(message);
  expect(requests).toEqual([]);
});
