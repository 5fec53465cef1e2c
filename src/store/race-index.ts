/**
 * The race index on one Kysely query layer, the same SQL for SQLite and PostgreSQL.
 *
 * Lookup never scans a repository: exact matches come from the (repo, fingerprint) index,
 * resemblances from the inverted index on the engine's `indexKeys`. Each key contributes at
 * most its newest `ISSUES_PER_KEY` issues, so a frame every other race passes through costs
 * no more than a rare one. Only the issues sharing the most keys are loaded and scored.
 */
import { createHash } from 'node:crypto';
import type { Insertable, Kysely, Selectable, SelectQueryBuilder, Transaction } from 'kysely';
import { commonnessWeight, keyContexts, matchIssues, SIMILARITY_DEPTH, type IssueMatch, type MatchContext, type RaceSignature } from '../race/index.js';
import type { RaceMatchExplanation } from '../triage/types.js';
import type { IndexTables, IssuesTable, RaceKeysTable, RacesTable } from './schema.js';
import type {
  Candidate,
  CandidateQuery,
  UpsertOptions,
  IndexedIssue,
  IndexedRace,
  IssueRef,
  IssueState,
  IssueSummary,
  RaceIndex,
} from './types.js';

/** Newest issues read per (repository, key). */
const ISSUES_PER_KEY = 64;
/** Issues that share the most key weight with the query and get scored (scoring is the costly part). */
const SCORED_POOL = 20;
/** Newest issues read per (repository, fingerprint): a race filed over and over stays cheap. */
const EXACT_PER_FINGERPRINT = 20;
/** Exact fingerprint matches scored at most. */
const EXACT_CAP = 20;
/** Keys of one query at most: a body with hundreds of races must not fan out without bound. */
const MAX_QUERY_KEYS = 64;
/** Rows per INSERT, well under both backends' bind-parameter limits. */
export const INSERT_CHUNK = 500;

/** 48 bits of SHA-1: exact in a JS number and in a SQL bigint. */
export function keyHash(key: string): number {
  return createHash('sha1').update(key).digest().readUIntBE(0, 6);
}

/**
 * The inverted-index rows of one issue: each key of its races once, with the key's context in
 * its first race through it (the engine's `keyContexts`), so lookups can count different races per frame.
 */
export function keyRows(repoId: number, issueId: number, races: RaceSignature[]): Insertable<RaceKeysTable>[] {
  const contexts = new Map<number, number | null>();
  for (const sig of races) {
    for (const [key, context] of keyContexts(sig)) {
      const hash = keyHash(key);
      if (!contexts.has(hash) || contexts.get(hash) === null) contexts.set(hash, context === undefined ? null : keyHash(context));
    }
  }
  return [...contexts].map(([key_hash, context]) => ({ repo_id: repoId, key_hash, issue_id: issueId, context }));
}

function updatedMs(updatedAt: string): number {
  const ms = Date.parse(updatedAt);
  return Number.isNaN(ms) ? 0 : ms;
}

/** An unreadable creation date is unknown, not 1970. */
function createdMs(createdAt: string | undefined): number | null {
  const ms = createdAt === undefined ? NaN : Date.parse(createdAt);
  return Number.isNaN(ms) ? null : ms;
}

/** The row of one race: its signature, where it was reported, and the frames as printed. */
function raceRow(issueId: number, repoId: number, { commentId, report, ...signature }: IndexedRace): Insertable<RacesTable> {
  return {
    issue_id: issueId,
    repo_id: repoId,
    fingerprint: storable(signature.fingerprint),
    partial: signature.partial ? 1 : 0,
    signature: JSON.stringify(signature),
    comment_id: commentId ?? null,
    report: report ? JSON.stringify(report) : null,
  };
}

/** PostgreSQL text cannot hold NUL: untrusted text is stored with U+FFFD in its place, on both backends. */
function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}
function storableOrNull(text: string | null): string | null {
  return text === null ? null : storable(text);
}

/** Repository names are compared lower-cased. */
function repoName(name: string): string {
  return storable(name.toLowerCase());
}

export function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += INSERT_CHUNK) out.push(items.slice(i, i + INSERT_CHUNK));
  return out;
}

type IssueRow = Selectable<IssuesTable> & { installation_id: number | string; name: string };

function toSummary(row: IssueRow): IssueSummary {
  return {
    installationId: Number(row.installation_id),
    repo: row.name,
    number: Number(row.number),
    title: row.title,
    state: row.state as IssueState,
    stateReason: row.state_reason,
    labels: JSON.parse(row.labels) as string[],
    fixingPr: row.fixing_pr === null ? null : Number(row.fixing_pr),
    private: Number(row.private) === 1,
    updatedAt: row.updated_at,
    ...(row.created_at === null ? {} : { createdAt: row.created_at }),
  };
}

/** The engine's match, as the comment explains it: frame keys instead of indexes. */
function explain(match: IssueMatch, query: RaceSignature[], other: RaceSignature[]): RaceMatchExplanation[] {
  return match.races
    .filter(({ match: m }) => m.score > 0)
    .map(({ a, b, match: m }) => ({
      race: a,
      oneSided: m.oneSided,
      sides: m.compared.map(({ a: side, b: otherSide, match: s }) => {
        const keys = query[a]!.sides[side]!.keys;
        const width = ([from, to]: [number, number]) => Math.max(0, to - from + 1);
        return {
          side,
          otherSide,
          same: s.pairs.filter((p) => p.how === 'same').map((p) => keys[p.a]!),
          renamed: s.pairs.filter((p) => p.how === 'renamed').map((p) => keys[p.a]!),
          compared: [width(s.comparedA), width(s.comparedB)] as [number, number],
          shown: [Math.min(keys.length, SIMILARITY_DEPTH), Math.min(other[b]!.sides[otherSide]!.keys.length, SIMILARITY_DEPTH)] as [number, number],
        };
      }),
    }));
}

export class KyselyRaceIndex implements RaceIndex {
  /** Repository ids never change once assigned, so they are cached for the process's life. */
  private readonly repoIds = new Map<string, number>();
  private closing: Promise<void> | undefined;

  constructor(private readonly db: Kysely<IndexTables>) {}

  upsertIssue(issue: IndexedIssue): Promise<void> {
    return this.upsertIssues([issue]);
  }

  /**
   * Many issues in one transaction, a few statements per `INSERT_CHUNK` issues: what backfill
   * and rebuilds use. Same rules as `upsertIssue`, issue by issue; within the batch the
   * newest version of an issue wins.
   */
  async upsertIssues(issues: IndexedIssue[], options: UpsertOptions = {}): Promise<void> {
    const newest = new Map<string, { repoId: number; issue: IndexedIssue }>();
    for (const issue of issues) {
      const repoId = await this.ensureRepo(issue.installationId, issue.repo);
      const key = `${repoId}:${issue.number}`;
      const seen = newest.get(key);
      if (!seen || updatedMs(seen.issue.updatedAt) <= updatedMs(issue.updatedAt)) newest.set(key, { repoId, issue });
    }
    // One lock order for every writer, so two PostgreSQL batches cannot deadlock each other.
    const ordered = [...newest.values()].sort((a, b) => a.repoId - b.repoId || a.issue.number - b.issue.number);
    if (ordered.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const batch of chunks(ordered)) await this.writeIssues(trx, batch, options.keepCommentRaces ?? false);
    });
  }

  async replaceCommentRaces(ref: IssueRef, commentId: number, races: IndexedRace[], updatedAt: string): Promise<boolean> {
    const repoId = await this.findRepo(ref.installationId, ref.repo);
    if (repoId === undefined) return false;
    return this.db.transaction().execute(async (trx) => {
      // A write first: on SQLite the transaction takes the write lock before reading anything.
      const touched = await trx
        .updateTable('issues')
        .set({ updated_at: storable(updatedAt), updated_ms: updatedMs(updatedAt) })
        .where('repo_id', '=', repoId)
        .where('number', '=', ref.number)
        .where('updated_ms', '<=', updatedMs(updatedAt))
        .returning('id')
        .executeTakeFirst();
      const issueId =
        touched?.id ??
        (await trx.selectFrom('issues').select('id').where('repo_id', '=', repoId).where('number', '=', ref.number).executeTakeFirst())?.id;
      if (issueId === undefined) return false;
      const id = Number(issueId);
      await trx.deleteFrom('races').where('issue_id', '=', id).where('comment_id', '=', commentId).execute();
      const rows = races.map((race) => raceRow(id, repoId, { ...race, commentId }));
      for (const chunk of chunks(rows)) await trx.insertInto('races').values(chunk).execute();
      await this.rebuildKeys(trx, repoId, [id]);
      return true;
    });
  }

  /** An issue's inverted-index rows, from all the races it holds now (its body's and its comments'). */
  private async rebuildKeys(trx: Transaction<IndexTables>, repoId: number, issueIds: number[]): Promise<void> {
    if (issueIds.length === 0) return;
    const stored = await trx.selectFrom('races').select(['issue_id', 'signature']).where('issue_id', 'in', issueIds).orderBy('id').execute();
    const byIssue = new Map<number, RaceSignature[]>();
    for (const row of stored) byIssue.set(Number(row.issue_id), [...(byIssue.get(Number(row.issue_id)) ?? []), JSON.parse(row.signature) as RaceSignature]);
    await trx.deleteFrom('race_keys').where('issue_id', 'in', issueIds).execute();
    const keys = issueIds.flatMap((id) => keyRows(repoId, id, byIssue.get(id) ?? []));
    for (const chunk of chunks(keys)) await trx.insertInto('race_keys').values(chunk).execute();
  }

  private async writeIssues(trx: Transaction<IndexTables>, batch: { repoId: number; issue: IndexedIssue }[], keepCommentRaces: boolean) {
    // A write first: on SQLite the transaction takes the write lock before reading anything.
    const written = await trx
      .insertInto('issues')
      .values(
        batch.map(({ repoId, issue }) => ({
          repo_id: repoId,
          number: issue.number,
          title: storable(issue.title),
          state: issue.state,
          state_reason: storableOrNull(issue.stateReason),
          labels: JSON.stringify(issue.labels),
          fixing_pr: issue.fixingPr,
          private: issue.private ? 1 : 0,
          updated_at: storable(issue.updatedAt),
          updated_ms: updatedMs(issue.updatedAt),
          created_at: issue.createdAt === undefined ? null : storable(issue.createdAt),
          created_ms: createdMs(issue.createdAt),
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['repo_id', 'number'])
          .doUpdateSet((eb) => ({
            title: eb.ref('excluded.title'),
            state: eb.ref('excluded.state'),
            state_reason: eb.ref('excluded.state_reason'),
            labels: eb.ref('excluded.labels'),
            fixing_pr: eb.ref('excluded.fixing_pr'),
            private: eb.ref('excluded.private'),
            updated_at: eb.ref('excluded.updated_at'),
            updated_ms: eb.ref('excluded.updated_ms'),
            // A write that does not know the creation time keeps the one stored.
            created_at: eb.fn.coalesce('excluded.created_at', 'issues.created_at'),
            created_ms: eb.fn.coalesce('excluded.created_ms', 'issues.created_ms'),
          }))
          // An older write than the stored one changes nothing and returns no row.
          .where('issues.updated_ms', '<=', (eb) => eb.ref('excluded.updated_ms')),
      )
      .returning(['id', 'repo_id', 'number'])
      .execute();
    if (written.length === 0) return;
    const ids = written.map((w) => Number(w.id));
    // Keeping comments' races (backfill reads bodies and comments apart), only the body's are replaced.
    await trx
      .deleteFrom('races')
      .where('issue_id', 'in', ids)
      .$if(keepCommentRaces, (q) => q.where('comment_id', 'is', null))
      .execute();
    if (!keepCommentRaces) await trx.deleteFrom('race_keys').where('issue_id', 'in', ids).execute();

    const byRef = new Map(batch.map((b) => [`${b.repoId}:${b.issue.number}`, b]));
    const races: Insertable<RacesTable>[] = [];
    const keys: Insertable<RaceKeysTable>[] = [];
    const engines = new Map<number, string>();
    const repoOf = new Map<number, number>();
    for (const w of written) {
      const { repoId, issue } = byRef.get(`${Number(w.repo_id)}:${Number(w.number)}`)!;
      const issueId = Number(w.id);
      repoOf.set(issueId, repoId);
      if (issue.engine) engines.set(repoId, JSON.stringify(issue.engine));
      for (const race of issue.races) races.push(raceRow(issueId, repoId, race));
      if (!keepCommentRaces) keys.push(...keyRows(repoId, issueId, issue.races));
    }
    for (const chunk of chunks(races)) await trx.insertInto('races').values(chunk).execute();
    for (const chunk of chunks(keys)) await trx.insertInto('race_keys').values(chunk).execute();
    if (keepCommentRaces) {
      for (const repoId of new Set(repoOf.values())) await this.rebuildKeys(trx, repoId, ids.filter((id) => repoOf.get(id) === repoId));
    }
    for (const [repoId, engine] of engines) await trx.updateTable('repos').set({ engine_options: engine }).where('id', '=', repoId).execute();
  }

  async removeIssue(ref: IssueRef): Promise<void> {
    const repoId = await this.findRepo(ref.installationId, ref.repo);
    if (repoId === undefined) return;
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('issues')
        .where('repo_id', '=', repoId)
        .where('number', '=', ref.number)
        .returning('id')
        .executeTakeFirst();
      if (removed === undefined) return;
      await trx.deleteFrom('race_keys').where('issue_id', '=', Number(removed.id)).execute();
      await trx.deleteFrom('races').where('issue_id', '=', Number(removed.id)).execute();
    });
  }

  async setState(ref: IssueRef, state: IssueState, stateReason: string | null, updatedAt: string): Promise<void> {
    const repoId = await this.findRepo(ref.installationId, ref.repo);
    if (repoId === undefined) return;
    const ms = updatedMs(updatedAt);
    await this.db
      .updateTable('issues')
      .set({ state, state_reason: storableOrNull(stateReason), updated_at: storable(updatedAt), updated_ms: ms })
      .where('repo_id', '=', repoId)
      .where('number', '=', ref.number)
      .where('updated_ms', '<=', ms)
      .execute();
  }

  async setLabels(ref: IssueRef, labels: readonly string[], updatedAt: string): Promise<void> {
    const repoId = await this.findRepo(ref.installationId, ref.repo);
    if (repoId === undefined) return;
    const ms = updatedMs(updatedAt);
    await this.db
      .updateTable('issues')
      .set({ labels: JSON.stringify(labels), updated_at: storable(updatedAt), updated_ms: ms })
      .where('repo_id', '=', repoId)
      .where('number', '=', ref.number)
      .where('updated_ms', '<=', ms)
      .execute();
  }

  async getIssue(ref: IssueRef): Promise<IndexedIssue | undefined> {
    const repoId = await this.findRepo(ref.installationId, ref.repo);
    if (repoId === undefined) return undefined;
    const row = await this.issueRows()
      .where('issues.repo_id', '=', repoId)
      .where('issues.number', '=', ref.number)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const races = await this.racesOf([Number(row.id)], { withReports: true });
    return { ...toSummary(row), races: races.get(Number(row.id)) ?? [] };
  }

  /** A repository's indexed issues by number, after `afterNumber`, with their stored frames: a page of its history. */
  async issuesPage(installationId: number, repo: string, afterNumber: number, limit: number): Promise<IndexedIssue[]> {
    const repoId = await this.findRepo(installationId, repo);
    if (repoId === undefined) return [];
    const rows = await this.issueRows()
      .where('issues.repo_id', '=', repoId)
      .where('issues.number', '>', afterNumber)
      .orderBy('issues.number')
      .limit(limit)
      .execute();
    const races = await this.racesOf(rows.map((row) => Number(row.id)), { withReports: true });
    return rows.map((row) => ({ ...toSummary(row), races: races.get(Number(row.id)) ?? [] }));
  }

  async candidates(query: CandidateQuery): Promise<Candidate[]> {
    if (query.races.length === 0 || query.limit <= 0) return [];
    const ownRepo = await this.findRepo(query.installationId, query.repo);
    const siblings = await Promise.all(
      (query.siblings ?? []).map((name) => this.findRepo(query.installationId, name)),
    );
    const repoIds = [...new Set([ownRepo, ...siblings].filter((id): id is number => id !== undefined))];
    if (repoIds.length === 0) return [];

    const [exactIds, { shared: sharedKeys, racesThrough }] = await Promise.all([
      this.exactMatches(repoIds, query.races),
      this.sharedKeys(repoIds, query.races),
    ]);
    // Exact matches always get scored; the rest by the weight of the keys they share (a rare
    // frame counts more than a hub), newest first on ties.
    const ranked = [...sharedKeys.entries()]
      .filter(([id]) => !exactIds.has(id))
      .sort((a, b) => b[1] - a[1] || b[0] - a[0])
      .map(([id]) => id);
    const pool = [...exactIds, ...ranked.slice(0, Math.max(SCORED_POOL, query.limit) + 1)];
    if (pool.length === 0) return [];

    const rows = await this.issueRows().where('issues.id', 'in', pool).execute();
    const visible = rows.filter((row) => {
      const own = Number(row.repo_id) === ownRepo;
      if (own && Number(row.number) === query.excludeNumber) return false;
      // A private repository's issues never show in another repository's results.
      return own || Number(row.private) === 0;
    });
    const racesById = await this.racesOf(visible.map((r) => Number(r.id)));

    const queryFingerprints = new Set(query.races.map((r) => r.fingerprint));
    const fullQuery = query.races.filter((r) => !r.partial).map((r) => r.fingerprint);
    // Explained only once returned: most scored candidates are not.
    const found: (Candidate & { deferred?: boolean; match?: IssueMatch })[] = [];
    for (const row of visible) {
      const races = racesById.get(Number(row.id)) ?? [];
      const shared = races.filter((r) => queryFingerprints.has(r.fingerprint));
      const sharedFingerprints = [...new Set(shared.map((r) => r.fingerprint))];
      const candidate = { issue: toSummary(row), score: 0, exact: shared.some((r) => !r.partial), sharedFingerprints, races };
      // Every race of the query shares a full fingerprint: the score is 1, and how it matched
      // is worked out only if the candidate is returned (a race filed fifty times costs one match).
      if (fullQuery.length === query.races.length && fullQuery.every((f) => races.some((r) => !r.partial && r.fingerprint === f))) {
        found.push({ ...candidate, score: 1, deferred: true });
        continue;
      }
      const match = matchIssues(query.races, races, racesThrough);
      if (match.score <= 0 && shared.length === 0) continue;
      found.push({ ...candidate, score: match.score, match });
    }
    found.sort(
      (a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score || a.issue.number - b.issue.number,
    );
    const returned: Candidate[] = found.slice(0, query.limit).map(({ deferred, match: scored, ...c }) => {
      if (scored) return { ...c, explanation: explain(scored, query.races, c.races) };
      if (!deferred) return c;
      const match = matchIssues(query.races, c.races, racesThrough);
      // Equal fingerprints of two statements of one build are not the same race.
      const exact = match.races.every((r) => r.match.exact);
      return { ...c, score: match.score, exact: c.exact && exact, explanation: explain(match, query.races, c.races) };
    });
    return returned.sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score || a.issue.number - b.issue.number);
  }

  /** Safe to call more than once (shutdown hooks often do). */
  close(): Promise<void> {
    this.closing ??= this.db.destroy();
    return this.closing;
  }

  /** Issues holding one of the query's fingerprints, the newest `EXACT_PER_FINGERPRINT` of each. */
  private async exactMatches(repoIds: number[], races: RaceSignature[]): Promise<Set<number>> {
    const fingerprints = [...new Set(races.map((r) => storable(r.fingerprint)))].slice(0, MAX_QUERY_KEYS);
    const ids = await this.newestIssues(
      repoIds.flatMap((repoId) =>
        fingerprints.map((fingerprint) =>
          this.db
            .selectFrom('races')
            .select('issue_id')
            .where('repo_id', '=', repoId)
            .where('fingerprint', '=', fingerprint)
            .orderBy('issue_id', 'desc')
            .limit(EXACT_PER_FINGERPRINT),
        ),
      ),
    );
    return new Set(ids.sort((a, b) => b - a).slice(0, EXACT_CAP));
  }

  /**
   * Issue id -> the weight of the query's index keys it shares (newest `ISSUES_PER_KEY` issues
   * per key), each key weighed by how many different races pass through it, counted from the
   * same rows' contexts; and that count, so the scoring weighs common frames less.
   */
  private async sharedKeys(repoIds: number[], races: RaceSignature[]): Promise<{ shared: Map<number, number>; racesThrough: MatchContext }> {
    // The query's own contexts count too: a race seen once is one race through its frames.
    const keyOf = new Map<number, string[]>();
    const contexts = new Map<string, Set<number>>();
    for (const sig of races) {
      for (const [key, context] of keyContexts(sig)) {
        const hash = keyHash(key);
        if (!keyOf.get(hash)?.includes(key)) keyOf.set(hash, [...(keyOf.get(hash) ?? []), key]);
        const seen = contexts.get(key) ?? new Set<number>();
        if (context !== undefined) seen.add(keyHash(context));
        contexts.set(key, seen);
      }
    }
    const hashes = [...keyOf.keys()].slice(0, MAX_QUERY_KEYS);
    const rows = await this.keyRows(
      repoIds.flatMap((repoId) =>
        hashes.map((hash) =>
          this.db
            .selectFrom('race_keys')
            .select(['issue_id', 'context', 'key_hash'])
            .where('repo_id', '=', repoId)
            .where('key_hash', '=', hash)
            .orderBy('issue_id', 'desc')
            .limit(ISSUES_PER_KEY),
        ),
      ),
    );
    for (const row of rows) {
      if (row.context === null) continue;
      for (const key of keyOf.get(row.keyHash) ?? []) contexts.get(key)!.add(row.context);
    }
    const racesThrough = (key: string) => Math.max(1, contexts.get(key)?.size ?? 1);
    const keyWeight = new Map([...keyOf].map(([hash, keys]) => [hash, Math.max(...keys.map((k) => commonnessWeight(racesThrough(k))))]));
    const shared = new Map<number, number>();
    for (const row of rows) shared.set(row.issueId, (shared.get(row.issueId) ?? 0) + keyWeight.get(row.keyHash)!);
    return { shared, racesThrough: { racesThrough } };
  }

  /**
   * Runs the lookups (each an index range read backwards, newest first, with a limit) as
   * `UNION ALL`s of at most MAX_QUERY_KEYS terms: one round trip, and SQLite's 500-term
   * limit on compound selects is never reached. Returns every issue id found, repeats kept.
   */
  private async newestIssues(lookups: SelectQueryBuilder<IndexTables, 'races' | 'race_keys', { issue_id: number }>[]): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < lookups.length; i += MAX_QUERY_KEYS) {
      // Each term is wrapped as a subquery: a LIMIT inside a compound select needs it.
      const [first, ...rest] = lookups.slice(i, i + MAX_QUERY_KEYS).map((q) => this.db.selectFrom(q.as('t')).select('t.issue_id'));
      const rows = await rest.reduce((q, next) => q.unionAll(next), first!).execute();
      for (const row of rows) ids.push(Number(row.issue_id));
    }
    return ids;
  }

  /** `newestIssues` for inverted-index rows, which carry the key and its context along. */
  private async keyRows(
    lookups: SelectQueryBuilder<IndexTables, 'race_keys', { issue_id: number; context: number | null; key_hash: number }>[],
  ): Promise<{ issueId: number; context: number | null; keyHash: number }[]> {
    const found: { issueId: number; context: number | null; keyHash: number }[] = [];
    for (let i = 0; i < lookups.length; i += MAX_QUERY_KEYS) {
      const [first, ...rest] = lookups
        .slice(i, i + MAX_QUERY_KEYS)
        .map((q) => this.db.selectFrom(q.as('t')).select(['t.issue_id', 't.context', 't.key_hash']));
      const rows = await rest.reduce((q, next) => q.unionAll(next), first!).execute();
      for (const row of rows) {
        found.push({ issueId: Number(row.issue_id), context: row.context === null ? null : Number(row.context), keyHash: Number(row.key_hash) });
      }
    }
    return found;
  }

  private issueRows() {
    return this.db
      .selectFrom('issues')
      .innerJoin('repos', 'repos.id', 'issues.repo_id')
      .selectAll('issues')
      .select(['repos.installation_id', 'repos.name']);
  }

  private async racesOf(issueIds: number[], { withReports = false } = {}): Promise<Map<number, IndexedRace[]>> {
    const byIssue = new Map<number, IndexedRace[]>();
    if (issueIds.length === 0) return byIssue;
    const rows = await this.db
      .selectFrom('races')
      .select(['issue_id', 'signature', 'comment_id'])
      .$if(withReports, (q) => q.select('report'))
      .where('issue_id', 'in', issueIds)
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const id = Number(row.issue_id);
      const list = byIssue.get(id) ?? [];
      const report = (row as { report?: string | null }).report;
      list.push({
        ...(JSON.parse(row.signature) as RaceSignature),
        ...(row.comment_id === null ? {} : { commentId: Number(row.comment_id) }),
        ...(report ? { report: JSON.parse(report) } : {}),
      });
      byIssue.set(id, list);
    }
    return byIssue;
  }

  private async findRepo(installationId: number, name: string): Promise<number | undefined> {
    const cacheKey = `${installationId}\n${repoName(name)}`;
    const cached = this.repoIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const row = await this.db
      .selectFrom('repos')
      .select('id')
      .where('installation_id', '=', installationId)
      .where('name', '=', repoName(name))
      .executeTakeFirst();
    if (row !== undefined) this.repoIds.set(cacheKey, Number(row.id));
    return row === undefined ? undefined : Number(row.id);
  }

  private async ensureRepo(installationId: number, name: string): Promise<number> {
    const found = await this.findRepo(installationId, name);
    if (found !== undefined) return found;
    await this.db
      .insertInto('repos')
      .values({ installation_id: installationId, name: repoName(name) })
      .onConflict((oc) => oc.columns(['installation_id', 'name']).doNothing())
      .execute();
    const id = await this.findRepo(installationId, name);
    if (id === undefined) throw new Error(`repository ${name} vanished while being registered`);
    return id;
  }
}
