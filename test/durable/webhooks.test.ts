/**
 * Durable processing end to end: signed webhooks over loopback HTTP into the real app, jobs in
 * a real SQLite file, GitHub faked with nock (including injected failures). Every case ends
 * with one bot comment, the right labels and an index that matches the issue.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import type { QueueStatus } from '../../src/github/jobs/queue.js';
import { analyse } from '../../src/race/index.js';
import { BOT, FakeGitHub } from '../github/support/fake-github.js';
import { TEST_PRIVATE_KEY } from '../github/support/harness.js';
import { INSTALLATION_ID, issuesEvent } from '../github/support/payloads.js';
import { loadSeeds } from '../github/support/seeds.js';
import { sqliteDatabase, type TestDatabase } from '../support/databases.js';
import { REQUEST_TIMEOUT_MS, startDurableServer, WEBHOOK_SECRET, type DurableServer } from './support/durable-server.js';

const PORT = 38_531;
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const tracker = seeds.find((s) => s.number === 31965)!;
const COMMENTS = /^\/repos\/pingcap\/tidb\/issues\/\d+\/comments$/;

let database: TestDatabase;
let server: DurableServer | undefined;
let logs: Record<string, unknown>[];

beforeEach(async () => {
  database = await sqliteDatabase();
  logs = [];
  nock.enableNetConnect('127.0.0.1');
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  nock.cleanAll();
  await database.destroy();
  // No secret reaches the logs, whatever happened in the test.
  const text = JSON.stringify(logs);
  for (const secret of [WEBHOOK_SECRET, TEST_PRIVATE_KEY.split('\n')[1]!, 'ghs_test']) expect(text).not.toContain(secret);
});

/** GitHub with the repository's labels; `faults` registers failing replies that come first. */
async function start(faults: () => void = () => {}, worker = {}): Promise<FakeGitHub> {
  faults();
  const github = new FakeGitHub();
  github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  server = await startDurableServer(database, PORT, logs, worker);
  return github;
}

function opened(number: number, body = mpp.body) {
  return issuesEvent('opened', { number, title: mpp.title, body });
}

async function expectTriagedOnce(github: FakeGitHub, number: number, body = mpp.body): Promise<void> {
  const comments = github.commentsOn(`pingcap/tidb#${number}`);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.user).toEqual(BOT);
  expect(github.labelsOn(`pingcap/tidb#${number}`)).toEqual(['type/data-race', 'component/store']);
  const stored = await database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number });
  expect(stored?.races).toEqual(analyse(body).map((r) => r.signature));
  expect(github.problems).toEqual([]);
}

describe('webhooks become jobs', () => {
  it('acknowledges a signed delivery at once and the worker triages it', async () => {
    const github = await start();
    const response = await server!.post('issues', opened(1), { id: 'delivery-1' });
    expect(response.status).toBe(200);
    await server!.drained();
    await expectTriagedOnce(github, 1);
    expect((await server!.durable.queue.status()).counts).toEqual({ pending: 0, running: 0, done: 1, failed: 0 });
  });

  it('processes a redelivery of the same X-GitHub-Delivery once', async () => {
    const github = await start();
    await server!.post('issues', opened(2), { id: 'delivery-2' });
    await server!.drained();
    const calls = github.calls.length;
    const again = await server!.post('issues', opened(2), { id: 'delivery-2' });
    expect(again.status).toBe(200);
    await server!.drained();
    expect(github.calls).toHaveLength(calls);
    expect((await server!.durable.queue.status()).counts.done).toBe(1);
    await expectTriagedOnce(github, 2);
  });

  it('refuses bad and missing signatures before recording anything', async () => {
    const github = await start();
    expect((await server!.post('issues', opened(3), { signature: 'sha256=00' })).status).toBe(400);
    expect((await server!.post('issues', opened(3), { signature: null })).status).toBe(400);
    expect((await server!.durable.queue.status()).counts).toEqual({ pending: 0, running: 0, done: 0, failed: 0 });
    expect(github.calls).toEqual([]);
  });

  it('ends opened and edited arriving together with one comment in the latest state', async () => {
    const github = await start();
    const edited = issuesEvent('edited', { number: 4, title: tracker.title, body: tracker.body }, { changes: { body: { from: mpp.body } } });
    github.rememberIssue('pingcap/tidb', edited.issue);
    await Promise.all([server!.post('issues', opened(4)), server!.post('issues', edited)]);
    await server!.drained();
    const comments = github.commentsOn('pingcap/tidb#4');
    expect(comments).toHaveLength(1);
    for (const race of analyse(tracker.body)) expect(comments[0]!.body).toContain(race.signature.fingerprint);
    for (const race of analyse(mpp.body)) expect(comments[0]!.body).not.toContain(race.signature.fingerprint);
    const stored = await database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 4 });
    expect(stored?.races).toEqual(analyse(tracker.body).map((r) => r.signature));
  });

  it('serves the queue on /status, failures with their error', async () => {
    await start(() => nock('https://api.github.com').post(COMMENTS).reply(404, { message: 'Not Found' }));
    await server!.post('issues', opened(5), { id: 'delivery-5' });
    await server!.drained();
    const status = (await (await fetch(`${server!.base}/status`, { headers: { connection: 'close' } })).json()) as { queue: QueueStatus };
    expect(status).toMatchObject({ status: 'ok', queue: { counts: { pending: 0, running: 0, done: 0, failed: 1 } } });
    expect(status.queue.lastErrors).toEqual([{ deliveryId: 'delivery-5', event: 'issues', error: expect.stringMatching(/^permanent: GitHub 404/), at: expect.any(String) }]);
    // The log line names the issue; the public report does not.
    expect(logs.find((l) => l.msg === 'job failed')).toMatchObject({ deliveryId: 'delivery-5', repo: 'pingcap/tidb', issue: 5 });
  });
});

describe('transient GitHub failures are retried to one comment', () => {
  it.each([
    ['a 500, then success', () => nock('https://api.github.com').post(COMMENTS).reply(500, { message: 'Server Error' })],
    ['a 502 three times, then success', () => nock('https://api.github.com').post(COMMENTS).times(3).reply(502, { message: 'Bad Gateway' })],
    [
      'a 403 secondary rate limit with retry-after',
      () => nock('https://api.github.com').post(COMMENTS).reply(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '1' }),
    ],
    [
      'a connection timeout',
      () => nock('https://api.github.com').post(COMMENTS).replyWithError(Object.assign(new Error('connect ETIMEDOUT 140.82.112.6:443'), { code: 'ETIMEDOUT' })),
    ],
    [
      'a request GitHub does not answer in time',
      () =>
        nock('https://api.github.com')
          .post(COMMENTS)
          .reply(async () => {
            await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS * 3));
            return [201, {}];
          }),
    ],
  ])('%s', async (_case, fault) => {
    const github = await start(fault);
    expect((await server!.post('issues', opened(10))).status).toBe(200);
    await server!.drained();
    await expectTriagedOnce(github, 10);
    expect(logs.filter((l) => l.msg === 'job failed; will retry').length).toBeGreaterThan(0);
  });

  it('does not post twice when a worker dies between posting the comment and finishing the job', async () => {
    let github!: FakeGitHub;
    let posted!: () => void;
    const commentPosted = new Promise<void>((resolve) => (posted = resolve));
    // GitHub creates the comment; the worker never hears back, as if its process were killed.
    const fault = () =>
      nock('https://api.github.com')
        .post(COMMENTS)
        .reply(async (request: Request) => {
          github.addComment('pingcap/tidb#11', ((await request.json()) as { body: string }).body, BOT);
          posted();
          return new Promise(() => {});
        });
    github = await start(fault, { concurrency: 1, leaseMs: 1_000, timeCapMs: 3_000 });
    const dead = server!;
    const event = opened(11);
    github.rememberIssue('pingcap/tidb', event.issue);
    await dead.post('issues', event);
    await commentPosted;
    void dead.durable.stop();

    // A restarted process takes the job over once the dead one's lease has run out.
    server = await startDurableServer(database, PORT + 1, logs, { pollMs: 20 });
    await server.drained();
    await dead.stop();
    await expectTriagedOnce(github, 11);
    expect(logs.filter((l) => l.msg === 'job done').map((l) => l.attempt)).toEqual([2]);
  });
});
