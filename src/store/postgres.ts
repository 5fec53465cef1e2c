/** Connects to PostgreSQL behind a Kysely dialect. Errors name host:port/database, never the password. */
import pg from 'pg';
import { PostgresDialect } from 'kysely';
import { errorText, IndexOpenError } from './errors.js';

export interface PostgresTarget {
  dialect: PostgresDialect;
  /** `host:port/database`, safe to log. */
  location: string;
  pool: pg.Pool;
}

const CONNECT_TIMEOUT_MS = 5_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `schema` confines every table (the index's and the migration log) to one PostgreSQL schema,
 * created when missing: separate test runs, or several apps on one database, do not collide.
 */
export async function openPostgres(url: string, schema?: string): Promise<PostgresTarget> {
  const location = describe(url);
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new IndexOpenError('misconfigured', location, `Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and _.`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection dropped by the server must not crash the app: the next query reports it.
  pool.on('error', () => {});
  // Nor one dropped while checked out (a server restart mid-query): the query itself fails,
  // and the pool discards the connection when it comes back.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    try {
      if (schema) await createSchema(client, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new IndexOpenError(
      'unreachable',
      location,
      `Cannot reach PostgreSQL at ${location}: ${redact(errorText(error), url)}. Check DATABASE_URL and that the server is running.`,
    );
  }
  return { dialect: new PostgresDialect({ pool }), location, pool };
}

async function createSchema(client: pg.PoolClient, schema: string): Promise<void> {
  try {
    await client.query(`create schema if not exists ${schema}`);
  } catch (error) {
    // Two replicas creating it at the same moment: one wins, the other sees a duplicate.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || ''}`;
  } catch {
    return 'an unparseable DATABASE_URL';
  }
}

/** Drivers rarely echo the password, but an error message must never carry it. */
function redact(message: string, url: string): string {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? message.split(password).join('***') : message;
  } catch {
    return message;
  }
}
