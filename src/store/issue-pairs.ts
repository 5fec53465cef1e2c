/**
 * What maintainers and the repository's history taught the bot about pairs of issues
 * (`/race dup`, `/race not-dup`, issues closed as duplicates, pull requests that fixed several
 * issues), and which merged pull request closed which issue. Kept by issue number, never by
 * fingerprint, so every decision survives a new signature version and any re-signing.
 *
 * A pair is either confirmed the same or confirmed different, never both: recording one kind
 * drops the other for the two issues, in either direction.
 */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { IssueFix, IssuePair, PairKind, PairSource } from '../triage/types.js';
import type { IssueRef } from './types.js';

export type { IssueFix, IssuePair, PairKind, PairSource };

/** A repository of an installation. */
export type RepoRef = Omit<IssueRef, 'number'>;

export interface IssuePairsTable {
  installation_id: number;
  /** `owner/name`, lower-cased. */
  repo: string;
  issue: number;
  other: number;
  kind: string;
  /** `command`, `closed-as-duplicate` or `pull-request`. */
  source: string;
  /** Who ran the command or closed the issue. */
  source_user: string | null;
  /** The pull request of a `same-fix` pair. */
  source_pr: number | null;
  /** ISO 8601. */
  recorded_at: string;
}

export interface IssueFixesTable {
  installation_id: number;
  repo: string;
  issue: number;
  pr: number;
  merged_at: string;
}

export type IssuePairsDatabase = { issue_pairs: IssuePairsTable; issue_fixes: IssueFixesTable };

/** Migration: the `issue_pairs` and `issue_fixes` tables. */
export async function createIssuePairsTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('issue_pairs')
    .addColumn('installation_id', 'bigint', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('issue', 'integer', (c) => c.notNull())
    .addColumn('other', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_user', 'text')
    .addColumn('source_pr', 'integer')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('issue_pairs_pk', ['installation_id', 'repo', 'issue', 'other', 'kind'])
    .execute();
  await db.schema.createIndex('issue_pairs_other').on('issue_pairs').columns(['installation_id', 'repo', 'other']).execute();
  await db.schema
    .createTable('issue_fixes')
    .addColumn('installation_id', 'bigint', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('issue', 'integer', (c) => c.notNull())
    .addColumn('pr', 'integer', (c) => c.notNull())
    .addColumn('merged_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('issue_fixes_pk', ['installation_id', 'repo', 'issue', 'pr'])
    .execute();
}

/** Most issue numbers one query names (well under both backends' parameter limits). */
const MAX_NUMBERS = 500;

export class IssuePairs {
  readonly #db: Kysely<IssuePairsDatabase>;

  constructor(db: Kysely<IssuePairsDatabase>) {
    this.#db = db;
  }

  /**
   * Records a pair. `replace`: a person's command wins over what was recorded before (its
   * source and time are updated); a signal read from history (`replace: false`) never
   * overwrites a pair already known, nor a person's opposite decision.
   */
  async record(repo: RepoRef, pair: IssuePair, { replace }: { replace: boolean }): Promise<void> {
    const [issue, other] = pair.kind === 'same-fix' ? [Math.min(pair.issue, pair.other), Math.max(pair.issue, pair.other)] : [pair.issue, pair.other];
    if (issue === other) return;
    const values = {
      installation_id: repo.installationId,
      repo: repo.repo.toLowerCase(),
      issue,
      other,
      kind: pair.kind,
      source: pair.source.kind,
      source_user: pair.source.kind === 'pull-request' ? null : (pair.source.user ?? null),
      source_pr: pair.source.kind === 'pull-request' ? pair.source.number : null,
      recorded_at: pair.at,
    };
    await this.#db.transaction().execute(async (tx) => {
      const opposite = oppositeOf(pair.kind);
      if (opposite) {
        // The opposite decision about these two issues, recorded either way round.
        const between = (eb: ExpressionBuilder<IssuePairsDatabase, 'issue_pairs'>) =>
          eb.and([
            eb('installation_id', '=', repo.installationId),
            eb('repo', '=', values.repo),
            eb('kind', '=', opposite),
            eb.or([eb.and([eb('issue', '=', issue), eb('other', '=', other)]), eb.and([eb('issue', '=', other), eb('other', '=', issue)])]),
          ]);
        const known = tx
          .selectFrom('issue_pairs')
          .select('kind')
          .where(between);
        if (!replace && (await known.executeTakeFirst())) return;
        await tx.deleteFrom('issue_pairs').where(between).execute();
      }
      await tx
        .insertInto('issue_pairs')
        .values(values)
        .onConflict((oc) => {
          const on = oc.columns(['installation_id', 'repo', 'issue', 'other', 'kind']);
          return replace ? on.doUpdateSet({ source: values.source, source_user: values.source_user, source_pr: values.source_pr, recorded_at: values.recorded_at }) : on.doNothing();
        })
        .execute();
    });
  }

  /** Forgets every confirmed duplicate of an issue, either way (`/race undup`). Returns how many. */
  async forgetConfirmed(ref: IssueRef): Promise<number> {
    const result = await this.#db
      .deleteFrom('issue_pairs')
      .where('installation_id', '=', ref.installationId)
      .where('repo', '=', ref.repo.toLowerCase())
      .where('kind', '=', 'confirmed-dup')
      .where((eb) => eb.or([eb('issue', '=', ref.number), eb('other', '=', ref.number)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }

  /** Every pair one of `numbers` is in, either side. */
  async touching(repo: RepoRef, numbers: readonly number[]): Promise<IssuePair[]> {
    const wanted = [...new Set(numbers)].slice(0, MAX_NUMBERS);
    if (wanted.length === 0) return [];
    return this.#list(repo, (eb) => eb.or([eb('issue', 'in', wanted), eb('other', 'in', wanted)]));
  }

  /** Every pair of a repository (what `race-triage eval --index` scores against). */
  async ofRepository(repo: RepoRef): Promise<IssuePair[]> {
    return this.#list(repo, (eb) => eb.lit(true));
  }

  async #list(repo: RepoRef, which: (eb: ExpressionBuilder<IssuePairsDatabase, 'issue_pairs'>) => Expression<SqlBool>): Promise<IssuePair[]> {
    const rows = await this.#db
      .selectFrom('issue_pairs')
      .selectAll()
      .where('installation_id', '=', repo.installationId)
      .where('repo', '=', repo.repo.toLowerCase())
      .where(which)
      .orderBy('recorded_at')
      .orderBy('issue')
      .orderBy('other')
      .execute();
    return rows.map((row) => ({
      issue: Number(row.issue),
      other: Number(row.other),
      kind: row.kind as PairKind,
      source: sourceOf(row),
      at: row.recorded_at,
    }));
  }

  /** Records that a merged pull request closed an issue (a redelivery changes nothing). */
  async recordFix(repo: RepoRef, fix: IssueFix): Promise<void> {
    await this.#db
      .insertInto('issue_fixes')
      .values({ installation_id: repo.installationId, repo: repo.repo.toLowerCase(), issue: fix.issue, pr: fix.pr, merged_at: fix.mergedAt })
      .onConflict((oc) => oc.columns(['installation_id', 'repo', 'issue', 'pr']).doUpdateSet({ merged_at: fix.mergedAt }))
      .execute();
  }

  /** The merged pull requests that closed any of `numbers`, earliest merge first. */
  async fixes(repo: RepoRef, numbers: readonly number[]): Promise<IssueFix[]> {
    const wanted = [...new Set(numbers)].slice(0, MAX_NUMBERS);
    if (wanted.length === 0) return [];
    const rows = await this.#db
      .selectFrom('issue_fixes')
      .select(['issue', 'pr', 'merged_at'])
      .where('installation_id', '=', repo.installationId)
      .where('repo', '=', repo.repo.toLowerCase())
      .where('issue', 'in', wanted)
      .orderBy('merged_at')
      .orderBy('pr')
      .execute();
    return rows.map((row) => ({ issue: Number(row.issue), pr: Number(row.pr), mergedAt: row.merged_at }));
  }
}

function oppositeOf(kind: PairKind): PairKind | undefined {
  return kind === 'confirmed-dup' ? 'not-dup' : kind === 'not-dup' ? 'confirmed-dup' : undefined;
}

function sourceOf(row: Pick<IssuePairsTable, 'source' | 'source_user' | 'source_pr'>): PairSource {
  if (row.source === 'pull-request') return { kind: 'pull-request', number: Number(row.source_pr) };
  if (row.source === 'command') return { kind: 'command', user: row.source_user ?? 'someone' };
  return { kind: 'closed-as-duplicate', ...(row.source_user ? { user: row.source_user } : {}) };
}
