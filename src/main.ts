/**
 * `npm start`: opens the race index (a SQLite file by default, PostgreSQL with
 * DATABASE_URL) and runs the server. Without APP_ID and a private key it serves Probot's
 * setup page at http://localhost:3000, which registers the app on GitHub from app.yml and
 * writes the credentials to .env.
 */
import { jobSettingsFromEnv } from './github/jobs/settings.js';
import { appLog } from './github/log.js';
import { readProbotEnv } from './github/probot-internals.js';
import { startServer } from './github/server.js';
import { openDatabase, KyselyRaceIndex, resignNotes } from './store/index.js';

async function main(): Promise<void> {
  const env = await readProbotEnv();
  let jobs;
  try {
    jobs = jobSettingsFromEnv(process.env);
  } catch (error) {
    fail(message(error));
  }
  if (process.env.NODE_ENV === 'production' && (!env.appId || !env.privateKey)) {
    fail(`${!env.appId ? 'APP_ID' : 'the private key (PRIVATE_KEY or PRIVATE_KEY_PATH)'} is missing, and required when NODE_ENV=production.\nSee .env.example for the variables race-triage reads.`);
  }
  let database;
  try {
    database = await openDatabase();
  } catch (error) {
    fail(`cannot open the race index: ${message(error)}`);
  }
  const index = new KyselyRaceIndex(database.db);
  for (const line of resignNotes(database.resigned)) console.warn(`race-triage: ${line}`);
  const log = await appLog(process.env);

  let running;
  try {
    running = await startServer({
      host: env.host ?? 'localhost',
      port: env.port,
      log,
      database,
      index,
      ...(env.appId ? { appId: env.appId } : {}),
      ...(env.privateKey ? { privateKey: env.privateKey } : {}),
      ...(env.secret ? { secret: env.secret } : {}),
      baseUrl: env.baseUrl,
      dashboard: true,
      ...(jobs.requestTimeoutMs ? { requestTimeoutMs: jobs.requestTimeoutMs } : {}),
      jobs,
    });
  } catch (error) {
    await index.close();
    fail(`${message(error)}\nSee .env.example for the variables race-triage reads.`);
  }
  // Docker and systemd stop with SIGTERM, a terminal with Ctrl-C.
  const stop = () => {
    running
      .stop()
      .then(() => index.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(text: string): never {
  console.error(`race-triage: ${text}`);
  process.exit(1);
}

await main();
