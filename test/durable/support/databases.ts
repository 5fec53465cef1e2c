/**
 * Real databases for the durable tests: a SQLite file in a temp dir, or a private schema
 * in the shared PostgreSQL (dropped afterwards), both with the jobs schema applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { up } from '../../../src/github/jobs/migration.js';
import type { JobsDatabase } from '../../../src/github/jobs/types.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  db: Kysely<JobsDatabase>;
  /** Another connection to the same database, as a second replica would have. */
  open(): Kysely<JobsDatabase>;
  destroy(): Promise<void>;
}

export async function sqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-durable-'));
  const file = join(dir, 'index.sqlite');
  const opened: Kysely<JobsDatabase>[] = [];
  const open = () => {
    const connection = new Database(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('busy_timeout = 5000');
    const db = new Kysely<JobsDatabase>({ dialect: new SqliteDialect({ database: connection }) });
    opened.push(db);
    return db;
  };
  const db = open();
  await up(db);
  return {
    kind: 'sqlite',
    db,
    open,
    async destroy() {
      await Promise.all(opened.map((d) => d.destroy()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const schema = `durable_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const opened: Kysely<JobsDatabase>[] = [];
  const open = () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}`, max: 4 });
    // A connection ended under a test (pg_terminate_backend) must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<JobsDatabase>({ dialect: new PostgresDialect({ pool }) });
    opened.push(db);
    return db;
  };
  const db = open();
  await up(db);
  return {
    kind: 'postgres',
    db,
    open,
    async destroy() {
      await Promise.all(opened.map((d) => d.destroy()));
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

export const databases: [string, () => Promise<TestDatabase>][] = [
  ['SQLite', sqliteDatabase],
  ['PostgreSQL', postgresDatabase],
];
