/**
 * The two real backends the contract suite runs against: a SQLite file in a temp dir, and a
 * private schema in the shared PostgreSQL (`TEST_DATABASE_URL`), dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { OpenIndexOptions } from '../../../src/store/index.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** Options that open this test's database; each call is a new connection (pool). */
  options: OpenIndexOptions;
  /** Drops the database (file or schema). */
  dispose(): Promise<void>;
}

export function sqliteBackend(): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-store-'));
  return {
    name: 'SQLite',
    options: { sqlitePath: join(dir, 'race-triage.sqlite') },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): TestBackend {
  const schema = `store_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    name: 'PostgreSQL',
    options: { databaseUrl: POSTGRES_URL, pgSchema: schema },
    async dispose() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

export const backends: [string, () => TestBackend][] = [
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
];
