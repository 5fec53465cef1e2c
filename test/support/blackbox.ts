/**
 * The black-box fault run: the real app process (`node dist/src/main.js`, as the Docker image
 * runs it) against the fake GitHub as a real HTTP server on loopback, fed signed deliveries in
 * bursts, with GitHub's failure modes injected: a comment written then answered 502, 429,
 * secondary and primary rate limits, slow answers, a job held past its time cap, a `kill -9`
 * mid-burst and another right after GitHub wrote a comment, deliveries refused while the app
 * is down (recovered through the deliveries API), and redeliveries. Then it checks what users
 * would see. The CI test runs it small; `npm run bench:load` runs it at 1,000 deliveries.
 * `BLACKBOX_LOG=file` keeps the app's log of the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BOT } from './github/fake-github.js';
import { HttpGitHub } from './github/http-github.js';
import { issuesEvent } from './payloads.js';
import { postLocal } from './post-webhook.js';
import { loadSeeds } from './seeds.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SECRET = 'blackbox-webhook-secret-9d2e';
const LABELS = ['type/data-race', 'component/store', 'component/executor', 'component/sessionctx', 'component/util'];

export interface ScenarioOptions {
  /** Race issues filed; each gets opened, most an edit, some a close. */
  issues: number;
  /** Same-id redeliveries mixed in. */
  redeliveries: number;
  burst: number;
  appPort: number;
  githubPort: number;
  /** Least time between writes of one installation (production: 1000). */
  writeSpacingMs: number;
  /** Most time to wait for everything to settle. */
  settleMs: number;
  /** False: the same deliveries without faults or kills (the benchmark's baseline). */
  faults?: boolean;
  log?: (line: string) => void;
}

export interface ScenarioResult {
  deliveries: number;
  acks: number[];
  refused: number;
  drainMs: number;
  apiCalls: number;
  issues: number;
  problems: string[];
  redelivered: number;
  kills: number;
  failedJobs: number;
}

interface Delivery {
  id: string;
  event: string;
  body: string;
  issue: number;
}

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-blackbox-'));
  const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  writeFileSync(join(dir, 'app.pem'), key);
  const github = new HttpGitHub(options.githubPort);
  github.repoLabels.set('pingcap/tidb', LABELS);
  github.configs.set('pingcap/tidb', 'comments_per_hour: 1000\n');
  await github.listen();
  const base = `http://127.0.0.1:${options.appPort}`;
  const problems: string[] = [];
  let output = '';
  let app: ChildProcess | undefined;
  let kills = 0;

  const startApp = async (env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/src/main.js')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        APP_ID: '1',
        PRIVATE_KEY_PATH: join(dir, 'app.pem'),
        WEBHOOK_SECRET: SECRET,
        HOST: '127.0.0.1',
        PORT: String(options.appPort),
        GHE_HOST: github.host,
        GHE_PROTOCOL: 'http',
        RACE_TRIAGE_DATA_DIR: dir,
        LOG_LEVEL: 'info',
        RACE_TRIAGE_WORKERS: '2',
        RACE_TRIAGE_JOB_TIME_CAP_MS: '10000',
        RACE_TRIAGE_REQUEST_TIMEOUT_MS: '2000',
        RACE_TRIAGE_WRITE_SPACING_MS: String(options.writeSpacingMs),
        RACE_TRIAGE_REDELIVERY_INTERVAL_MS: '2000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the app exited at start: ${output.slice(-2000)}`);
      const ok = await fetch(`${base}/healthz`, { headers: { connection: 'close' } }).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the app did not start');
      await sleep(50);
    }
    return child;
  };
  const stop = async () => {
    const child = app;
    app = undefined;
    if (!child) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  /** `kill -9` of the running app; a no-op when it is down already (two faults may coincide). */
  const kill9 = async () => {
    const child = app;
    app = undefined;
    if (!child) return;
    kills++;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    log(`killed the app with SIGKILL (${kills})`);
  };
  /** After the kill that followed a written comment: start again, unless the app is up. */
  const restartAfterCommentKill = async () => {
    await killAfterComment;
    killAfterComment = undefined;
    app ??= await startApp();
  };

  // What GitHub sends, and what it resends when the app asks (same delivery id).
  const post = async (d: Pick<Delivery, 'id' | 'event' | 'body'>): Promise<{ status: number; ms: number }> => {
    const started = performance.now();
    const headers = { 'content-type': 'application/json', 'x-github-event': d.event, 'x-github-delivery': d.id, 'x-hub-signature-256': sign(d.body), connection: 'close' };
    const status = await postLocal(`${base}/api/github/webhooks`, headers, d.body).then(
      (r) => r.status,
      () => 0,
    );
    return { status, ms: performance.now() - started };
  };
  github.redeliver = async (d) => (await post({ id: d.guid, event: d.event, body: d.body })).status;

  // The deliveries: seeds refiled, in order per issue, interleaved across issues.
  const seeds = loadSeeds();
  const perIssue: Delivery[][] = [];
  for (let n = 1; n <= options.issues; n++) {
    const first = seeds[n % seeds.length]!;
    const second = seeds[(n + 2) % seeds.length]!;
    const events: Delivery[] = [];
    const add = (event: string, payload: unknown) => events.push({ id: `d-${n}-${events.length}`, event, body: JSON.stringify(payload), issue: n });
    add('issues', issuesEvent('opened', { number: n, title: first.title, body: first.body, author: `user${n % 7}` }));
    if (n % 4 !== 0) add('issues', issuesEvent('edited', { number: n, title: first.title, body: `${first.body}\n\n${second.body}` }, { changes: { body: { from: first.body } } }));
    perIssue.push(events);
  }
  const unique = [0, 1].flatMap((step) => perIssue.flatMap((events) => (events[step] ? [events[step]!] : [])));
  const all = [...unique];
  for (let r = 0; r < options.redeliveries; r++) {
    const source = unique[(r * 7919) % unique.length]!;
    all.splice(Math.min(all.length, all.indexOf(source) + 1 + (r % 40)), 0, source);
  }
  // What GitHub holds: the issue as last edited (the app reads it back once it has acted).
  for (const events of perIssue) github.rememberIssue('pingcap/tidb', JSON.parse(events.at(-1)!.body).issue);

  const faults = options.faults ?? true;
  // GitHub's failures, each on issues of its own.
  const every = (k: number, offset: number) => Array.from({ length: options.issues }, (_, i) => i + 1).filter((n) => n % k === offset);
  const comments = (n: number) => new RegExp(`^/repos/pingcap/tidb/issues/${n}/comments$`);
  const labels = (n: number) => new RegExp(`^/repos/pingcap/tidb/issues/${n}/labels$`);
  let killAfterComment: Promise<void> | undefined;
  const killedAfterComment = every(10, 8)[0];
  if (faults) injectFaults();
  function injectFaults() {
    for (const n of every(10, 1)) github.fail({ method: 'POST', path: comments(n), status: 502, afterWrite: true });
    for (const n of every(10, 2)) github.fail({ method: 'POST', path: labels(n), status: 429, headers: { 'retry-after': '1' } });
    for (const n of every(10, 3)) github.fail({ method: 'POST', path: comments(n), status: 403, headers: { 'retry-after': '1' } });
    for (const n of every(10, 4)) github.fail({ method: 'POST', path: labels(n), status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3) } });
    for (const n of every(10, 5)) github.fail({ method: 'POST', path: comments(n), delayMs: 3_000 }); // carried out, answered after the request timeout
    for (const _ of every(10, 6)) github.fail({ method: 'GET', path: /^\/repos\/pingcap\/tidb\/labels$/, delayMs: 100 });
    // Killed right after GitHub wrote a comment, before the app heard back.
    if (killedAfterComment !== undefined) {
      github.fail({ method: 'POST', path: comments(killedAfterComment), afterWrite: true, drop: true, onFire: () => void (killAfterComment = kill9()) });
    }
  }

  const acks: number[] = [];
  let refused = 0;
  app = await startApp();
  // The seeds' first filings, before the burst: every issue of the burst has a duplicate to
  // name, so each must end with exactly one comment (an issue with nothing to say gets none).
  for (const [i, seed] of seeds.entries()) {
    const original = issuesEvent('opened', { number: 9000 + i, title: seed.title, body: seed.body });
    github.rememberIssue('pingcap/tidb', original.issue);
    const body = JSON.stringify(original);
    github.recordDelivery(`original-${i}`, 'issues', body, (await post({ id: `original-${i}`, event: 'issues', body })).status);
  }
  await untilDrained();
  github.calls.length = 0;
  const started = performance.now();
  // Killed right after GitHub wrote a comment: that issue's opened goes first, alone, so the
  // kill cannot coincide with the one in the middle of a burst.
  if (faults && killedAfterComment !== undefined) {
    const first = perIssue[killedAfterComment - 1]![0]!;
    record(first, await post(first));
    for (let t = 0; t < 200 && !killAfterComment; t++) await sleep(50);
    if (!killAfterComment) problems.push(`#${killedAfterComment}: the app was not killed after its comment was written`);
    await restartAfterCommentKill();
  }
  async function untilDrained(): Promise<Record<string, number>> {
    for (let t = 0; t < 600; t++) {
      const status = (await (await fetch(`${base}/status`, { headers: { connection: 'close' } })).json()) as { queue: { counts: Record<string, number> } };
      if (status.queue.counts.pending! + status.queue.counts.running! === 0) return status.queue.counts;
      await sleep(100);
    }
    throw new Error('the queue did not drain');
  }
  const killAt = faults ? Math.floor(all.length / 2) : -1;
  for (let i = 0; i < all.length; i += options.burst) {
    const batch = all.slice(i, i + options.burst);
    if (i <= killAt && killAt < i + options.burst) {
      // kill -9 mid-burst: half the burst is in flight or refused.
      const half = Math.floor(batch.length / 2);
      const first = Promise.all(batch.slice(0, half).map(post));
      await sleep(5);
      await kill9();
      const rest = await Promise.all(batch.slice(half).map(post)); // refused: nothing listens
      for (const [k, r] of (await first).entries()) record(batch[k]!, r);
      for (const [k, r] of rest.entries()) record(batch[half + k]!, r);
      if (killAfterComment) await restartAfterCommentKill();
      app ??= await startApp();
      continue;
    }
    const results = await Promise.all(batch.map(post));
    results.forEach((r, k) => record(batch[k]!, r));
    if (killAfterComment) await restartAfterCommentKill();
  }
  function record(d: Delivery, r: { status: number; ms: number }) {
    github.recordDelivery(d.id, d.event, d.body, r.status);
    if (r.status === 200) acks.push(r.ms);
    else refused++;
  }

  // Settle: every job done, and the redelivery scan (every 2 s) has found nothing more to ask
  // for in 5 s. A delivery the app recorded but could not answer (killed) is not asked for
  // again: the job has it.
  const deadline = performance.now() + options.settleMs;
  let quietSince = performance.now();
  let settledAt: number | undefined;
  let seen = -1;
  for (;;) {
    if (killAfterComment) await restartAfterCommentKill();
    const status = await fetch(`${base}/status`, { headers: { connection: 'close' } }).then((r) => r.json() as Promise<{ queue: { counts: Record<string, number> } }>, () => undefined);
    const counts = status?.queue.counts;
    const busy = !counts || counts.pending! + counts.running! > 0;
    if (busy || github.deliveries.length !== seen) {
      seen = github.deliveries.length;
      quietSince = performance.now();
      settledAt = busy ? undefined : performance.now();
    } else if (performance.now() - quietSince > 5_000) {
      if (counts.failed !== 0) problems.push(`${counts.failed} jobs failed under transient faults`);
      break;
    }
    if (performance.now() > deadline) {
      problems.push(`not settled after ${options.settleMs} ms: ${JSON.stringify(counts)}`);
      break;
    }
    await sleep(100);
  }
  const drainMs = (settledAt ?? performance.now()) - started;

  // What users see.
  function checkIssue(n: number) {
    const key = `pingcap/tidb#${n}`;
    const own = github.commentsOn(key).filter((c) => c.user.login === BOT.login);
    if (own.length !== 1) problems.push(`#${n} has ${own.length} bot comments`);
    // Added: GitHub carried the request out (answered 2xx, or wrote and then failed or hung).
    const added = github.calls.filter((c) => c.method === 'POST' && c.path === `/repos/pingcap/tidb/issues/${n}/labels` && c.wrote).flatMap((c) => (c.body as { labels: string[] }).labels);
    const twice = added.filter((l, i) => added.indexOf(l) !== i);
    if (twice.length > 0) problems.push(`#${n}: labels added more than once: ${twice.join(', ')}`);
  }
  for (let n = 1; n <= options.issues; n++) checkIssue(n);

  const send = async (event: string, payload: { issue: Record<string, unknown> & { number: number } }, id: string) => {
    github.rememberIssue('pingcap/tidb', payload.issue);
    const body = JSON.stringify(payload);
    github.recordDelivery(id, event, body, (await post({ id, event, body })).status);
  };

  // A job held past its cap: restarted with a 3 s cap and a request timeout longer than that,
  // the app gets an answer only after 6 s. The job is aborted and marked failed, and writes
  // nothing after that; the issue's next event finishes the work.
  const capped = options.issues + 1;
  const seed = seeds[capped % seeds.length]!;
  let failedJobs = 0;
  if (faults) {
    await stop();
    app = await startApp({ RACE_TRIAGE_JOB_TIME_CAP_MS: '3000', RACE_TRIAGE_REQUEST_TIMEOUT_MS: '20000' });
    github.fail({ method: 'POST', path: labels(capped), delayMs: 6_000 });
    await send('issues', issuesEvent('opened', { number: capped, title: seed.title, body: seed.body }), `d-${capped}-0`);
    const failedLine = async () => parseLines(output).find((l) => l.msg === 'job failed' && l.issue === capped);
    for (let t = 0; t < 100 && !(await failedLine()); t++) await sleep(100);
    const failed = await failedLine();
    if (!failed || !String(failed.reason).includes('cap')) problems.push(`#${capped}: its job was not stopped at the time cap`);
    await sleep(4_000); // past the slow answer: whatever the job had left would have run by now
    const afterFailed = github.calls.filter((c) => c.path.includes(`/issues/${capped}/`) && c.method !== 'GET' && c.at > Number(failed?.time ?? 0));
    if (afterFailed.length > 0) problems.push(`#${capped}: ${afterFailed.length} writes after its job was marked failed`);
    const edit = issuesEvent('edited', { number: capped, title: seed.title, body: `${seed.body}\n(edited)` }, { changes: { body: { from: seed.body } } });
    await send('issues', edit, `d-${capped}-1`);
    failedJobs = (await untilDrained()).failed!;
    checkIssue(capped);
  }

  // A person removes a label; a later edit must not add it back.
  const victim = every(5, 0)[0] ?? 1;
  const victimKey = `pingcap/tidb#${victim}`;
  const removed = github.labelsOn(victimKey)[0];
  if (removed) {
    github.issueLabels.set(victimKey, github.labelsOn(victimKey).filter((l) => l !== removed));
    const seed = seeds[(victim + 1) % seeds.length]!;
    const edit = issuesEvent('edited', { number: victim, title: seed.title, body: `${seed.body}\n(edited again)` }, { changes: { body: { from: 'x' } } });
    await send('issues', edit, `d-${victim}-late-edit`);
    await untilDrained();
    if (github.labelsOn(victimKey).includes(removed)) problems.push(`#${victim}: the label ${removed} a person removed was added again`);
  }

  const redelivered = github.deliveries.filter((d) => d.redelivery).length;
  if (faults && redelivered === 0) problems.push('no failed delivery was redelivered');
  problems.push(...github.problems.slice(0, 10));
  if (output.includes(key.split('\n')[1]!) || output.includes(SECRET)) problems.push('a secret reached the logs');
  app?.kill('SIGTERM');
  if (app) await new Promise((done) => app!.once('exit', done));
  if (process.env.BLACKBOX_LOG) writeFileSync(process.env.BLACKBOX_LOG, output);
  await github.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    deliveries: all.length,
    acks: acks.sort((a, b) => a - b),
    refused,
    drainMs,
    apiCalls: github.calls.length,
    issues: options.issues,
    problems,
    redelivered,
    kills,
    failedJobs,
  };
}

/** The app's JSON log lines. */
function parseLines(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
