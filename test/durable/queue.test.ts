import { afterEach, describe, expect, it } from '@jest/globals';
import { JobQueue } from '../../src/github/jobs/queue.js';
import { databases, type TestDatabase } from '../support/databases.js';

function issueEvent(id: string, action: string, issue: number, repo = 'PingCAP/TiDB') {
  return {
    id,
    name: 'issues',
    payload: { action, installation: { id: 7 }, repository: { full_name: repo }, issue: { number: issue, body: action } },
  };
}

describe.each(databases)('job queue on %s', (_name, openDatabase) => {
  let database: TestDatabase;
  let clock = 1_000_000;
  const now = () => clock;

  afterEach(async () => {
    await database.destroy();
  });

  async function queue(): Promise<JobQueue> {
    database = await openDatabase();
    clock = 1_000_000;
    return new JobQueue(database.db, { now });
  }

  it('records a redelivered webhook once', async () => {
    const jobs = await queue();
    expect(await jobs.enqueue(issueEvent('d-1', 'opened', 1))).toBe(true);
    expect(await jobs.enqueue(issueEvent('d-1', 'opened', 1))).toBe(false);
    const job = await jobs.claim('w', 60_000);
    expect(job).toMatchObject({ deliveryId: 'd-1', event: 'issues', action: 'opened', installationId: 7, repo: 'pingcap/tidb', issueNumber: 1, attempts: 1 });
    expect(job?.payload).toEqual(issueEvent('d-1', 'opened', 1).payload);
    expect(await jobs.claim('w', 60_000)).toBeUndefined();
  });

  it('runs the jobs of one issue one at a time, in arrival order, other issues meanwhile', async () => {
    const jobs = await queue();
    await jobs.enqueue(issueEvent('opened-1', 'opened', 1));
    await jobs.enqueue(issueEvent('edited-1', 'edited', 1));
    await jobs.enqueue(issueEvent('opened-2', 'opened', 2));
    const first = await jobs.claim('a', 60_000);
    const second = await jobs.claim('b', 60_000);
    expect([first?.deliveryId, second?.deliveryId]).toEqual(['opened-1', 'opened-2']);
    expect(await jobs.claim('c', 60_000)).toBeUndefined();
    expect(await jobs.complete(first!, 'a')).toBe(true);
    expect((await jobs.claim('c', 60_000))?.deliveryId).toBe('edited-1');
  });

  it('runs jobs given the same serial key one at a time', async () => {
    const jobs = await queue();
    const backfill = (id: string) => ({ id, name: 'race_triage_backfill', payload: { repository: { full_name: 'pingcap/tidb' } }, serialKey: 'backfill:7/pingcap/tidb' });
    await jobs.enqueue(backfill('b-1'));
    await jobs.enqueue(backfill('b-2'));
    expect((await jobs.claim('a', 60_000))?.deliveryId).toBe('b-1');
    expect(await jobs.claim('b', 60_000)).toBeUndefined();
  });

  it('holds a later job of an issue while an earlier one waits to be retried', async () => {
    const jobs = await queue();
    await jobs.enqueue(issueEvent('opened-1', 'opened', 1));
    await jobs.enqueue(issueEvent('edited-1', 'edited', 1));
    const first = await jobs.claim('a', 60_000);
    await jobs.retryLater(first!, 'a', 'GitHub 502', 5_000);
    expect(await jobs.claim('a', 60_000)).toBeUndefined();
    clock += 5_000;
    expect(await jobs.claim('a', 60_000)).toMatchObject({ deliveryId: 'opened-1', attempts: 2 });
  });

  it('gives a dead worker’s job to another once the lease runs out', async () => {
    const jobs = await queue();
    await jobs.enqueue(issueEvent('d-1', 'opened', 1));
    const taken = await jobs.claim('dead', 10_000);
    clock += 9_999;
    expect(await jobs.claim('alive', 10_000)).toBeUndefined();
    clock += 1;
    const again = await jobs.claim('alive', 10_000);
    expect(again).toMatchObject({ deliveryId: 'd-1', attempts: 2 });
    // The first worker comes back late: its outcome no longer counts.
    expect(await jobs.complete(taken!, 'dead')).toBe(false);
    expect(await jobs.complete(again!, 'alive')).toBe(true);
    expect((await jobs.status()).counts).toEqual({ pending: 0, running: 0, done: 1, failed: 0 });
  });

  it('reports counts by state, the oldest wait and the last errors', async () => {
    const jobs = await queue();
    await jobs.enqueue(issueEvent('d-1', 'opened', 1));
    await jobs.enqueue(issueEvent('d-2', 'opened', 2));
    await jobs.enqueue(issueEvent('d-3', 'opened', 3));
    const failing = await jobs.claim('w', 60_000);
    await jobs.fail(failing!, 'w', 'permanent: GitHub 404: Not Found');
    await jobs.claim('w', 60_000);
    clock += 2_500;
    const status = await jobs.status();
    expect(status.counts).toEqual({ pending: 1, running: 1, done: 0, failed: 1 });
    expect(status.oldestPendingMs).toBe(2_500);
    expect(status.lastErrors).toEqual([
      { deliveryId: 'd-1', event: 'issues', error: 'permanent: GitHub 404: Not Found', at: new Date(1_000_000).toISOString() },
    ]);
  });

  it('prunes finished jobs past the keep time, never unfinished ones', async () => {
    const jobs = await queue();
    for (const id of ['done-early', 'failed-early', 'done-late', 'waiting']) await jobs.enqueue(issueEvent(id, 'opened', 1));
    await jobs.complete((await jobs.claim('w', 60_000))!, 'w');
    await jobs.fail((await jobs.claim('w', 60_000))!, 'w', 'permanent: GitHub 404');
    clock += 10_000;
    await jobs.complete((await jobs.claim('w', 60_000))!, 'w');
    await jobs.enqueue(issueEvent('later', 'opened', 2));
    expect(await jobs.prune(5_000)).toBe(2);
    expect((await jobs.status()).counts).toEqual({ pending: 2, running: 0, done: 1, failed: 0 });
    // A pruned delivery is no longer known.
    expect(await jobs.enqueue(issueEvent('done-early', 'opened', 1))).toBe(true);
  });

  it('claims lower priorities first, keeping each issue in arrival order', async () => {
    const jobs = await queue();
    await jobs.enqueue({ ...issueEvent('cmd-1', 'created', 1), priority: 1 });
    await jobs.enqueue(issueEvent('opened-2', 'opened', 2));
    await jobs.enqueue({ ...issueEvent('backfill', 'x', 3), priority: 2 });
    await jobs.enqueue(issueEvent('edited-1', 'edited', 1));
    const order: string[] = [];
    for (let job = await jobs.claim('w', 60_000); job; job = await jobs.claim('w', 60_000)) {
      order.push(job.deliveryId);
      await jobs.complete(job, 'w');
    }
    expect(order).toEqual(['opened-2', 'cmd-1', 'edited-1', 'backfill']);
  });

  it('folds the pending jobs of a fold key into the one that runs, keeping the bodies as sent', async () => {
    const jobs = await queue();
    for (const id of ['c-1', 'c-2', 'c-3']) await jobs.enqueue({ ...issueEvent(id, 'created', 1), foldKey: '7/pingcap/tidb#1:retriage', body: `{"id":"${id}"}` });
    await jobs.enqueue({ ...issueEvent('other', 'created', 2), foldKey: '7/pingcap/tidb#2:retriage' });
    const first = await jobs.claim('w', 60_000);
    const folded = await jobs.fold(first!);
    expect(folded.map((j) => [j.deliveryId, j.payload])).toEqual([
      ['c-2', { id: 'c-2' }],
      ['c-3', { id: 'c-3' }],
    ]);
    expect((await jobs.status()).counts).toEqual({ pending: 1, running: 1, done: 2, failed: 0 });
    expect(await jobs.has(['c-1', 'c-3', 'unknown'])).toEqual(new Set(['c-1', 'c-3']));
  });

  it('never hands one job to two replicas claiming at once', async () => {
    const jobs = await queue();
    for (let i = 0; i < 40; i++) await jobs.enqueue(issueEvent(`d-${i}`, 'opened', i));
    const replicas = [new JobQueue(await database.open(), { now }), new JobQueue(await database.open(), { now })];
    const claimed = await Promise.all(
      replicas.map(async (replica, r) => {
        const mine: string[] = [];
        for (let job = await replica.claim(`r${r}`, 60_000); job; job = await replica.claim(`r${r}`, 60_000)) {
          mine.push(job.deliveryId);
        }
        return mine;
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
  });
});
