/**
 * The race index contract, run against both backends: a SQLite file and a private
 * PostgreSQL schema. Races come from real reports analysed by the engine, and expected
 * rankings are computed with the engine's own `issueSimilarity`, never written down.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { contextOver, indexKeys, issueSimilarity, LIKELY_DUPLICATE_THRESHOLD, type RaceSignature } from '../../src/race/index.js';
import {
  IndexOpenError,
  openDatabase,
  openIndex,
  type Candidate,
  type RaceIndex,
} from '../../src/store/index.js';
import { keyHash } from '../../src/store/race-index.js';
import { backends, type TestBackend } from './support/backends.js';
import { asIndexed, corpusIssues, type CorpusIssue } from './support/corpus.js';
import { CONTENDED, versionOf } from './support/versions.js';

const run = promisify(execFile);
const corpus = corpusIssues();
const TIDB = { installationId: 7, repo: 'pingcap/tidb' };

/**
 * The candidates `candidates` must put first, by brute force over every stored issue: all
 * exact matches and all at or above the engine's duplicate threshold, ranked. (Weaker
 * resemblances may follow; the engine promises that strong ones share an index key.)
 */
function expectedStrong(stored: CorpusIssue[], query: CorpusIssue, limit: number) {
  const queryFps = new Set(query.races.map((r) => r.fingerprint));
  const context = contextOver(query.races, stored.flatMap((i) => i.races));
  return stored
    .filter((i) => i.number !== query.number)
    .map((i) => ({
      number: i.number,
      score: issueSimilarity(query.races, i.races, context),
      exact: i.races.some((r) => !r.partial && queryFps.has(r.fingerprint)),
    }))
    .filter((c) => c.exact || c.score >= LIKELY_DUPLICATE_THRESHOLD)
    .sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score || a.number - b.number)
    .slice(0, limit);
}

const brief = (cs: Candidate[]) => cs.map((c) => ({ number: c.issue.number, score: c.score, exact: c.exact }));

/** The first full (or partial) race of the corpus. */
function firstRace(partial: boolean): RaceSignature {
  const race = corpus.flatMap((i) => i.races).find((r) => r.partial === partial);
  if (!race) throw new Error(`the corpus has no ${partial ? 'partial' : 'full'} race`);
  return race;
}

describe.each(backends)('race index on %s', (_name, makeBackend) => {
  let backend: TestBackend;
  let index: RaceIndex;
  const opened: RaceIndex[] = [];
  const open = async () => {
    const fresh = await openIndex(backend.options);
    opened.push(fresh);
    return fresh;
  };

  beforeEach(async () => {
    backend = makeBackend();
    index = await open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((i) => i.close()));
    await backend.dispose();
  });

  it('pages through a repository\'s issues by number, each as stored, and no other repository\'s', async () => {
    const stored = corpus.slice(0, 5).map((c, i) => asIndexed(c, { ...TIDB, number: 100 + i }));
    await index.upsertIssues([...stored].reverse());
    await index.upsertIssue(asIndexed(corpus[5]!, { installationId: 7, repo: 'pingcap/tikv', number: 1 }));
    const first = await index.issuesPage(TIDB.installationId, TIDB.repo, 0, 2);
    expect(first).toEqual(stored.slice(0, 2));
    const rest = await index.issuesPage(TIDB.installationId, TIDB.repo, first[1]!.number, 10);
    expect(rest.map((i) => i.number)).toEqual([102, 103, 104]);
    expect(await index.issuesPage(TIDB.installationId, TIDB.repo, 104, 10)).toEqual([]);
    expect(await index.issuesPage(8, TIDB.repo, 0, 10)).toEqual([]);
  });

  it('gives back an issue exactly as stored, races included', async () => {
    const issue = asIndexed(corpus[0]!, {
      ...TIDB,
      state: 'closed',
      stateReason: 'completed',
      labels: ['type/bug', 'sig/execution'],
      fixingPr: 40123,
      private: true,
      updatedAt: '2024-03-04T05:06:07Z',
    });
    await index.upsertIssue(issue);
    expect(await index.getIssue({ ...TIDB, number: issue.number })).toEqual(issue);
    expect(await index.getIssue({ ...TIDB, number: issue.number + 1 })).toBeUndefined();
    expect(await index.getIssue({ installationId: 8, repo: TIDB.repo, number: issue.number })).toBeUndefined();
  });

  it('remembers when an issue was filed, even when a later write does not say', async () => {
    const filed = asIndexed(corpus[0]!, { ...TIDB, createdAt: '2023-02-10T08:00:00Z', updatedAt: '2024-01-01T00:00:00Z' });
    await index.upsertIssue(filed);
    expect((await index.getIssue({ ...TIDB, number: filed.number }))?.createdAt).toBe('2023-02-10T08:00:00Z');
    const { createdAt: _unknown, ...edited } = { ...filed, title: 'edited', updatedAt: '2024-02-01T00:00:00Z' };
    await index.upsertIssue(edited);
    expect(await index.getIssue({ ...TIDB, number: filed.number })).toEqual({ ...edited, createdAt: '2023-02-10T08:00:00Z' });
  });

  it('keeps the newest write and replaces the races with it', async () => {
    const [a, b] = [corpus[0]!, corpus[1]!];
    const newer = asIndexed(b, { ...TIDB, number: a.number, title: 'newer', updatedAt: '2024-05-01T00:00:00Z' });
    await index.upsertIssue(asIndexed(a, { ...TIDB, updatedAt: '2024-04-01T00:00:00Z' }));
    await index.upsertIssue(newer);
    await index.upsertIssue(asIndexed(a, { ...TIDB, title: 'stale', updatedAt: '2024-04-15T00:00:00Z' }));

    expect(await index.getIssue({ ...TIDB, number: a.number })).toEqual(newer);
    // The replaced races are gone from lookups too, not only from getIssue.
    const onlyOld = a.races.filter((r) => !b.races.some((x) => x.fingerprint === r.fingerprint));
    expect(onlyOld.length).toBeGreaterThan(0);
    const byOldRaces = await index.candidates({ ...TIDB, races: onlyOld, limit: 10 });
    expect(byOldRaces.flatMap((c) => c.sharedFingerprints)).toEqual([]);
  });

  it('stores a batch like single writes: newest version per issue, stale ones ignored', async () => {
    const [a, b, c] = [corpus[0]!, corpus[1]!, corpus[2]!];
    await index.upsertIssue(asIndexed(a, { ...TIDB, title: 'stored', updatedAt: '2024-06-01T00:00:00Z' }));
    const newestB = asIndexed(c, { ...TIDB, number: b.number, title: 'b newest', updatedAt: '2024-03-01T00:00:00Z' });
    await index.upsertIssues([
      asIndexed(a, { ...TIDB, title: 'stale', updatedAt: '2024-05-01T00:00:00Z' }),
      newestB,
      asIndexed(b, { ...TIDB, title: 'b older', updatedAt: '2024-02-01T00:00:00Z' }),
    ]);
    expect((await index.getIssue({ ...TIDB, number: a.number }))?.title).toBe('stored');
    expect(await index.getIssue({ ...TIDB, number: b.number })).toEqual(newestB);
  });

  it('names exact duplicates first and ranks the rest as the engine scores them', async () => {
    for (const issue of corpus) await index.upsertIssue(asIndexed(issue, TIDB));
    const byNumber = new Map(corpus.map((i) => [i.number, i]));
    let strong = 0;
    for (const query of corpus) {
      const got = await index.candidates({ ...TIDB, races: query.races, excludeNumber: query.number, limit: 5 });
      const expected = expectedStrong(corpus, query, 5);
      expect(brief(got).slice(0, expected.length)).toEqual(expected);
      // Whatever follows is still scored by the engine, best first, never the issue itself.
      const context = contextOver(query.races, corpus.flatMap((i) => i.races));
      for (const c of got) expect(c.score).toBe(issueSimilarity(query.races, byNumber.get(c.issue.number)!.races, context));
      const rank = got.map((c) => Number(c.exact) * 2 + c.score); // exact first, then by score
      expect(rank).toEqual([...rank].sort((a, b) => b - a));
      strong += expected.length;
    }
    expect(strong).toBeGreaterThan(0);
  });

  it('keeps the races of comments apart: a backfilled body replaces only the body\'s, one comment\'s replace only its own', async () => {
    const [a, b, c, d] = corpus.flatMap((i) => i.races.filter((r) => !r.partial)).slice(0, 4) as [RaceSignature, RaceSignature, RaceSignature, RaceSignature];
    const find = async (race: RaceSignature) => (await index.candidates({ ...TIDB, races: [race], limit: 5 })).filter((x) => x.exact).map((x) => x.issue.number);
    await index.upsertIssue(asIndexed({ number: 40, title: 't', races: [a, { ...b, commentId: 5 }] as RaceSignature[] }, TIDB));
    // Backfill rewrites the body: the comment's race stays, and is still found.
    await index.upsertIssues([asIndexed({ number: 40, title: 't', races: [c] }, { ...TIDB, updatedAt: '2024-02-01T00:00:00Z' })], { keepCommentRaces: true });
    const kept = await index.getIssue({ ...TIDB, number: 40 });
    expect(kept!.races.map((r) => [r.fingerprint, r.commentId])).toEqual([
      [b.fingerprint, 5],
      [c.fingerprint, undefined],
    ]);
    expect(await find(b)).toEqual([40]);
    expect(await find(a)).toEqual([]);
    // The comment is edited: its race is another one now.
    expect(await index.replaceCommentRaces({ ...TIDB, number: 40 }, 5, [d], '2024-03-01T00:00:00Z')).toBe(true);
    expect((await index.getIssue({ ...TIDB, number: 40 }))!.races.map((r) => [r.fingerprint, r.commentId])).toEqual([
      [c.fingerprint, undefined],
      [d.fingerprint, 5],
    ]);
    expect(await find(b)).toEqual([]);
    expect(await find(d)).toEqual([40]);
    // ... then deleted; the body's race stays. An issue the index does not hold is not made up.
    expect(await index.replaceCommentRaces({ ...TIDB, number: 40 }, 5, [], '2024-04-01T00:00:00Z')).toBe(true);
    expect((await index.getIssue({ ...TIDB, number: 40 }))!.races.map((r) => r.fingerprint)).toEqual([c.fingerprint]);
    expect(await index.replaceCommentRaces({ ...TIDB, number: 41 }, 5, [d], '2024-04-01T00:00:00Z')).toBe(false);
  });

  it('calls a shared full fingerprint exact, a shared partial one not', async () => {
    const full = firstRace(false);
    const partial = firstRace(true);
    await index.upsertIssue(asIndexed({ number: 10, title: 'full', races: [full] }, TIDB));
    await index.upsertIssue(asIndexed({ number: 11, title: 'partial', races: [partial] }, TIDB));

    const [byFull] = await index.candidates({ ...TIDB, races: [full], limit: 5 });
    expect(byFull).toMatchObject({ issue: { number: 10 }, exact: true, sharedFingerprints: [full.fingerprint] });
    expect(byFull?.races).toEqual([full]);
    const [byPartial] = await index.candidates({ ...TIDB, races: [partial], limit: 5 });
    expect(byPartial).toMatchObject({ issue: { number: 11 }, exact: false, sharedFingerprints: [partial.fingerprint] });
  });

  it('never returns the issue itself, and honours the limit', async () => {
    const race = firstRace(false);
    for (const number of [1, 2, 3, 4]) await index.upsertIssue(asIndexed({ number, title: `#${number}`, races: [race] }, TIDB));
    const got = await index.candidates({ ...TIDB, races: [race], excludeNumber: 2, limit: 2 });
    expect(got.map((c) => c.issue.number)).toEqual([1, 3]);
    expect(await index.candidates({ ...TIDB, races: [], limit: 5 })).toEqual([]);
  });

  it('keeps installations apart, crosses only to listed siblings, and never shows a private repository elsewhere', async () => {
    const race = firstRace(false);
    const store = (installationId: number, repo: string, number: number, isPrivate = false) =>
      index.upsertIssue(asIndexed({ number, title: repo, races: [race] }, { installationId, repo, private: isPrivate }));
    await store(1, 'org/app', 10);
    await store(2, 'org/app', 11);
    await store(1, 'org/lib', 12);
    await store(1, 'org/secret', 13, true);
    const numbers = async (repo: string, siblings?: string[]) =>
      (await index.candidates({ installationId: 1, repo, races: [race], limit: 10, ...(siblings ? { siblings } : {}) }))
        .map((c) => c.issue.number)
        .sort();

    expect(await numbers('org/app')).toEqual([10]);
    expect(await numbers('org/app', ['org/lib', 'org/secret', 'org/unknown'])).toEqual([10, 12]);
    expect(await numbers('org/secret', ['org/app'])).toEqual([10, 13]);
  });

  it('answers an oversized query (every corpus race, thirty siblings) within its limit', async () => {
    const everything = corpus.flatMap((i) => i.races);
    const siblings = Array.from({ length: 30 }, (_, n) => `org/sibling-${n}`);
    for (const [n, repo] of siblings.entries()) {
      await index.upsertIssue(asIndexed(corpus[n % corpus.length]!, { installationId: 1, repo }));
    }
    const got = await index.candidates({ installationId: 1, repo: 'org/app', siblings, races: everything, limit: 7 });
    expect(got).toHaveLength(7);
    expect(new Set(got.map((c) => c.issue.repo)).size).toBeGreaterThan(1);
  });

  it('stores untrusted text PostgreSQL cannot hold raw (NUL), and still matches it', async () => {
    const race = firstRace(false);
    const hostile = { ...race, fingerprint: `${race.fingerprint}\u0000`, title: 'a\u0000b' };
    await index.upsertIssue(
      asIndexed({ number: 5, title: 'data race\u0000 in executor', races: [hostile] }, { ...TIDB, labels: ['bug\u0000'], stateReason: '\u0000' }),
    );
    const stored = await index.getIssue({ ...TIDB, number: 5 });
    expect(stored).toMatchObject({ title: 'data race\uFFFD in executor', labels: ['bug\u0000'], stateReason: '\uFFFD', races: [hostile] });
    const [match] = await index.candidates({ ...TIDB, siblings: ['org/\u0000'], races: [hostile], limit: 5 });
    expect(match).toMatchObject({ issue: { number: 5 }, exact: true, sharedFingerprints: [hostile.fingerprint] });
  });

  it('forgets a removed issue and records closes, ignoring stale ones', async () => {
    const race = firstRace(false);
    await index.upsertIssue(asIndexed({ number: 1, title: 'one', races: [race] }, TIDB));
    await index.upsertIssue(asIndexed({ number: 2, title: 'two', races: [race] }, TIDB));

    await index.setState({ ...TIDB, number: 1 }, 'closed', 'completed', '2024-02-01T00:00:00Z');
    await index.setState({ ...TIDB, number: 1 }, 'open', 'reopened', '2024-01-15T00:00:00Z');
    const [closed] = await index.candidates({ ...TIDB, races: [race], excludeNumber: 2, limit: 5 });
    expect(closed?.issue).toMatchObject({ number: 1, state: 'closed', stateReason: 'completed', updatedAt: '2024-02-01T00:00:00Z' });

    await index.removeIssue({ ...TIDB, number: 1 });
    expect(await index.getIssue({ ...TIDB, number: 1 })).toBeUndefined();
    expect((await index.candidates({ ...TIDB, races: [race], limit: 5 })).map((c) => c.issue.number)).toEqual([2]);
    // A later upsert after removal stores it again (an issue transferred back).
    await index.upsertIssue(asIndexed({ number: 1, title: 'back', races: [race] }, TIDB));
    expect((await index.getIssue({ ...TIDB, number: 1 }))?.title).toBe('back');
  });

  it('keeps its data across restarts and refuses a schema newer than it knows', async () => {
    await index.upsertIssue(asIndexed(corpus[0]!, TIDB));
    await index.close();
    index = await open();
    expect((await index.getIssue({ ...TIDB, number: corpus[0]!.number }))?.title).toBe(corpus[0]!.title);
    await index.close();

    const { db } = await openDatabase(backend.options);
    await sql`insert into race_triage_migration (name, timestamp) values ('9000_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(db);
    await db.destroy();
    const refused = await openIndex(backend.options).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(IndexOpenError);
    expect(refused).toMatchObject({ reason: 'schema-too-new' });
    expect((refused as Error).message).toContain('9000_from_the_future');
  });

  it('two processes starting at once and writing the same issue leave one consistent row set, newest first', async () => {
    await index.close();
    await backend.dispose();
    backend = makeBackend(); // fresh: both processes also race to create the schema
    const writer = join(process.cwd(), 'test/store/support/writer.ts');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const options = JSON.stringify(backend.options);
    const count = 25;
    // One writes odd versions oldest first, the other even versions newest first.
    const startAt = String(Date.now() + 4000); // both loaded by then: they open the index together
    await Promise.all([
      run(tsx, [writer, options, '1', '2', String(count), startAt]),
      run(tsx, [writer, options, String(2 * count), '-2', String(count), startAt]),
    ]);

    index = await open();
    const newest = versionOf(2 * count, corpus);
    expect(await index.getIssue(CONTENDED)).toEqual(newest);

    const { db } = await openDatabase(backend.options);
    try {
      const count = async (table: 'issues' | 'races' | 'race_keys') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count('issues')).toBe(1);
      expect(await count('races')).toBe(newest.races.length);
      expect(await count('race_keys')).toBe(new Set(newest.races.flatMap((r) => indexKeys(r).map(keyHash))).size);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
