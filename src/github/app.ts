/**
 * The Probot app: serves the webhook endpoint, `/healthz`, `/status` and the race dashboard,
 * and runs every event through the job queue (`jobs/durable.ts`) into `processEvent`. This is
 * the one way events are handled, by `npm start` and by the tests alike.
 */
import type { Logger } from 'pino';
import type { ApplicationFunction, Probot } from 'probot';
import { dashboardHandler } from '../dashboard/handler.js';
import { raceUrls } from '../dashboard/links.js';
import { dashboardSettingsFromEnv, type DashboardSettings } from '../dashboard/settings.js';
import type { DashboardQueries } from '../store/dashboard-queries.js';
import { BotReplies, BotStateStore, IssuePairs, OwnershipHistory, type BotRepliesDatabase, type BotStateDatabase, type IssuePairsDatabase, type OwnershipTables, type RaceIndex } from '../store/index.js';
import type { BotIdentity } from './bot-comment.js';
import { ConfigSource } from './config-source.js';
import { Executor } from './executor.js';
import { healthHandler } from './health.js';
import type { DurableProcessing } from './jobs/durable.js';
import { LabelCache } from './label-cache.js';
import { OwnershipIndex } from './ownership-index.js';
import { OwnersSource } from './owners-source.js';
import { HANDLED_EVENTS, processEvent } from './process-event.js';
import { loadRepoConfig } from './repo-config.js';
import type { TriageDeps } from './triage-issue.js';
import type { GitHub } from './types.js';

export interface AppOptions {
  index: RaceIndex;
  /** `sqlite` or `postgres`, shown by `/healthz`. */
  backend: string;
  /** Records webhooks as jobs and runs them; its database also holds the bot's state. */
  durable: DurableProcessing;
  /** WEBHOOK_SECRET. */
  secret: string;
  /** The GitHub App's id: its own comments are the ones written through it. */
  appId: number;
  /** Clock for the caches and the comment cap (tests move it). */
  now?: () => number;
  /** The race dashboard's queries; its settings default to the environment's (DASHBOARD=off turns it off). */
  dashboard?: { queries: DashboardQueries; settings?: DashboardSettings };
}

export function raceTriageApp(options: AppOptions): ApplicationFunction {
  return (app, { addHandler }) => {
    const now = options.now ?? Date.now;
    // Read here, not before: the environment (.env included) is loaded by now.
    const dashboard = options.dashboard && { ...options.dashboard, settings: options.dashboard.settings ?? dashboardSettingsFromEnv(process.env) };
    const publicUrl = dashboard?.settings.enabled ? dashboard.settings.publicUrl : undefined;
    const identity: BotIdentity = { appId: options.appId };
    void learnLogin(app, identity);
    const botState = new BotStateStore(options.durable.db.withTables<BotStateDatabase>(), now);
    const ownership = new OwnershipIndex(new OwnershipHistory(options.durable.db.withTables<OwnershipTables>()), { now });
    const replies = new BotReplies(options.durable.db.withTables<BotRepliesDatabase>());
    const deps: TriageDeps = {
      index: options.index,
      botState,
      pairs: new IssuePairs(options.durable.db.withTables<IssuePairsDatabase>()),
      replies,
      configSource: new ConfigSource({ now }),
      labelCache: new LabelCache({ now }),
      ownership,
      owners: new OwnersSource({ now }),
      executor: new Executor({ index: options.index, botState, replies, spacing: options.durable.spacing, log: app.log, now }),
      identity,
      log: app.log,
      ...(publicUrl ? { raceUrl: raceUrls(publicUrl) } : {}),
    };
    addHandler(healthHandler(options.index, options.backend));
    if (dashboard?.settings.enabled) {
      addHandler(dashboardHandler({ queries: dashboard.queries, settings: dashboard.settings, log: app.log, ...(options.now ? { now: options.now } : {}) }));
    }
    options.durable.attach(app, addHandler, {
      secret: options.secret,
      events: HANDLED_EVENTS,
      runEvent: (octokit, signal, event) => processEvent(octokit, signal, event, deps),
      configFor: async (octokit, ref) => (await loadRepoConfig(octokit, ref, deps.configSource, deps.log)).config,
      ownership: { history: ownership, botState },
    });
  };
}

/** The app's `[bot]` login, from `GET /app`; until it is known, its comments are told by the app id alone. */
async function learnLogin(app: Probot, identity: BotIdentity): Promise<void> {
  try {
    const octokit = (await app.auth()) as GitHub;
    const { data } = await octokit.request('GET /app');
    if (data?.slug) identity.login = `${data.slug}[bot]`;
  } catch (error) {
    (app.log as Logger).warn({ err: error }, 'could not read the app from GitHub; its comments are recognised by app id only');
  }
}
