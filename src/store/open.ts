/**
 * Start-up of the race index: pick the backend from options and environment, connect,
 * apply migrations, and hand back the index. Failures are `IndexOpenError`s with a message
 * an operator can act on.
 *
 *   sqlitePath given          -> that SQLite file (or ':memory:' for offline replays)
 *   DATABASE_URL=postgres://  -> PostgreSQL, shared by several replicas
 *   otherwise                 -> ${RACE_TRIAGE_DATA_DIR ?? './data'}/race-triage.sqlite
 */
import { join, resolve } from 'node:path';
import { Kysely, type Dialect } from 'kysely';
import { IndexOpenError } from './errors.js';
import { migrateToLatest } from './migrate.js';
import type { Backend } from './migrations.js';
import { openPostgres } from './postgres.js';
import { KyselyRaceIndex } from './race-index.js';
import { resignStaleRaces, type ResignSummary } from './resign.js';
import type { IndexTables } from './schema.js';
import { openSqlite } from './sqlite.js';
import type { RaceIndex } from './types.js';

export const SQLITE_FILE_NAME = 'race-triage.sqlite';

export interface OpenIndexOptions {
  /** A SQLite file, or ':memory:'. Wins over `databaseUrl`. */
  sqlitePath?: string;
  /** `postgres://user@host:port/db`. Default: `DATABASE_URL`. */
  databaseUrl?: string;
  /** Directory of the default SQLite file. Default: `RACE_TRIAGE_DATA_DIR`, else `./data`. */
  dataDir?: string;
  /** PostgreSQL schema holding the tables, created when missing. Default: the server's search_path. */
  pgSchema?: string;
}

/** The migrated database itself, for modules that keep their own tables next to the index. */
export interface IndexDatabase {
  db: Kysely<IndexTables>;
  backend: Backend;
  /** The SQLite path, or PostgreSQL `host:port/database`: safe to log. */
  location: string;
  /** What start-up did to races signed by an older engine version. */
  resigned: ResignSummary;
}

export async function openDatabase(options: OpenIndexOptions = {}): Promise<IndexDatabase> {
  const { backend, location, dialect } = await connect(options);
  const db = new Kysely<IndexTables>({ dialect });
  let resigned: ResignSummary | undefined;
  try {
    resigned = await migrateToLatest(db, backend, location, resignStaleRaces);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, backend, location, resigned: resigned ?? { resigned: 0, unsignable: [] } };
}

export async function openIndex(options: OpenIndexOptions = {}): Promise<RaceIndex> {
  const { db } = await openDatabase(options);
  return new KyselyRaceIndex(db);
}

async function connect(options: OpenIndexOptions): Promise<{ backend: Backend; location: string; dialect: Dialect }> {
  const url = options.sqlitePath === undefined ? (options.databaseUrl ?? process.env.DATABASE_URL) : undefined;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new IndexOpenError(
        'misconfigured',
        'DATABASE_URL',
        'DATABASE_URL must start with postgres:// (or be unset to use the SQLite file).',
      );
    }
    const { dialect, location } = await openPostgres(url, options.pgSchema);
    return { backend: 'postgres', location, dialect };
  }
  const path = options.sqlitePath ?? defaultSqlitePath(options.dataDir);
  const location = path === ':memory:' ? path : resolve(path);
  return { backend: 'sqlite', location, dialect: openSqlite(location) };
}

function defaultSqlitePath(dataDir: string | undefined): string {
  return join(dataDir ?? process.env.RACE_TRIAGE_DATA_DIR ?? './data', SQLITE_FILE_NAME);
}
