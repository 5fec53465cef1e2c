/**
 * The tables the app keeps next to the race index: the webhook job queue, the backfill
 * checkpoints, the per-installation spacing of GitHub writes and the scan of failed webhook
 * deliveries. The store owns their schema (migrations and row types); `src/github/jobs`
 * queries them through `Kysely<JobsDatabase>`. Times are epoch milliseconds.
 */
import type { Generated, Kysely } from 'kysely';
import type { Backend } from './migrations.js';

/** `pending` waits to run (maybe after a retry delay); `running` holds a lease; `done` and `failed` are final. */
export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Generated<number>;
  /** `X-GitHub-Delivery`: unique, so a redelivery is recorded once. */
  delivery_id: string;
  event: string;
  action: string | null;
  installation_id: number | null;
  /** `owner/name`, lower-cased. */
  repo: string | null;
  issue_number: number | null;
  /** `installation/repo#number` (or a backfill's repository): jobs with the same key run one at a time, in arrival order. */
  issue_key: string | null;
  /** The webhook body exactly as GitHub signed it (JSON text). */
  payload: string;
  state: JobState;
  attempts: number;
  /** Not claimed before this time (retry backoff). */
  run_after: number;
  /** While `running`: the claim expires at this time, so a killed worker's job comes back. */
  lease_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** Lower runs first among claimable jobs: issue events 0, commands 1, backfill 2. */
  priority: Generated<number>;
  /** Pending jobs with the same fold key are done by one run (a burst of `/retriage` on one issue). */
  fold_key: string | null;
}

export interface BackfillCheckpointsTable {
  installation_id: number;
  repo: string;
  /** Next page of `GET /repos/{owner}/{repo}/issues` to read; null once the run finished. */
  next_page: number | null;
  /** Only issues updated at or after this ISO time are read (set when a full run finishes). */
  since: string | null;
  /** When the current run started, ISO: becomes `since` once it finishes. */
  run_started_at: string | null;
  /** Issues (with races) written to the index in the current run. */
  indexed: number;
  updated_at: number;
  /** Next page of the repository's comment listing, once the issues are read; null otherwise. */
  comments_page: number | null;
  /** Next page of the pull-request listing (backfill reads merged pull requests last). */
  pulls_page: number | null;
}

/** GitHub asks for about a second between content writes of one installation; every replica reads this row. */
export interface WriteSlotsTable {
  installation_id: number;
  /** The earliest time the next write may be sent. */
  next_at: number;
}

/** One row: when the failed webhook deliveries were last looked for, so one replica scans at a time. */
export interface DeliveryScanTable {
  name: string;
  scanned_at: number;
}

// A type alias, not an interface, so Kysely's `withTables<JobsDatabase>()` accepts it.
export type JobsDatabase = {
  jobs: JobsTable;
  backfill_checkpoints: BackfillCheckpointsTable;
  write_slots: WriteSlotsTable;
  delivery_scan: DeliveryScanTable;
};

/** Migration 0002: the job queue and the backfill checkpoints. Portable; only the auto-incrementing id differs. */
export async function createJobTables(db: Kysely<any>, backend: Backend): Promise<void> {
  const postgres = backend === 'postgres';
  await db.schema
    .createTable('jobs')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('delivery_id', 'text', (c) => c.notNull().unique())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('installation_id', 'bigint')
    .addColumn('repo', 'text')
    .addColumn('issue_number', 'integer')
    .addColumn('issue_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_state_run_after').on('jobs').columns(['state', 'run_after']).execute();
  await db.schema.createIndex('jobs_issue_key_id').on('jobs').columns(['issue_key', 'id']).execute();

  await db.schema
    .createTable('backfill_checkpoints')
    .addColumn('installation_id', 'bigint', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('next_page', 'integer')
    .addColumn('since', 'text')
    .addColumn('run_started_at', 'text')
    .addColumn('indexed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('backfill_checkpoints_pk', ['installation_id', 'repo'])
    .execute();
}

/** Migration: job priority and folding, the shared write spacing, and the delivery scan. */
export async function addJobScheduling(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('jobs').addColumn('fold_key', 'text').execute();
  await db.schema.createIndex('jobs_fold_key').on('jobs').columns(['fold_key', 'state']).execute();
  await db.schema
    .createTable('write_slots')
    .addColumn('installation_id', 'bigint', (c) => c.primaryKey())
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('delivery_scan')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('scanned_at', 'bigint', (c) => c.notNull())
    .execute();
}
