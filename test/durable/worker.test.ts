import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import pino from 'pino';
import { JobQueue } from '../../src/github/jobs/queue.js';
import { abortableFetch } from '../../src/github/octokit.js';
import { Worker } from '../../src/github/jobs/worker.js';
import type { Job } from '../../src/github/jobs/types.js';
import { sqliteDatabase, type TestDatabase } from '../support/databases.js';
import { waitFor } from '../support/wait.js';

// The job's work here is one real GitHub call through a real Octokit; nock answers it.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
// Plain http: nock fakes no TLS.
const API = 'http://github.test';
const octokit = new Octokit({ auth: 'test-token', log: quiet, baseUrl: API, request: { fetch: abortableFetch } });
const postComment = (job: Job, signal: AbortSignal) =>
  octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: 'pingcap',
    repo: 'tidb',
    issue_number: job.issueNumber!,
    body: 'race-triage',
    request: { signal },
  });
const comments = () => nock(API).post('/repos/pingcap/tidb/issues/1/comments');

describe('worker', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  let worker: Worker | undefined;
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    database = await sqliteDatabase();
    queue = new JobQueue(database.db);
    logs = [];
    nock.disableNetConnect();
  });

  afterEach(async () => {
    await worker?.stop();
    await database.destroy();
    nock.cleanAll();
  });

  function start(process: (job: Job, signal: AbortSignal) => Promise<unknown>, timeCapMs = 5_000) {
    const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    worker = new Worker({
      queue,
      log,
      process: async (job, signal) => void (await process(job, signal)),
      pollMs: 20,
      timeCapMs,
      retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50 },
    });
    worker.start();
  }

  async function runOne(): Promise<void> {
    await queue.enqueue({ id: 'd-1', name: 'issues', payload: { action: 'opened', repository: { full_name: 'pingcap/tidb' }, issue: { number: 1 } } });
    await waitFor(async () => {
      const { counts } = await queue.status();
      return counts.pending + counts.running === 0;
    });
  }

  it('retries a GitHub 500 and then succeeds with one comment', async () => {
    const failed = comments().reply(500, { message: 'Server Error' });
    const posted = comments().reply(201, { id: 1 });
    start(postComment);
    await runOne();
    expect(failed.isDone() && posted.isDone()).toBe(true);
    expect((await queue.status()).counts).toEqual({ pending: 0, running: 0, done: 1, failed: 0 });
    expect(logs.filter((l) => l.msg === 'job failed; will retry')).toHaveLength(1);
  });

  it('retries a 502 three times and then succeeds', async () => {
    const failed = comments().times(3).reply(502, { message: 'Bad Gateway' });
    const posted = comments().reply(201, { id: 1 });
    start(postComment);
    await runOne();
    expect(failed.isDone() && posted.isDone()).toBe(true);
    expect((await queue.status()).counts.done).toBe(1);
    expect(logs.filter((l) => l.msg === 'job failed; will retry').map((l) => l.attempt)).toEqual([1, 2, 3]);
  });

  it('waits out a secondary rate limit’s retry-after before trying again', async () => {
    const limited = comments().reply(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '1' });
    let postedAt = 0;
    const posted = comments().reply(201, () => {
      postedAt = Date.now();
      return { id: 1 };
    });
    start(postComment);
    const started = Date.now();
    await runOne();
    expect(limited.isDone() && posted.isDone()).toBe(true);
    expect(postedAt - started).toBeGreaterThanOrEqual(1_000);
  });

  it('fails a 404 at once, keeps the error and logs it', async () => {
    const gone = comments().reply(404, { message: 'Not Found' });
    start(postComment);
    await runOne();
    expect(gone.isDone()).toBe(true);
    const status = await queue.status();
    expect(status.counts).toMatchObject({ done: 0, failed: 1 });
    expect(status.lastErrors[0]).toMatchObject({ deliveryId: 'd-1', event: 'issues' });
    expect(status.lastErrors[0]?.error).toMatch(/^permanent: GitHub 404: Not Found/);
    expect(logs.find((l) => l.msg === 'job failed')).toMatchObject({ level: 50, deliveryId: 'd-1', attempt: 1 });
  });

  it('gives up on a transient failure after the attempt limit', async () => {
    const failing = comments().times(5).reply(503, { message: 'Unavailable' });
    start(postComment);
    await runOne();
    expect(failing.isDone()).toBe(true);
    expect((await queue.status()).lastErrors[0]?.error).toMatch(/^gave up after 5 attempts: GitHub 503/);
  });

  it('aborts a job past its time cap, marks it failed only once it stopped, and does not retry it', async () => {
    let calls = 0;
    const events: string[] = [];
    // GitHub answers far later than the cap: the job's signal cancels the request.
    comments().reply(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return [201, { id: 1 }];
    });
    start(async (job, signal) => {
      calls++;
      try {
        await postComment(job, signal);
      } finally {
        events.push(`stopped, state ${(await queue.status()).counts.failed === 0 ? 'not failed yet' : 'failed'}`);
      }
      events.push('wrote after the cap');
    }, 100);
    await runOne();
    expect(calls).toBe(1);
    expect(events).toEqual(['stopped, state not failed yet']);
    expect((await queue.status()).lastErrors[0]?.error).toBe('took longer than the 100 ms cap per job');
    nock.abortPendingRequests();
  });
});
