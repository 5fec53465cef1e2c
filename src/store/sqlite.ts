/** Opens the SQLite file (WAL, busy timeout) behind a Kysely dialect, with readable failures. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import { LRUCache } from 'lru-cache';
import { errorText, IndexOpenError } from './errors.js';

/** How long a writer waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 10_000;
/** Prepared statements kept for reuse: the index asks the same few dozen shapes of query again and again. */
const STATEMENT_CACHE = 256;

export function openSqlite(path: string): SqliteDialect {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const opened = db;
    whileBusy(() => opened.pragma('journal_mode = WAL'));
    // WAL makes NORMAL safe: a power cut loses at most the last commits, never the file.
    db.pragma('synchronous = NORMAL');
    // Lookups touch a few index pages each: keep the hot ones in memory (32 MB) and map the rest.
    db.pragma('cache_size = -32000');
    db.pragma('mmap_size = 268435456');
    // Reads the schema: a file that is not a database fails here, not on the first query.
    db.prepare('select count(*) from sqlite_schema').get();
    whileBusy(() => assertWritable(opened));
  } catch (error) {
    db?.close();
    throw describeOpenFailure(path, error);
  }
  return new SqliteDialect({ database: reusingStatements(db) });
}

/**
 * Kysely prepares every query it runs; SQLite compiling the same text each time costs more
 * than running it. Statements are kept by their SQL text and reused (better-sqlite3 runs them
 * one at a time on this connection, so reuse is safe).
 */
function reusingStatements(db: Database.Database): SqliteDatabase {
  const statements = new LRUCache<string, Database.Statement>({ max: STATEMENT_CACHE });
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = db.prepare(sql)));
      return statement;
    },
  };
}

/**
 * Runs a start-up step again while another process holds the lock. SQLite skips the busy
 * handler where waiting could deadlock (switching to WAL, upgrading a read lock), so two
 * replicas starting at once would otherwise fail at once with "database is locked".
 */
function whileBusy<T>(step: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return step();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) throw error;
      if (Date.now() > deadline) throw error;
      // Start-up is synchronous; a short blocking pause is fine here and nowhere else.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.random() * 30);
    }
  }
}

/** A read-only file or directory would only fail at the first webhook: find out now. */
function assertWritable(db: Database.Database): void {
  db.exec('begin immediate; create table race_triage_write_check (x integer); rollback');
}

function describeOpenFailure(path: string, error: unknown): IndexOpenError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new IndexOpenError(
      'corrupt',
      path,
      `The race index at ${path} is not a readable SQLite database (${errorText(error)}). ` +
        'Move the file away and run a backfill to rebuild it.',
    );
  }
  return new IndexOpenError(
    'unwritable',
    path,
    `Cannot open the race index at ${path} for writing (${errorText(error)}). ` +
      'Check that the directory exists and that this user may write to it, or set RACE_TRIAGE_DATA_DIR.',
  );
}
