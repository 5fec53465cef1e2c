/**
 * The schema's history, oldest first. Applied at start-up by `migrate.ts`, on both backends.
 *
 * To change the schema, append one entry here and nothing else: a new `name` (next number,
 * zero-padded, then a word) and an `up` built with Kysely's schema builder. Never edit or
 * reorder an entry that has shipped: databases remember which names ran. A binary that meets
 * a name it does not know refuses to start (the schema is newer than the binary).
 * The tables' row types live in the store too (`schema.ts`, `job-tables.ts`, `bot-state.ts`).
 */
import { sql, type Kysely } from 'kysely';
import { createBotStateTable } from './bot-state.js';
import { addJobScheduling, createJobTables } from './job-tables.js';

export type Backend = 'sqlite' | 'postgres';

export interface SchemaMigration {
  name: string;
  // `Kysely<any>`: a migration sees the schema as it was then, not today's typed tables.
  up(db: Kysely<any>, backend: Backend): Promise<void>;
}

/** An auto-numbered integer primary key on either backend. */
function idColumn(backend: Backend) {
  return backend === 'postgres' ? ('serial' as const) : ('integer' as const);
}

export const migrations: SchemaMigration[] = [
  {
    name: '0001_race_index',
    async up(db, backend) {
      await db.schema
        .createTable('repos')
        .addColumn('id', idColumn(backend), (c) => c.primaryKey())
        .addColumn('installation_id', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addUniqueConstraint('repos_installation_name', ['installation_id', 'name'])
        .execute();

      await db.schema
        .createTable('issues')
        .addColumn('id', idColumn(backend), (c) => c.primaryKey())
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id'))
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text')
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('fixing_pr', 'integer')
        .addColumn('private', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('issues_repo_number', ['repo_id', 'number'])
        .execute();

      await db.schema
        .createTable('races')
        .addColumn('id', idColumn(backend), (c) => c.primaryKey())
        .addColumn('issue_id', 'integer', (c) => c.notNull())
        .addColumn('repo_id', 'integer', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('partial', 'integer', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('races_issue').on('races').column('issue_id').execute();
      await db.schema
        .createIndex('races_repo_fingerprint')
        .on('races')
        .columns(['repo_id', 'fingerprint', 'issue_id'])
        .execute();

      // The primary key is the lookup path: (repo, key) -> newest issues first.
      let raceKeys = db.schema
        .createTable('race_keys')
        .addColumn('repo_id', 'integer', (c) => c.notNull())
        .addColumn('key_hash', 'bigint', (c) => c.notNull())
        .addColumn('issue_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('race_keys_pk', ['repo_id', 'key_hash', 'issue_id']);
      if (backend === 'sqlite') raceKeys = raceKeys.modifyEnd(sql`without rowid`);
      await raceKeys.execute();
      await db.schema.createIndex('race_keys_issue').on('race_keys').column('issue_id').execute();
    },
  },
  // The webhook job queue and backfill checkpoints (src/github/jobs).
  { name: '0002_jobs', up: createJobTables },
  // What the bot did on each issue: its labels, the labels people removed, its comment.
  { name: '0003_bot_state', up: createBotStateTable },
  // Job priority and folding, the shared spacing of GitHub writes, the scan of failed deliveries.
  { name: '0004_job_scheduling', up: addJobScheduling },
];
