/**
 * The ownership history: per repository, each issue's packages (from its races or its stack
 * trace), its labels and its filing time, which learned ownership (src/triage/ownership.ts)
 * reads. Non-race issues with a Go stack trace are kept too. Like the race index it is a
 * cache of GitHub: a backfill rebuilds it. Writes follow GitHub's `updated_at`, so a
 * redelivered or reordered event cannot roll labels back.
 */
import type { Kysely } from 'kysely';
import type { PackageWeight } from '../triage/ownership-evidence.js';
import type { OwnershipRecord } from '../triage/ownership.js';
import type { IssueRef } from './types.js';

export interface OwnershipHistoryTable {
  installation_id: number;
  /** `owner/name`, lower-cased. */
  repo: string;
  number: number;
  /** When the issue was filed (GitHub's `created_at`), as received. */
  filed_at: string;
  /** JSON array of `PackageWeight`. */
  packages: string;
  /** JSON array of label names. */
  labels: string;
  /** GitHub's `updated_at` in epoch milliseconds: the newest write wins. */
  updated_ms: number;
}

// A type alias, not an interface, so Kysely's `withTables<OwnershipTables>()` accepts it.
export type OwnershipTables = {
  ownership_history: OwnershipHistoryTable;
};

/** One issue as the history stores it. */
export interface OwnershipEntry extends OwnershipRecord, IssueRef {
  /** GitHub's `updated_at`: an older write than the stored one changes nothing. */
  updatedAt: string;
}

/** Issues read per repository at most, the newest: enough for any team history, bounded for any repository. */
export const HISTORY_LIMIT = 20_000;
/** Rows per INSERT, well under both backends' bind-parameter limits (7 columns). */
const INSERT_CHUNK = 500;

const ms = (iso: string) => {
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? 0 : parsed;
};
/** PostgreSQL text cannot hold NUL: stored with U+FFFD in its place, on both backends (JSON escapes it anyway). */
const storable = (text: string) => text.replaceAll('\u0000', '\uFFFD');
const repoName = (repo: string) => storable(repo.toLowerCase());

export class OwnershipHistory {
  constructor(private readonly db: Kysely<OwnershipTables>) {}

  /** Insert or replace issues, in one transaction; within the batch and against the store, the newest `updatedAt` wins. */
  async record(entries: readonly OwnershipEntry[]): Promise<void> {
    const newest = new Map<string, OwnershipEntry>();
    for (const entry of entries) {
      const key = `${entry.installationId}\n${repoName(entry.repo)}\n${entry.number}`;
      const seen = newest.get(key);
      if (!seen || ms(seen.updatedAt) <= ms(entry.updatedAt)) newest.set(key, entry);
    }
    // One lock order for every writer, so two PostgreSQL batches cannot deadlock each other.
    const rows = [...newest.values()]
      .sort((a, b) => a.installationId - b.installationId || repoName(a.repo).localeCompare(repoName(b.repo)) || a.number - b.number)
      .map((e) => ({
        installation_id: e.installationId,
        repo: repoName(e.repo),
        number: e.number,
        filed_at: storable(e.filedAt),
        packages: JSON.stringify(e.packages),
        labels: JSON.stringify(e.labels),
        updated_ms: ms(e.updatedAt),
      }));
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('ownership_history')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) =>
            oc
              .columns(['installation_id', 'repo', 'number'])
              .doUpdateSet((eb) => ({
                filed_at: eb.ref('excluded.filed_at'),
                packages: eb.ref('excluded.packages'),
                labels: eb.ref('excluded.labels'),
                updated_ms: eb.ref('excluded.updated_ms'),
              }))
              .where('ownership_history.updated_ms', '<=', (eb) => eb.ref('excluded.updated_ms')),
          )
          .execute();
      }
    });
  }

  /** The labels an `issues.labeled` / `issues.unlabeled` event leaves. An issue the history does not hold stays absent. */
  async setLabels(ref: IssueRef, labels: readonly string[], updatedAt: string): Promise<void> {
    const at = ms(updatedAt);
    await this.db
      .updateTable('ownership_history')
      .set({ labels: JSON.stringify(labels), updated_ms: at })
      .where('installation_id', '=', ref.installationId)
      .where('repo', '=', repoName(ref.repo))
      .where('number', '=', ref.number)
      .where('updated_ms', '<=', at)
      .execute();
  }

  /** Forget an issue (deleted, transferred, or no longer showing a race or a stack). */
  async remove(ref: IssueRef): Promise<void> {
    await this.db
      .deleteFrom('ownership_history')
      .where('installation_id', '=', ref.installationId)
      .where('repo', '=', repoName(ref.repo))
      .where('number', '=', ref.number)
      .execute();
  }

  /** The repository's history in filing order: its newest `limit` issues. */
  async list(installationId: number, repo: string, limit = HISTORY_LIMIT): Promise<OwnershipRecord[]> {
    const rows = await this.db
      .selectFrom('ownership_history')
      .select(['number', 'filed_at', 'packages', 'labels'])
      .where('installation_id', '=', installationId)
      .where('repo', '=', repoName(repo))
      .orderBy('number', 'desc')
      .limit(Math.max(0, limit))
      .execute();
    return rows.reverse().map((row) => ({
      number: Number(row.number),
      filedAt: row.filed_at,
      packages: JSON.parse(row.packages) as PackageWeight[],
      labels: JSON.parse(row.labels) as string[],
    }));
  }
}

/** The table, for `src/store/migrations.ts`. */
export async function createOwnershipHistoryTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ownership_history')
    .addColumn('installation_id', 'bigint', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('filed_at', 'text', (c) => c.notNull())
    .addColumn('packages', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    // The primary key is the read path: (installation, repository) -> issues by number.
    .addPrimaryKeyConstraint('ownership_history_pk', ['installation_id', 'repo', 'number'])
    .execute();
}
