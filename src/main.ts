/**
 * `npm start`: opens the race index (a SQLite file by default, PostgreSQL with
 * DATABASE_URL) and runs the Probot server. Without APP_ID and a private key, Probot
 * serves its setup page at http://localhost:3000, which registers the app on GitHub from
 * app.yml and writes the credentials to .env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ProbotOctokit, run } from 'probot';
import { raceTriageApp } from './github/app.js';
import { DurableProcessing } from './github/jobs/durable.js';
import { withRequestTimeout } from './github/jobs/request-timeout.js';
import { workerSettingsFromEnv } from './github/jobs/settings.js';
import type { JobsDatabase } from './github/jobs/types.js';
import { appLog } from './github/log.js';
import { DashboardQueries } from './store/dashboard-queries.js';
import { openDatabase, KyselyRaceIndex, resignNotes } from './store/index.js';

async function main(): Promise<void> {
  // Probot reads .env only inside run(); read it as Probot does first, so the settings read
  // before (the database, the worker, the logger) see it too.
  if (existsSync('.env')) Object.assign(process.env, parseEnv(readFileSync('.env', 'utf8')));
  let database;
  try {
    database = await openDatabase();
  } catch (error) {
    fail(`cannot open the race index: ${message(error)}`);
  }
  const index = new KyselyRaceIndex(database.db);
  for (const line of resignNotes(database.resigned)) console.warn(`race-triage: ${line}`);
  let worker;
  try {
    worker = workerSettingsFromEnv(process.env);
  } catch (error) {
    fail(message(error));
  }
  // Webhooks are recorded as jobs next to the index and processed by a worker in this process.
  const durable = new DurableProcessing({ db: database.db.withTables<JobsDatabase>(), index, worker });

  let server;
  try {
    const dashboard = { queries: new DashboardQueries(database.db, database.backend) };
    server = await run(raceTriageApp({ index, backend: database.backend, durable, dashboard }), {
      Octokit: withRequestTimeout(ProbotOctokit),
      log: await appLog(process.env),
    });
  } catch (error) {
    await index.close();
    fail(`${message(error)}\nSee .env.example for the variables race-triage reads.`);
  }
  // Docker and systemd stop with SIGTERM (Probot itself handles only Ctrl-C).
  process.once('SIGTERM', () => {
    server
      .stop()
      .then(() => durable.stop())
      .then(() => index.close())
      .then(() => process.exit(0), () => process.exit(1));
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fail(text: string): never {
  console.error(`race-triage: ${text}`);
  process.exit(1);
}

await main();
