/**
 * The schema's history, oldest first. Applied at start-up by `migrate.ts`, on both backends.
 *
 * To change the schema, append one entry here and nothing else: a new `name` (next number,
 * zero-padded, then a word) and an `up` built with Kysely's schema builder. Never edit or
 * reorder an entry that has shipped: databases remember which names ran. A binary that meets
 * a name it does not know refuses to start (the schema is newer than the binary).
 * The tables' row types live in the store too (`schema.ts`, `job-tables.ts`, `bot-state.ts`,
 * `ownership-history.ts`, `issue-pairs.ts`, `bot-replies.ts`).
 */
import { sql, type Kysely } from 'kysely';
import { createBotRepliesTable } from './bot-replies.js';
import { createBotStateTable } from './bot-state.js';
import { createIssuePairsTables } from './issue-pairs.js';
import { addJobScheduling, createJobTables } from './job-tables.js';
import { createOwnershipHistoryTable } from './ownership-history.js';

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
  {
    // Races reported in comments, the printed frames (for signing races again), the engine
    // options they were signed with, and each inverted-index row's context in its race.
    name: '0003_race_sources',
    async up(db) {
      await db.schema.alterTable('races').addColumn('comment_id', 'bigint').execute();
      await db.schema.alterTable('races').addColumn('report', 'text').execute();
      await db.schema.alterTable('repos').addColumn('engine_options', 'text').execute();
      await db.schema.alterTable('race_keys').addColumn('context', 'bigint').execute();
    },
  },
  // When each issue was filed and when its fix was merged, for the race dashboard (src/dashboard).
  {
    name: '0004_issue_dates',
    async up(db) {
      await db.schema.alterTable('issues').addColumn('created_at', 'text').execute();
      await db.schema.alterTable('issues').addColumn('created_ms', 'bigint').execute();
      await db.schema.alterTable('issues').addColumn('fixed_at', 'text').execute();
    },
  },
  {
    // Facts about the index as a whole: which engine version signed its races.
    name: '0005_index_meta',
    async up(db) {
      await db.schema
        .createTable('index_meta')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  // Each issue's packages, labels and filing time, for learned ownership (ownership-history.ts).
  { name: '0006_ownership_history', up: (db) => createOwnershipHistoryTable(db) },
  // What the bot did on each issue: its labels, the labels people removed, its comment.
  { name: '0007_bot_state', up: createBotStateTable },
  // Job priority and folding, the shared spacing of GitHub writes, the scan of failed deliveries.
  { name: '0008_job_scheduling', up: addJobScheduling },
  {
    // Backfill reads the repository's comments after its issues, for races pasted in comments.
    name: '0009_backfill_comments',
    async up(db) {
      await db.schema.alterTable('backfill_checkpoints').addColumn('comments_page', 'integer').execute();
    },
  },
  {
    // What maintainers and the history taught about pairs of issues, the fixes merged, the bot's command
    // replies, and backfill's page of merged pull requests.
    name: '0010_issue_pairs',
    async up(db) {
      await createIssuePairsTables(db);
      await createBotRepliesTable(db);
      await db.schema.alterTable('backfill_checkpoints').addColumn('pulls_page', 'integer').execute();
    },
  },
];
