/**
 * The Probot app: subscribes to the issue events, hands each one to `processEvent`, and
 * serves `/healthz`. Everything else lives in plain functions a job queue can call too.
 */
import type { Logger } from 'pino';
import type { ApplicationFunction } from 'probot';
import { dashboardHandler } from '../dashboard/handler.js';
import { raceUrls } from '../dashboard/links.js';
import { dashboardSettingsFromEnv, type DashboardSettings } from '../dashboard/settings.js';
import type { DashboardQueries } from '../store/dashboard-queries.js';
import type { RaceIndex } from '../store/types.js';
import { CommentBudget } from './comment-budget.js';
import { ConfigSource } from './config-source.js';
import { healthHandler } from './health.js';
import type { DurableProcessing } from './jobs/durable.js';
import { engineOptions } from '../triage/config.js';
import { LabelCache } from './label-cache.js';
import { HANDLED_EVENTS, processEvent } from './process-event.js';
import { loadRepoConfig } from './repo-config.js';
import { SerialByKey } from './serial-by-key.js';
import type { TriageDeps } from './triage-issue.js';

export interface AppOptions {
  index: RaceIndex;
  /** `sqlite` or `postgres`, shown by `/healthz`. */
  backend: string;
  /** Clock for the caches and the comment cap (tests move it). */
  now?: () => number;
  /** When given, events are recorded as jobs and acknowledged at once; its worker processes them. */
  durable?: DurableProcessing;
  /** The race dashboard's queries; its settings default to the environment's (DASHBOARD=off turns it off). */
  dashboard?: { queries: DashboardQueries; settings?: DashboardSettings };
}

/** The collaborators `processEvent` needs, shared by every event of the process (webhook or queued job). */
export function createTriageDeps(index: RaceIndex, log: Logger, now: () => number = Date.now, raceUrl?: TriageDeps['raceUrl']): TriageDeps {
  return {
    index,
    configSource: new ConfigSource({ now }),
    labelCache: new LabelCache({ now }),
    commentBudget: new CommentBudget(now),
    log,
    ...(raceUrl ? { raceUrl } : {}),
  };
}

export function raceTriageApp(options: AppOptions): ApplicationFunction {
  return (app, { addHandler }) => {
    // Read here, not before: Probot has loaded .env into the environment by now.
    const dashboard = options.dashboard && { ...options.dashboard, settings: options.dashboard.settings ?? dashboardSettingsFromEnv(process.env) };
    const publicUrl = dashboard?.settings.enabled ? dashboard.settings.publicUrl : undefined;
    const deps = createTriageDeps(options.index, app.log, options.now, publicUrl ? raceUrls(publicUrl) : undefined);
    const perIssue = new SerialByKey();
    addHandler(healthHandler(options.index, options.backend));
    if (dashboard?.settings.enabled) {
      addHandler(dashboardHandler({ queries: dashboard.queries, settings: dashboard.settings, log: app.log, ...(options.now ? { now: options.now } : {}) }));
    }
    if (options.durable) {
      options.durable.attach(
        app,
        addHandler,
        HANDLED_EVENTS,
        (octokit, event) => processEvent(octokit, event, deps),
        async (octokit, ref) => engineOptions((await loadRepoConfig(octokit, ref, deps.configSource, deps.log)).config),
      );
      return;
    }

    app.on([...HANDLED_EVENTS], async (context) => {
      const installationId = context.payload.installation?.id;
      if (installationId === undefined) {
        context.log.warn({ event: context.name }, 'event without an installation: ignored');
        return;
      }
      const issueKey = `${installationId}/${context.payload.repository.full_name}#${context.payload.issue.number}`.toLowerCase();
      const result = await perIssue.run(issueKey, () =>
        processEvent(context.octokit, { name: context.name, payload: context.payload, installationId }, deps),
      );
      context.log.debug({ event: `${context.name}.${context.payload.action}`, result }, 'event processed');
    });
  };
}
