/**
 * The pairs maintainers and the history teach (confirmed duplicates, not duplicates, fixed by
 * the same pull request), the fixes merged, and the bot's command replies, on both backends.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { BotReplies, IssuePairs, type BotRepliesDatabase, type IssuePairsDatabase } from '../../src/store/index.js';
import { databases, type TestDatabase } from '../support/databases.js';

const repo = { installationId: 7, repo: 'PingCAP/TiDB' };
const at = '2026-01-02T03:04:05Z';
const byAlice = { kind: 'command' as const, user: 'alice' };

describe.each(databases)('issue pairs on %s', (_name, open) => {
  let database: TestDatabase;
  const pairs = () => new IssuePairs(database.db.withTables<IssuePairsDatabase>());

  afterEach(async () => {
    await database.destroy();
  });

  it('keeps pairs by issue number with their source, and finds them from either side', async () => {
    database = await open();
    await pairs().record(repo, { issue: 12, other: 5, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    await pairs().record(repo, { issue: 30, other: 12, kind: 'same-fix', source: { kind: 'pull-request', number: 99 }, at }, { replace: false });
    await pairs().record(repo, { issue: 40, other: 41, kind: 'not-dup', source: { kind: 'command', user: 'bob' }, at }, { replace: true });
    // Another repository's and another installation's pairs are theirs.
    await pairs().record({ ...repo, repo: 'pingcap/tiflow' }, { issue: 12, other: 6, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    await pairs().record({ ...repo, installationId: 8 }, { issue: 12, other: 7, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });

    expect(await pairs().touching({ ...repo, repo: 'pingcap/tidb' }, [12])).toEqual([
      { issue: 12, other: 5, kind: 'confirmed-dup', source: byAlice, at },
      // Stored with the lower number first: the pair has no direction.
      { issue: 12, other: 30, kind: 'same-fix', source: { kind: 'pull-request', number: 99 }, at },
    ]);
    expect(await pairs().touching(repo, [41])).toEqual([{ issue: 40, other: 41, kind: 'not-dup', source: { kind: 'command', user: 'bob' }, at }]);
    expect(await pairs().touching(repo, [])).toEqual([]);
  });

  it('a pair is the same or different, never both; a command replaces, a signal from history does not', async () => {
    database = await open();
    await pairs().record(repo, { issue: 12, other: 5, kind: 'confirmed-dup', source: { kind: 'closed-as-duplicate', user: 'carol' }, at }, { replace: false });
    // A maintainer says otherwise, from the other issue: the confirmation goes.
    await pairs().record(repo, { issue: 5, other: 12, kind: 'not-dup', source: byAlice, at: '2026-02-01T00:00:00Z' }, { replace: true });
    expect((await pairs().touching(repo, [12])).map((p) => [p.issue, p.other, p.kind])).toEqual([[5, 12, 'not-dup']]);

    // The history says "duplicate" again (a backfill): the person's decision stays.
    await pairs().record(repo, { issue: 12, other: 5, kind: 'confirmed-dup', source: { kind: 'closed-as-duplicate' }, at }, { replace: false });
    expect((await pairs().touching(repo, [12])).map((p) => p.kind)).toEqual(['not-dup']);

    // A command changes the mind again; repeating it updates who said it.
    await pairs().record(repo, { issue: 12, other: 5, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    await pairs().record(repo, { issue: 12, other: 5, kind: 'confirmed-dup', source: { kind: 'command', user: 'dave' }, at: '2026-03-01T00:00:00Z' }, { replace: true });
    expect(await pairs().touching(repo, [5])).toEqual([{ issue: 12, other: 5, kind: 'confirmed-dup', source: { kind: 'command', user: 'dave' }, at: '2026-03-01T00:00:00Z' }]);
    // An issue is never its own pair.
    await pairs().record(repo, { issue: 9, other: 9, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    expect(await pairs().touching(repo, [9])).toEqual([]);
  });

  it('forgets the confirmed duplicates of an issue, either way, and keeps the rest', async () => {
    database = await open();
    await pairs().record(repo, { issue: 12, other: 5, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    await pairs().record(repo, { issue: 20, other: 12, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    await pairs().record(repo, { issue: 12, other: 6, kind: 'not-dup', source: byAlice, at }, { replace: true });
    await pairs().record(repo, { issue: 20, other: 5, kind: 'confirmed-dup', source: byAlice, at }, { replace: true });
    expect(await pairs().forgetConfirmed({ ...repo, number: 12 })).toBe(2);
    expect((await pairs().touching(repo, [12, 20])).map((p) => [p.issue, p.other, p.kind])).toEqual([
      [12, 6, 'not-dup'],
      [20, 5, 'confirmed-dup'],
    ]);
  });

  it('keeps the merged pull requests that closed issues; a redelivery adds nothing', async () => {
    database = await open();
    await pairs().recordFix(repo, { issue: 12, pr: 200, mergedAt: '2023-03-01T10:00:00Z' });
    await pairs().recordFix(repo, { issue: 12, pr: 150, mergedAt: '2023-01-01T10:00:00Z' });
    await pairs().recordFix(repo, { issue: 12, pr: 200, mergedAt: '2023-03-01T10:00:00Z' });
    await pairs().recordFix(repo, { issue: 13, pr: 200, mergedAt: '2023-03-01T10:00:00Z' });
    expect(await pairs().fixes(repo, [12, 99])).toEqual([
      { issue: 12, pr: 150, mergedAt: '2023-01-01T10:00:00Z' },
      { issue: 12, pr: 200, mergedAt: '2023-03-01T10:00:00Z' },
    ]);
  });

  it('keeps one reply per key on an issue', async () => {
    database = await open();
    const replies = new BotReplies(database.db.withTables<BotRepliesDatabase>());
    const ref = { ...repo, number: 12 };
    expect(await replies.get(ref, 'help')).toBeUndefined();
    await replies.put(ref, 'help', { commentId: null, digest: null, pending: true });
    await replies.put(ref, 'help', { commentId: 4_000_000_001, digest: 'abc', pending: false });
    expect(await replies.get({ ...ref, repo: 'pingcap/tidb' }, 'help')).toEqual({ commentId: 4_000_000_001, digest: 'abc', pending: false });
    expect(await replies.get(ref, 'command:5')).toBeUndefined();
  });
});
