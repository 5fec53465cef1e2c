/**
 * GitHub's failure modes as normal operation, end to end: signed webhooks over loopback HTTP
 * into the real app, jobs in a real SQLite file, GitHub faked at its HTTP boundary with the
 * failures it really produces. Every case ends with one bot comment, every label added once,
 * and an index that matches the issue.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { QueueStatus } from '../../src/github/jobs/queue.js';
import { analyse } from '../../src/race/index.js';
import { startApp, TEST_PRIVATE_KEY, TEST_REQUEST_TIMEOUT_MS, WEBHOOK_SECRET, type StartOptions, type TestApp } from '../support/app.js';
import { sqliteDatabase } from '../support/databases.js';
import { BOT, INSTALLATION_TOKEN } from '../support/github/fake-github.js';
import { NockGitHub } from '../support/github/nock-github.js';
import { commentEvent, INSTALLATION_ID, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { waitFor } from '../support/wait.js';
import { signatures } from '../support/indexed.js';

const PORT = 38_531;
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;
const tracker = seeds.find((s) => s.number === 31965)!;
const COMMENTS = /^\/repos\/pingcap\/tidb\/issues\/\d+\/comments$/;
const LABELS = /^\/repos\/pingcap\/tidb\/issues\/\d+\/labels$/;

let apps: TestApp[] = [];

afterEach(async () => {
  for (const app of apps) {
    await app.close();
    expect(app.github.problems).toEqual([]);
    // No secret reaches the logs, whatever happened in the test.
    const text = JSON.stringify(app.logs);
    for (const secret of [WEBHOOK_SECRET, TEST_PRIVATE_KEY.split('\n')[1]!, INSTALLATION_TOKEN]) expect(text).not.toContain(secret);
  }
  apps = [];
});

async function start(options: Partial<StartOptions> = {}): Promise<TestApp> {
  const app = await startApp({ port: PORT + apps.length, ...options });
  apps.push(app);
  app.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  return app;
}

function opened(number: number, body = mpp.body) {
  return issuesEvent('opened', { number, title: mpp.title, body });
}

async function expectTriagedOnce(h: TestApp, number: number, body = mpp.body): Promise<void> {
  const comments = h.github.commentsOn(`pingcap/tidb#${number}`);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.user).toEqual(BOT);
  expect(h.github.labelsOn(`pingcap/tidb#${number}`)).toEqual(['type/data-race', 'component/store']);
  // Every label added once: one label call, whatever was retried.
  expect(h.github.calls.filter((c) => c.method === 'POST' && c.path === `/repos/pingcap/tidb/issues/${number}/labels`)).toHaveLength(1);
  const stored = await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number });
  expect(signatures(stored?.races)).toEqual(analyse(body).map((r) => r.signature));
}

const retries = (h: TestApp) => h.logs.filter((l) => l.msg === 'job failed; will retry');

describe('webhooks become jobs', () => {
  it('acknowledges a signed delivery at once and the worker triages it', async () => {
    const h = await start();
    expect((await h.deliver('issues', opened(1), 'delivery-1')).status).toBe(200);
    await expectTriagedOnce(h, 1);
    expect((await h.running.durable!.queue.status()).counts).toEqual({ pending: 0, running: 0, done: 1, failed: 0 });
  });

  it('processes a redelivery of the same X-GitHub-Delivery once', async () => {
    const h = await start();
    await h.deliver('issues', opened(2), 'delivery-2');
    const calls = h.github.calls.length;
    expect((await h.deliver('issues', opened(2), 'delivery-2')).status).toBe(200);
    expect(h.github.calls).toHaveLength(calls);
    expect((await h.running.durable!.queue.status()).counts.done).toBe(1);
    await expectTriagedOnce(h, 2);
  });

  it('ends opened and edited arriving together with one comment in the latest state', async () => {
    const h = await start();
    const edited = issuesEvent('edited', { number: 4, title: tracker.title, body: tracker.body }, { changes: { body: { from: mpp.body } } });
    await h.post('issues', opened(4));
    await h.post('issues', edited);
    await h.drained();
    const comments = h.github.commentsOn('pingcap/tidb#4');
    expect(comments).toHaveLength(1);
    for (const race of analyse(tracker.body)) expect(comments[0]!.body).toContain(race.signature.fingerprint);
    for (const race of analyse(mpp.body)) expect(comments[0]!.body).not.toContain(race.signature.fingerprint);
  });

  it('serves the queue on /status, failures with their error', async () => {
    const h = await start();
    h.github.fail({ method: 'POST', path: COMMENTS, status: 404 });
    await h.deliver('issues', opened(5), 'delivery-5');
    const status = (await (await fetch(`${h.base}/status`, { headers: { connection: 'close' } })).json()) as { queue: QueueStatus };
    expect(status).toMatchObject({ status: 'ok', queue: { counts: { pending: 0, running: 0, done: 0, failed: 1 } } });
    expect(status.queue.lastErrors).toEqual([{ deliveryId: 'delivery-5', event: 'issues', error: expect.stringMatching(/^permanent: GitHub 404/), at: expect.any(String) }]);
    // The log line names the issue; the public report does not.
    expect(h.logs.find((l) => l.msg === 'job failed')).toMatchObject({ deliveryId: 'delivery-5', repo: 'pingcap/tidb', issue: 5 });
  });
});

describe('transient GitHub failures reach the job, which is retried to one comment', () => {
  it.each([
    ['a 500', { status: 500 }],
    ['a 502 three times', { status: 502, times: 3 }],
    ['a 429 with retry-after', { status: 429, headers: { 'retry-after': '1' } }],
    ['a 403 secondary rate limit with retry-after', { status: 403, headers: { 'retry-after': '1' } }],
    ['a dropped connection', { drop: true }],
  ])('%s on the comment POST', async (_case, fault) => {
    const h = await start();
    h.github.fail({ method: 'POST', path: COMMENTS, ...fault });
    await h.deliver('issues', opened(10));
    await expectTriagedOnce(h, 10);
    expect(retries(h).length).toBe((fault as { times?: number }).times ?? 1);
  });

  it('a comment GitHub wrote and then answered 502 for is found by its marker, not posted again', async () => {
    const h = await start();
    h.github.fail({ method: 'POST', path: COMMENTS, status: 502, afterWrite: true });
    await h.deliver('issues', opened(11));
    await expectTriagedOnce(h, 11);
    expect(h.github.requests.filter((r) => r === 'POST /repos/pingcap/tidb/issues/11/comments')).toHaveLength(1);
    // The retry looked before writing again.
    expect(h.github.requests).toContain('GET /repos/pingcap/tidb/issues/11/comments');
  });

  it('labels GitHub added and then answered 502 for are not added again', async () => {
    const h = await start();
    h.github.fail({ method: 'POST', path: LABELS, status: 502, afterWrite: true });
    await h.deliver('issues', opened(12));
    expect(h.github.labelsOn('pingcap/tidb#12')).toEqual(['type/data-race', 'component/store']);
    expect(h.github.requests.filter((r) => r === 'POST /repos/pingcap/tidb/issues/12/labels')).toHaveLength(1);
    expect(h.github.commentsOn('pingcap/tidb#12')).toHaveLength(1);
  });

  it('a spent primary rate limit puts the job back until x-ratelimit-reset; nothing waits inside it', async () => {
    const h = await start();
    const reset = Math.ceil(Date.now() / 1000) + 2;
    h.github.fail({ method: 'POST', path: COMMENTS, status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    await h.post('issues', opened(13));
    await h.drained(15_000);
    await expectTriagedOnce(h, 13);
    const [retry] = retries(h);
    expect(retry).toMatchObject({ reason: expect.stringMatching(/^GitHub 403: API rate limit exceeded/) });
    expect(retry!.delayMs as number).toBeGreaterThan(500);
    expect(h.github.requests.filter((r) => r === 'POST /repos/pingcap/tidb/issues/13/comments')).toHaveLength(2);
  });

  it('a comment POST GitHub carries out but answers too late is aborted, retried, and not posted twice', async () => {
    const h = await start();
    h.github.fail({ method: 'POST', path: COMMENTS, delayMs: TEST_REQUEST_TIMEOUT_MS * 3 });
    await h.deliver('issues', opened(14));
    await expectTriagedOnce(h, 14);
    expect(retries(h)[0]).toMatchObject({ reason: expect.stringMatching(/timeout/i) });
    expect(h.github.requests.filter((r) => r === 'POST /repos/pingcap/tidb/issues/14/comments')).toHaveLength(1);
  });
});

describe('time cap and restarts', () => {
  it('a job past its cap stops, is marked failed, and never writes afterwards', async () => {
    // The label call hangs past the cap (the request timeout is longer than the cap here).
    const h = await start({ jobs: { worker: { timeCapMs: 1_500, concurrency: 1 } }, requestTimeoutMs: 20_000 });
    h.github.fail({ method: 'POST', path: LABELS, delayMs: 10_000 });
    await h.post('issues', opened(20), { id: 'capped' });
    await waitFor(() => h.logs.some((l) => l.msg === 'job failed'), 10_000, 'the job to fail');
    const failedAt = h.github.calls.length;
    // The same event again, as a new delivery: it does the work, once.
    await h.deliver('issues', opened(20));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.logs.find((l) => l.msg === 'job failed')).toMatchObject({ deliveryId: 'capped', reason: 'took longer than the 1500 ms cap per job' });
    const after = h.github.calls.slice(failedAt);
    // GitHub had added the labels before the answer hung: the next run sees them and only comments.
    expect(after.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`)).toEqual(['POST /repos/pingcap/tidb/issues/20/comments']);
    expect(h.github.commentsOn('pingcap/tidb#20')).toHaveLength(1);
    expect(h.github.labelsOn('pingcap/tidb#20')).toEqual(['type/data-race', 'component/store']);
  }, 30_000);

  it('a worker killed between GitHub creating the comment and finishing the job: one comment after the restart', async () => {
    const database = await sqliteDatabase();
    const github = new NockGitHub();
    const dead = await start({ database, github, jobs: { worker: { concurrency: 1, leaseMs: 1_000, timeCapMs: 3_000 } } });
    // GitHub creates the comment; the worker never hears back, as if its process were killed.
    github.fail({ method: 'POST', path: COMMENTS, afterWrite: true, delayMs: 60_000 });
    await dead.post('issues', opened(21));
    await waitFor(() => github.commentsOn('pingcap/tidb#21').length === 1, 10_000, 'the comment');
    void dead.running.durable!.stop();
    // A restarted process takes the job over once the dead one's lease has run out.
    const live = await start({ database, github, logs: dead.logs });
    await live.drained();
    await expectTriagedOnce(live, 21);
    expect(live.logs.filter((l) => l.msg === 'job done').map((l) => l.attempt)).toContain(2);
    await dead.running.server.stop();
    apps = apps.filter((a) => a !== dead);
    await live.close();
    apps = apps.filter((a) => a !== live);
    expect(github.problems).toEqual([]);
    github.close();
    await database.destroy();
  });

  it('deliveries refused while the app was down are asked for again and run once', async () => {
    const h = await start();
    await h.stop();
    // GitHub tries while nothing listens: the deliveries fail.
    for (const n of [30, 31, 32]) expect((await h.post('issues', opened(n), { id: `down-${n}` })).status).toBe(599);
    await h.post('issues', opened(33), { id: 'down-33' }); // and this one too
    // Other deliveries since, that went through: the failed ones are on the listing's second page.
    for (let i = 0; i < 150; i++) h.github.recordDelivery(`ok-${i}`, 'issues', JSON.stringify({ action: 'labeled' }), 200);
    await h.restart({ jobs: { redelivery: { intervalMs: 60_000 } } });
    await waitFor(() => h.github.deliveries.filter((d) => d.redelivery).length === 4, 10_000, 'the redeliveries');
    await h.drained();
    for (const n of [30, 31, 32, 33]) expect(h.github.commentsOn(`pingcap/tidb#${n}`)).toHaveLength(1);
    expect(h.github.appCalls.map((c) => `${c.method} ${c.path.split('?')[0]}`).filter((r) => r.includes('/hook/'))).toEqual([
      'GET /app/hook/deliveries',
      'GET /app/hook/deliveries',
      ...[30, 31, 32, 33].map(() => expect.stringMatching(/^POST \/app\/hook\/deliveries\/\d+\/attempts$/)),
    ]);
    expect(h.logs.find((l) => l.msg === 'failed webhook deliveries redelivered')).toMatchObject({ redelivered: 4 });
  });
});

describe("the bot's own state", () => {
  it('a label a person removed from an issue the bot labelled without commenting is never added again', async () => {
    const h = await start();
    h.github.repoLabels.set('pingcap/tidb', ['type/data-race']);
    await h.deliver('issues', opened(40));
    expect(h.github.commentsOn('pingcap/tidb#40')).toEqual([]);
    expect(h.github.labelsOn('pingcap/tidb#40')).toEqual(['type/data-race']);
    h.github.issueLabels.set('pingcap/tidb#40', []); // a maintainer removes it
    const edited = issuesEvent('edited', { number: 40, title: mpp.title, body: `${mpp.body}\nagain` }, { changes: { body: { from: mpp.body } } });
    await h.deliver('issues', edited);
    await h.deliver('issues', issuesEvent('reopened', { number: 40, title: mpp.title, body: mpp.body }));
    expect(h.github.labelsOn('pingcap/tidb#40')).toEqual([]);
    expect(h.github.requests.filter((r) => r === 'POST /repos/pingcap/tidb/issues/40/labels')).toHaveLength(1);
  });

  it("another bot's comment carrying the marker is not taken for the app's own", async () => {
    const h = await start();
    await h.deliver('issues', opened(41));
    const ours = h.github.commentsOn('pingcap/tidb#41')[0]!;
    // A workflow bot echoes the issue, marker and all, claiming no labels.
    h.github.addComment('pingcap/tidb#41', ours.body.replace(/"labels":\[[^\]]*\]/, '"labels":[]'), { login: 'echo-bot[bot]', type: 'Bot' });
    // The bot's state is lost (a new database): the marker of its own comment is read back.
    await h.database.db.deleteFrom('bot_state' as never).execute();
    h.github.issueLabels.set('pingcap/tidb#41', ['type/data-race', 'component/store', 'sig/planner']);
    const edited = issuesEvent('edited', { number: 41, title: mpp.title, body: 'no race any more', comments: 2 }, { changes: { body: { from: mpp.body } } });
    await h.deliver('issues', edited);
    // Its own labels are taken back, a person's stays; its own comment is the one edited.
    expect(h.github.labelsOn('pingcap/tidb#41')).toEqual(['sig/planner']);
    expect(h.github.calls.filter((c) => c.method === 'PATCH').map((c) => c.path)).toEqual([`/repos/pingcap/tidb/issues/comments/${ours.id}`]);
  });
});

describe('bounded work for commands', () => {
  it('a pile of /retriage on one issue runs once, after a new race issue, with one refusal reaction', async () => {
    const database = await sqliteDatabase();
    const github = new NockGitHub();
    // A replica that only receives: its worker runs nothing, so the deliveries pile up.
    const receiver = await start({ database, github, jobs: { worker: { concurrency: 0 } } });
    await receiver.post('issues', opened(50), { id: 'opened-50' });
    github.roles.set('maintainer', 'maintain');
    let id = 5000;
    for (let i = 0; i < 60; i++) {
      const login = i % 3 === 0 ? 'maintainer' : i % 3 === 1 ? 'stranger' : 'alice';
      github.addComment('pingcap/tidb#50', '/retriage', { login, type: 'User' });
      await receiver.post('issue_comment', commentEvent({ number: 50, title: mpp.title, body: mpp.body, author: 'bob', comments: 1 }, { id: id++, body: '/retriage', login }));
    }
    await receiver.post('issues', opened(51), { id: 'new-race-issue' });
    const worker = await start({ database, github, logs: receiver.logs, jobs: { worker: { concurrency: 1 } } });
    await worker.drained();

    // Issue events first, the new issue included, then one run of all 60 commands.
    expect(worker.logs.filter((l) => l.msg === 'job done').map((l) => l.deliveryId)).toEqual(['opened-50', 'new-race-issue', expect.any(String)]);
    expect(worker.logs.find((l) => l.msg === 'pending commands of the issue folded into one run')).toMatchObject({ folded: 59 });
    // One permission request per person (none of them wrote the issue), one run, one pair of reactions.
    expect(github.requests.filter((r) => r.endsWith('/permission'))).toHaveLength(3);
    expect(github.reactions.map((r) => r.content)).toEqual(['eyes', '+1']);
    expect(github.commentsOn('pingcap/tidb#51')).toHaveLength(1);
    expect(github.commentsOn('pingcap/tidb#50').filter((c) => c.user.login === BOT.login)).toHaveLength(1);
    await Promise.all([receiver.close(), worker.close()]);
    apps = [];
    expect(github.problems).toEqual([]);
    github.close();
    await database.destroy();
  });
});

describe('write spacing', () => {
  it('keeps writes of one installation apart across replicas sharing the database', async () => {
    const database = await sqliteDatabase();
    const github = new NockGitHub();
    const jobs = { writeSpacingMs: 300 };
    const a = await start({ database, github, jobs });
    const b = await start({ database, github, jobs, logs: a.logs });
    const at: number[] = [];
    const record = github.handle.bind(github);
    github.handle = (method, uri, body, headers) => {
      if (method !== 'GET' && !uri.includes('access_tokens')) at.push(Date.now());
      return record(method, uri, body, headers);
    };
    await Promise.all([a.post('issues', opened(60)), b.post('issues', opened(61)), a.post('issues', opened(62)), b.post('issues', opened(63))]);
    await a.drained();
    await b.drained();
    expect(at.length).toBe(8);
    // Arrival times carry some scheduling noise on a busy machine; the schedule itself is strict.
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(7 * 300 - 100);
    await Promise.all([a.close(), b.close()]);
    apps = [];
    expect(github.problems).toEqual([]);
    github.close();
    await database.destroy();
  });
});
