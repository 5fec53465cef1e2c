/** The bot's state and the shared write spacing, on both backends (replicas share them). */
import { afterEach, describe, expect, it } from '@jest/globals';
import { WriteSpacing } from '../../src/github/jobs/write-spacing.js';
import { BotStateStore, EMPTY_BOT_STATE, type BotStateDatabase } from '../../src/store/index.js';
import { databases, type TestDatabase } from '../support/databases.js';

const ref = { installationId: 7, repo: 'PingCAP/TiDB', number: 12 };

describe.each(databases)('bot state on %s', (_name, open) => {
  let database: TestDatabase;
  let clock = 1_000_000;
  const store = () => new BotStateStore(database.db.withTables<BotStateDatabase>(), () => clock);

  afterEach(async () => {
    await database.destroy();
  });

  it('keeps what the bot did on an issue, and forgets it when asked', async () => {
    database = await open();
    const state = { ...EMPTY_BOT_STATE, labels: ['type/data-race'], declined: ['sig/planner'], pendingAdd: ['component/store'], commentId: 4_000_000_001, commentDigest: 'abc', commentPending: true, commentPostedAt: clock };
    await store().put(ref, state);
    expect(await store().get({ ...ref, repo: 'pingcap/tidb' })).toEqual(state);
    await store().put(ref, { ...state, pendingAdd: [], commentPending: false });
    expect(await store().get(ref)).toMatchObject({ pendingAdd: [], commentPending: false, labels: ['type/data-race'] });
    await store().remove(ref);
    expect(await store().get(ref)).toBeUndefined();
  });

  it('gives one refusal reaction per issue per window, across replicas', async () => {
    database = await open();
    const other = new BotStateStore((await database.open()).withTables<BotStateDatabase>(), () => clock);
    const taken = await Promise.all([store().takeDeniedReaction(ref, 60_000), other.takeDeniedReaction(ref, 60_000)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    clock += 59_999;
    expect(await store().takeDeniedReaction(ref, 60_000)).toBe(false);
    clock += 1;
    expect(await other.takeDeniedReaction(ref, 60_000)).toBe(true);
  });

  it('counts the comments begun in a repository since a time', async () => {
    database = await open();
    for (const [number, at] of [[1, 100], [2, 200], [3, 300]] as const) await store().put({ ...ref, number }, { ...EMPTY_BOT_STATE, commentPostedAt: at });
    await store().put({ ...ref, repo: 'pingcap/tikv' }, { ...EMPTY_BOT_STATE, commentPostedAt: 300 });
    expect(await store().commentsPostedSince(7, 'pingcap/tidb', 150)).toBe(2);
  });

  it('spaces the writes of one installation through the database, not per process', async () => {
    database = await open();
    const a = new WriteSpacing(database.db, 100);
    const b = new WriteSpacing(await database.open(), 100);
    const signal = new AbortController().signal;
    const started = Date.now();
    const at: number[] = [];
    await Promise.all([a, b, a, b].map(async (s) => {
      await s.take(7, signal);
      at.push(Date.now() - started);
    }));
    at.sort((x, y) => x - y);
    expect(at[3]!).toBeGreaterThanOrEqual(290);
    // Another installation has its own schedule.
    const other = Date.now();
    await a.take(8, signal);
    expect(Date.now() - other).toBeLessThan(90);
  });

  it('gives up waiting for a slot when the job is aborted', async () => {
    database = await open();
    const spacing = new WriteSpacing(database.db, 10_000);
    await spacing.take(9, new AbortController().signal);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('over the cap')), 50);
    await expect(spacing.take(9, controller.signal)).rejects.toThrow('over the cap');
  });
});
