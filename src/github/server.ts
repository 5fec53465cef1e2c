/**
 * The HTTP server, as `npm start` runs it and as the tests start it: Probot's server with the
 * app's endpoints (`/api/github/webhooks`, `/healthz`, `/status`, Probot's `/ping`).
 *
 * Without an app id and key it serves Probot's setup page, which registers the app on GitHub
 * from app.yml and writes `.env`; `/healthz` answers there too.
 */
import type { Logger } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import type { DashboardSettings } from '../dashboard/settings.js';
import { DashboardQueries } from '../store/dashboard-queries.js';
import type { IndexDatabase, JobsDatabase, RaceIndex } from '../store/index.js';
import { raceTriageApp } from './app.js';
import { healthHandler } from './health.js';
import { DurableProcessing, type DurableOptions } from './jobs/durable.js';
import { appOctokit } from './octokit.js';
import { setupPage } from './probot-internals.js';

/**
 * Probot's own webhook handler would parse and dispatch a delivery before the app could store
 * the signed bytes: it is given a path no request has (every request path starts with `/`),
 * and the app's endpoint serves the webhook path.
 */
const PROBOT_WEBHOOK_PATH = 'race-triage handles webhooks itself';

export interface ServerSettings {
  host: string;
  port: number;
  log: Logger;
  database: IndexDatabase;
  index: RaceIndex;
  appId?: number;
  privateKey?: string;
  secret?: string;
  /** GitHub's API, https://api.github.com unless GitHub Enterprise Server (or a test's fake). */
  baseUrl?: string;
  /** Worker, backfill, spacing and redelivery settings. */
  jobs?: Omit<DurableOptions, 'db' | 'index'>;
  /** Time limit of one GitHub request (tests shorten it). */
  requestTimeoutMs?: number;
  /** Clock for the caches and the comment cap (tests move it). */
  now?: () => number;
  /** Serve the race dashboard (its settings from the environment unless given; DASHBOARD=off turns it off). */
  dashboard?: boolean | { settings: DashboardSettings };
}

export interface RunningServer {
  server: Server;
  /** Undefined in setup mode. */
  durable?: DurableProcessing;
  /** Stops taking requests, lets the jobs in hand finish; the database stays open. */
  stop(): Promise<void>;
}

export async function startServer(settings: ServerSettings): Promise<RunningServer> {
  const { host, port, log, database, index } = settings;
  if (!settings.appId || !settings.privateKey) {
    const server = new Server({
      host,
      port,
      log,
      webhookPath: PROBOT_WEBHOOK_PATH,
      // Probot needs some credentials to build its (unused) client while the app is being registered.
      Probot: Probot.defaults({ appId: 1, privateKey: 'setup mode: no key yet', log }),
    });
    server.addHandler(healthHandler(index, database.backend));
    await server.loadHandlerFactory(await setupPage({ host, port, log: log.child({ name: 'setup' }) }));
    await server.start();
    return { server, stop: () => server.stop() };
  }

  const durable = new DurableProcessing({ ...settings.jobs, db: database.db.withTables<JobsDatabase>(), index });
  const server = new Server({
    host,
    port,
    log,
    webhookPath: PROBOT_WEBHOOK_PATH,
    Probot: Probot.defaults({
      appId: settings.appId,
      privateKey: settings.privateKey,
      secret: settings.secret ?? 'development',
      log,
      Octokit: appOctokit(ProbotOctokit, settings.requestTimeoutMs),
      ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    }),
  });
  await server.load(
    raceTriageApp({
      index,
      backend: database.backend,
      durable,
      secret: settings.secret ?? 'development',
      appId: settings.appId,
      ...(settings.now ? { now: settings.now } : {}),
      ...(settings.dashboard
        ? { dashboard: { queries: new DashboardQueries(database.db, database.backend), ...(typeof settings.dashboard === 'object' ? settings.dashboard : {}) } }
        : {}),
    }),
  );
  await server.start();
  return {
    server,
    durable,
    async stop() {
      await server.stop();
      await durable.stop();
    },
  };
}
