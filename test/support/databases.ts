/**
 * Real databases for the durable tests, opened the way the app opens them: a SQLite file in
 * a temp dir, or a private schema in the shared PostgreSQL (dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { KyselyRaceIndex, openDatabase, type IndexDatabase, type JobsDatabase, type RaceIndex } from '../../src/store/index.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  db: Kysely<JobsDatabase>;
  /** The database as the app opens it, for `startServer`. */
  opened: IndexDatabase;
  index: RaceIndex;
  /** The PostgreSQL schema holding the tables; undefined on SQLite. */
  schema?: string;
  /** Another connection to the same database, as a second replica would have. */
  open(): Promise<Kysely<JobsDatabase>>;
  destroy(): Promise<void>;
}

async function testDatabase(kind: TestDatabase['kind'], options: Parameters<typeof openDatabase>[0], cleanup: () => Promise<void>): Promise<TestDatabase> {
  const all: IndexDatabase[] = [];
  const open = async () => {
    const opened = await openDatabase(options);
    all.push(opened);
    return opened.db.withTables<JobsDatabase>();
  };
  const db = await open();
  return {
    kind,
    db,
    opened: all[0]!,
    index: new KyselyRaceIndex(all[0]!.db),
    ...(options?.pgSchema ? { schema: options.pgSchema } : {}),
    open,
    async destroy() {
      await Promise.all(all.map((d) => d.db.destroy()));
      await cleanup();
    },
  };
}

export function sqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-durable-'));
  const sqlitePath = join(dir, 'race-triage.sqlite');
  return testDatabase('sqlite', { sqlitePath }, async () => rmSync(dir, { recursive: true, force: true }));
}

/** `url` may carry a password or `application_name` (the server trusts local connections). */
export function postgresDatabase(url = POSTGRES_URL): Promise<TestDatabase> {
  const pgSchema = `durable_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return testDatabase('postgres', { databaseUrl: url, pgSchema }, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA ${pgSchema} CASCADE`);
    await client.end();
  });
}

export const databases: [string, () => Promise<TestDatabase>][] = [
  ['SQLite', sqliteDatabase],
  ['PostgreSQL', () => postgresDatabase()],
];
