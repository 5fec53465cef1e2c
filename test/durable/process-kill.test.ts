/**
 * The real `npm start` entry point (src/main.ts) in a child process, killed with SIGKILL right
 * after GitHub created its comment and before the job was marked done, then started again on
 * the same SQLite file. GitHub is the shared fake: a loopback HTTP front (GHE_HOST) hands each
 * request to it through nock in this process.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nock from 'nock';
import type { QueueStatus } from '../../src/github/jobs/queue.js';
import { analyse } from '../../src/race/index.js';
import { openIndex } from '../../src/store/index.js';
import { REPO_ROOT } from '../cli/run-cli.js';
import { FakeGitHub } from '../github/support/fake-github.js';
import { TEST_PRIVATE_KEY } from '../github/support/harness.js';
import { INSTALLATION_ID, issuesEvent } from '../github/support/payloads.js';
import { loadSeeds } from '../github/support/seeds.js';
import { sign, WEBHOOK_SECRET } from './support/durable-server.js';
import { waitFor } from '../support/wait.js';
import { postLocal } from '../support/post-webhook.js';

const APP_PORT = 38_571;
const GITHUB_PORT = 38_572;
const mpp = loadSeeds().find((s) => s.number === 39771)!;

let dir: string;
let front: Server;
let github: FakeGitHub;
let app: ChildProcess | undefined;
let output = '';
/** Called when the app posts its comment; set by the test. */
let onComment: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'race-triage-kill-'));
  writeFileSync(join(dir, 'app.pem'), TEST_PRIVATE_KEY);
  nock.enableNetConnect('127.0.0.1');
  github = new FakeGitHub();
  github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  front = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').replace(/^\/api\/v3/, '');
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
    const answer = await fetch(`https://api.github.com${path}`, {
      method: req.method!,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    if (req.method === 'POST' && /\/issues\/\d+\/comments$/.test(path) && onComment) {
      // GitHub has created the comment; the app is killed before it hears back.
      onComment();
      res.destroy();
      return;
    }
    res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(body);
  });
  await new Promise<void>((done) => front.listen(GITHUB_PORT, '127.0.0.1', done));
});

afterAll(async () => {
  app?.kill('SIGKILL');
  await new Promise((done) => front.close(done));
  nock.cleanAll();
  rmSync(dir, { recursive: true, force: true });
});

async function startApp(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'src/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'production',
      APP_ID: '1',
      PRIVATE_KEY_PATH: join(dir, 'app.pem'),
      WEBHOOK_SECRET,
      HOST: '127.0.0.1',
      PORT: String(APP_PORT),
      GHE_HOST: `127.0.0.1:${GITHUB_PORT}`,
      GHE_PROTOCOL: 'http',
      RACE_TRIAGE_DATA_DIR: dir,
      DATABASE_URL: '',
      LOG_LEVEL: 'debug',
      RACE_TRIAGE_JOB_TIME_CAP_MS: '2000',
    },
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${APP_PORT}/healthz`, { headers: { connection: 'close' } })).ok, 30_000, 'the app to start');
  return child;
}

async function queueCounts(): Promise<QueueStatus['counts']> {
  const response = await fetch(`http://127.0.0.1:${APP_PORT}/status`, { headers: { connection: 'close' } });
  return ((await response.json()) as { queue: QueueStatus }).queue.counts;
}

it('posts one comment and the labels when killed between posting the comment and finishing the job', async () => {
  app = await startApp();
  const killed = new Promise<void>((done) => {
    onComment = () => {
      app!.kill('SIGKILL');
      onComment = undefined;
      app!.once('exit', () => done());
    };
  });
  const event = issuesEvent('opened', { number: 31, title: mpp.title, body: mpp.body });
  github.rememberIssue('pingcap/tidb', event.issue);
  const body = JSON.stringify(event);
  const ack = await postLocal(
    `http://127.0.0.1:${APP_PORT}/api/github/webhooks`,
    { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': 'kill-1', 'x-hub-signature-256': sign(body), connection: 'close' },
    body,
  );
  expect(ack.status).toBe(200);
  await killed;
  expect(github.commentsOn('pingcap/tidb#31')).toHaveLength(1);

  app = await startApp();
  await waitFor(async () => {
    const counts = await queueCounts();
    return counts.done === 1 && counts.pending + counts.running === 0;
  }, 30_000, 'the job to be done after the restart');
  app.kill('SIGTERM');
  await new Promise((done) => app!.once('exit', done));
  app = undefined;

  expect(github.commentsOn('pingcap/tidb#31')).toHaveLength(1);
  expect(github.labelsOn('pingcap/tidb#31')).toEqual(['type/data-race', 'component/store']);
  expect(github.problems).toEqual([]);
  const index = await openIndex({ dataDir: dir });
  expect((await index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 31 }))?.races).toEqual(analyse(mpp.body).map((r) => r.signature));
  await index.close();
  for (const secret of [WEBHOOK_SECRET, TEST_PRIVATE_KEY.split('\n')[1]!, 'ghs_test']) expect(output).not.toContain(secret);
}, 90_000);
