/**
 * Applies `migrations.ts` at start-up with Kysely's Migrator. Two processes may start at
 * once: the whole run holds a PostgreSQL advisory lock, or a SQLite write transaction
 * (`BEGIN IMMEDIATE`), so the second waits and then finds nothing left to do.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { errorText, IndexOpenError } from './errors.js';
import { migrations, type Backend } from './migrations.js';

const MIGRATION_TABLE = 'race_triage_migration';
const MIGRATION_LOCK_TABLE = 'race_triage_migration_lock';
/** Arbitrary, fixed: the advisory lock every replica takes while migrating. */
const PG_MIGRATION_LOCK = 7305514269;

/**
 * Brings the schema up to date, then runs `afterSchema` (data steps such as signing races
 * again) under the same lock and, on both backends, in one transaction.
 */
export async function migrateToLatest<DB, R = void>(
  db: Kysely<DB>,
  backend: Backend,
  location: string,
  afterSchema?: (conn: Kysely<DB>) => Promise<R>,
): Promise<R | undefined> {
  return db.connection().execute(async (conn) => {
    await lock(conn, backend);
    let done = false;
    try {
      await refuseNewerSchema(conn, backend, location);
      await runMigrations(conn, backend, location);
      // SQLite's lock is already a transaction; PostgreSQL's advisory lock is not.
      const result = afterSchema && (backend === 'postgres' ? await conn.transaction().execute((trx) => afterSchema(trx)) : await afterSchema(conn));
      done = true;
      return result;
    } finally {
      await unlock(conn, backend, done);
    }
  });
}

async function lock<DB>(conn: Kysely<DB>, backend: Backend): Promise<void> {
  if (backend === 'postgres') await sql`select pg_advisory_lock(${PG_MIGRATION_LOCK})`.execute(conn);
  else await sql`begin immediate`.execute(conn);
}

async function unlock<DB>(conn: Kysely<DB>, backend: Backend, commit: boolean): Promise<void> {
  if (backend === 'postgres') await sql`select pg_advisory_unlock(${PG_MIGRATION_LOCK})`.execute(conn);
  else await sql.raw(commit ? 'commit' : 'rollback').execute(conn);
}

/** An old binary on a newer schema would misread it: refuse, naming both versions. */
async function refuseNewerSchema<DB>(conn: Kysely<DB>, backend: Backend, location: string): Promise<void> {
  const known = new Set(migrations.map((m) => m.name));
  const applied = await appliedMigrations(conn, backend);
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length === 0) return;
  throw new IndexOpenError(
    'schema-too-new',
    location,
    `The race index at ${location} has schema version ${unknown.sort().at(-1)}, newer than this ` +
      `race-triage understands (${migrations.at(-1)?.name}). Upgrade race-triage, or point it at another database.`,
  );
}

async function appliedMigrations<DB>(conn: Kysely<DB>, backend: Backend): Promise<string[]> {
  const tables = await conn.introspection.getTables();
  const schema = await schemaInUse(conn, backend);
  if (!tables.some((t) => t.name === MIGRATION_TABLE && (schema === undefined || t.schema === schema))) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(conn);
  return rows.rows.map((r) => r.name);
}

/** PostgreSQL introspection lists every schema: only the one in use counts. */
async function schemaInUse<DB>(conn: Kysely<DB>, backend: Backend): Promise<string | undefined> {
  if (backend !== 'postgres') return undefined;
  return (await sql<{ name: string }>`select current_schema() as name`.execute(conn)).rows[0]?.name;
}

async function runMigrations<DB>(conn: Kysely<DB>, backend: Backend, location: string): Promise<void> {
  const schema = await schemaInUse(conn, backend);
  const provider: MigrationProvider = {
    async getMigrations() {
      const all: Record<string, Migration> = {};
      for (const m of migrations) all[m.name] = { up: (db) => m.up(db, backend) };
      return all;
    },
  };
  const migrator = new Migrator({
    db: conn,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Our own lock already serialises the run; on SQLite it is the enclosing transaction.
    disableTransactions: backend === 'sqlite',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'set-up';
  throw new IndexOpenError(
    'migration-failed',
    location,
    `Could not update the race index schema at ${location} (migration ${failed}): ${errorText(error)}`,
  );
}
