/**
 * Webhook load benchmark: 1,000 signed webhooks for 200 issues (opened, edited, closed, plus
 * 400 redeliveries of earlier deliveries), sent in bursts over loopback HTTP to Probot's real
 * server running the app, with GitHub's API answered in-process by the nock-backed fake the
 * tests use. It checks that nothing is lost and no comment is doubled, and prints throughput
 * and acknowledgement times.
 *
 *   npm run bench:load
 *   npm run bench:load -- --burst 200      # webhooks in flight at once (default 100)
 *
 * Same-run baseline: the same deliveries to the app without the job queue, which handles each
 * event before acknowledging it. Bounded: 1,000 webhooks per phase, 120 s at most to drain,
 * loopback only.
 */
import '../test/setup/polyfills.js';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { raceTriageApp } from '../src/github/app.js';
import { DurableProcessing } from '../src/github/jobs/durable.js';
import type { JobsDatabase } from '../src/github/jobs/types.js';
import { KyselyRaceIndex, openDatabase } from '../src/store/index.js';
import { FakeGitHub } from '../test/github/support/fake-github.js';
import { TEST_PRIVATE_KEY, TestOctokit } from '../test/github/support/harness.js';
import { issuesEvent } from '../test/github/support/payloads.js';
import { loadSeeds } from '../test/github/support/seeds.js';

const { values: args } = parseArgs({ options: { burst: { type: 'string', default: '100' } } });
const BURST = Number(args.burst);
const ISSUES = 200;
const REDELIVERIES = 400;
const DRAIN_LIMIT_MS = 120_000;
const SECRET = 'bench-secret';
const PORT = 38_790;

interface Delivery {
  id: string;
  body: string;
}

/** 200 issues x (opened, edited, closed), in order per issue, with 400 redeliveries mixed in. */
function deliveries(github: FakeGitHub): Delivery[] {
  const seeds = loadSeeds();
  const unique: Delivery[] = [];
  for (let n = 1; n <= ISSUES; n++) {
    const first = seeds[n % seeds.length]!;
    const second = seeds[(n + 1) % seeds.length]!;
    const events = [
      issuesEvent('opened', { number: n, title: first.title, body: first.body }),
      issuesEvent('edited', { number: n, title: second.title, body: second.body }, { changes: { body: { from: first.body } } }),
      issuesEvent('closed', { number: n, title: second.title, body: second.body, state: 'closed', stateReason: 'completed', updatedAt: '2026-01-02T00:00:00Z' }),
    ];
    events.forEach((payload, i) => unique.push({ id: `bench-${n}-${i}`, body: JSON.stringify(payload) }));
    // What GitHub holds once the events happened: the app reads it back after its first comment.
    github.rememberIssue('pingcap/tidb', events[2]!.issue);
  }
  // Interleave issues so a burst holds many issues' events, each issue's still in order.
  const ordered = [0, 1, 2].flatMap((step) => unique.filter((_, i) => i % 3 === step));
  const all = [...ordered];
  for (let r = 0; r < REDELIVERIES; r++) {
    const source = ordered[(r * 7919) % ordered.length]!;
    all.splice(Math.min(all.length, ordered.indexOf(source) + 1 + (r % 50)), 0, source);
  }
  return all;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function send(port: number, batch: Delivery[], acks: number[], refused: string[]): Promise<void> {
  await Promise.all(
    batch.map(async ({ id, body }) => {
      const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': id, 'x-hub-signature-256': signature },
        body,
      });
      await response.arrayBuffer();
      acks.push(performance.now() - started);
      if (response.status !== 200) refused.push(`${id}: HTTP ${response.status}`);
    }),
  );
}

async function phase(name: string, durable: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-load-'));
  const database = await openDatabase({ sqlitePath: join(dir, 'race-triage.sqlite') });
  const index = new KyselyRaceIndex(database.db);
  const github = new FakeGitHub();
  github.configs.set('pingcap/tidb', 'comments_per_hour: 1000\n');
  github.repoLabels.set('pingcap/tidb', ['type/data-race']);
  const jobs = durable ? new DurableProcessing({ db: database.db.withTables<JobsDatabase>(), index, worker: { pollMs: 50 } }) : undefined;
  const log = pino({ level: 'silent' });
  // A port per phase: pooled connections to the previous phase's server are gone.
  const port = PORT + (durable ? 1 : 0);
  const server = new Server({
    host: '127.0.0.1',
    port,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: SECRET, Octokit: TestOctokit, log }),
  });
  await server.load(raceTriageApp({ index, backend: database.backend, ...(jobs ? { durable: jobs } : {}) }));
  await server.start();

  const all = deliveries(github);
  // Keep the deliveries of one issue in arrival order: they are sent in separate bursts.
  const acks: number[] = [];
  const refused: string[] = [];
  const started = performance.now();
  for (let i = 0; i < all.length; i += BURST) await send(port, all.slice(i, i + BURST), acks, refused);
  const acked = performance.now() - started;
  if (jobs) {
    for (;;) {
      const { counts } = await jobs.queue.status();
      if (counts.pending + counts.running === 0) break;
      if (performance.now() - started > DRAIN_LIMIT_MS) throw new Error(`${name}: queue not drained in ${DRAIN_LIMIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const drained = performance.now() - started;

  // Nothing lost, nothing doubled.
  const problems: string[] = refused.length > 0 ? [`${refused.length} deliveries not acknowledged with 200 (${refused[0]})`] : [];
  let comments = 0;
  for (let n = 1; n <= ISSUES; n++) {
    const count = github.commentsOn(`pingcap/tidb#${n}`).length;
    comments += count;
    if (count !== 1) problems.push(`#${n} has ${count} comments`);
    const stored = await index.getIssue({ installationId: 4242, repo: 'pingcap/tidb', number: n });
    if (stored?.state !== 'closed') problems.push(`#${n} is ${stored ? stored.state : 'missing'} in the index`);
  }
  if (jobs) {
    const { counts } = await jobs.queue.status();
    if (counts.done !== ISSUES * 3 || counts.failed !== 0) problems.push(`jobs: ${JSON.stringify(counts)}`);
  }

  acks.sort((a, b) => a - b);
  const row = (label: string, value: string) => console.log(`  ${label.padEnd(28)}${value}`);
  console.log(`\n${name}`);
  row('webhooks sent', `${all.length} (${ISSUES * 3} unique, ${REDELIVERIES} redeliveries), bursts of ${BURST}`);
  row('ack time p50 / p99 / max', `${percentile(acks, 50).toFixed(1)} / ${percentile(acks, 99).toFixed(1)} / ${acks.at(-1)!.toFixed(1)} ms`);
  row('all acknowledged after', `${(acked / 1000).toFixed(2)} s (${Math.round(all.length / (acked / 1000))} webhooks/s)`);
  row('all processed after', `${(drained / 1000).toFixed(2)} s (${Math.round(all.length / (drained / 1000))} webhooks/s end to end)`);
  row('bot comments', `${comments} for ${ISSUES} issues`);
  row('GitHub API calls', String(github.calls.length));
  row('check', problems.length === 0 ? 'nothing lost, no comment doubled' : `FAILED: ${problems.slice(0, 5).join('; ')}`);

  await server.stop();
  await jobs?.stop();
  await index.close();
  nock.cleanAll();
  rmSync(dir, { recursive: true, force: true });
  if (problems.length > 0) process.exitCode = 1;
}

nock.disableNetConnect();
nock.enableNetConnect('127.0.0.1');
console.log(`load benchmark: node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}, SQLite index`);
await phase('baseline: handled before the acknowledgement (no job queue)', false);
await phase('durable: recorded as a job, acknowledged, then processed', true);
