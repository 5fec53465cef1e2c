/**
 * Schema of the job queue and the backfill checkpoints, applied by the store's migration
 * list (`src/store/migrations.ts`). Portable; only the auto-incrementing id differs.
 */
import type { Kysely } from 'kysely';

export async function createJobTables(db: Kysely<any>, backend: 'sqlite' | 'postgres'): Promise<void> {
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
