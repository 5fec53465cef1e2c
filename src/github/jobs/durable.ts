/**
 * How every webhook is processed, in production and in tests: the webhook endpoint records a
 * verified delivery as a job and acknowledges it at once; a worker in the same process (or
 * any replica's, on PostgreSQL) runs it with the installation's client, tied to the job's
 * `AbortSignal`. Issue events go before commands, and a burst of one command on one issue is
 * run once. Installation events become backfill jobs, a bounded number of pages each, so no
 * job outlives the time cap. Failed deliveries are asked for again. `GET /status` reports
 * the queue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Probot } from 'probot';
import { IssuePairs, type BotStateStore, type IssuePairsDatabase, type RaceIndex } from '../../store/index.js';
import { engineOptions, type Config } from '../../triage/config.js';
import { backfillRepository, type BackfillOwnership } from '../backfill.js';
import { forJob } from '../octokit.js';
import { isDefaultBranchPush } from '../ownership-events.js';
import { commandOf, type GitHubEvent } from '../process-event.js';
import type { GitHub, RepoRef } from '../types.js';
import { webhookEndpoint, type RecordResult, type VerifiedDelivery } from '../webhook-endpoint.js';
import { BackfillCheckpoints } from './checkpoints.js';
import { JobQueue } from './queue.js';
import { FailedDeliveries, type RedeliveryOptions } from './redelivery.js';
import { DEFAULT_RETRY, RetryAfter } from './retry-policy.js';
import type { Job, JobsDatabase } from './types.js';
import { Worker, type WorkerOptions } from './worker.js';
import { WriteSpacing } from './write-spacing.js';

const STATUS_PATH = '/status';

/** Events that start a backfill of the repositories they name. */
const BACKFILL_EVENTS = ['installation.created', 'installation_repositories.added'] as const;
/** A synthetic event: one repository's backfill, continued job after job. */
const BACKFILL_JOB = 'race_triage_backfill';

export interface DurableOptions {
  db: Kysely<JobsDatabase>;
  index: RaceIndex;
  /** Worker tuning: concurrency, time cap, lease, poll interval, retry policy. */
  worker?: Omit<WorkerOptions, 'queue' | 'process' | 'log'>;
  /** Listing pages one backfill job reads before handing over to the next. */
  backfillPagesPerJob?: number;
  /** Least time between two GitHub writes of one installation, across replicas (default 1 s). */
  writeSpacingMs?: number;
  /** The scan for failed deliveries; `false` turns it off. */
  redelivery?: Pick<RedeliveryOptions, 'intervalMs' | 'lookbackMs'> | false;
}

/** Lower runs first: a new race issue never waits behind a pile of commands or a backfill. */
const PRIORITY = { event: 0, command: 1, backfill: 2 } as const;

interface RepositoryShape {
  full_name: string;
  private?: boolean;
}

type RunEvent = (octokit: GitHub, signal: AbortSignal, event: GitHubEvent) => Promise<unknown>;
/** A repository's config, so backfilled signatures (and packages) match the app's. */
type ConfigFor = (octokit: GitHub, ref: RepoRef) => Promise<Config>;

export interface AttachOptions {
  /** WEBHOOK_SECRET: deliveries must be signed with it. */
  secret: string;
  /** `issues.opened`, ...: what is recorded; other events are acknowledged and dropped. */
  events: readonly string[];
  /** Does one queued event's work. */
  runEvent: RunEvent;
  /** The config of a backfilled repository. */
  configFor: ConfigFor;
  /** Where backfill records the ownership history. */
  ownership: { history: BackfillOwnership['history']; botState: Pick<BotStateStore, 'get'> };
}

export class DurableProcessing {
  readonly queue: JobQueue;
  readonly checkpoints: BackfillCheckpoints;
  readonly spacing: WriteSpacing;
  /** The store's database the queue lives in (the bot's state lives there too). */
  readonly db: Kysely<JobsDatabase>;
  readonly #options: DurableOptions;
  #worker: Worker | undefined;
  #redelivery: FailedDeliveries | undefined;

  constructor(options: DurableOptions) {
    this.#options = options;
    this.db = options.db;
    this.queue = new JobQueue(options.db);
    this.checkpoints = new BackfillCheckpoints(options.db);
    this.spacing = new WriteSpacing(options.db, options.writeSpacingMs);
  }

  /** Wires the app: the webhook endpoint and `/status` are served, the worker and the redelivery scan start. */
  attach(
    app: Probot,
    addHandler: (handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean) => void,
    { secret, events, runEvent, configFor, ownership }: AttachOptions,
  ): void {
    const handled = new Set([...events, ...BACKFILL_EVENTS]);
    addHandler(webhookEndpoint({ secret, log: app.log, record: (delivery) => this.#record(delivery, handled) }));
    addHandler((req, res) => this.#status(req, res));
    this.#worker = new Worker({
      ...this.#options.worker,
      queue: this.queue,
      log: app.log,
      process: async (job, signal) => this.#run(app, job, signal, runEvent, configFor, ownership),
    });
    this.#worker.start();
    if (this.#options.redelivery !== false) {
      this.#redelivery = new FailedDeliveries({
        ...this.#options.redelivery,
        db: this.#options.db,
        queue: this.queue,
        app: async () => (await app.auth()) as GitHub,
        log: app.log,
      });
      this.#redelivery.start();
    }
  }

  /** Stops the redelivery scan, and the worker once its jobs in hand are done. */
  async stop(): Promise<void> {
    await this.#redelivery?.stop();
    await this.#worker?.stop();
  }

  async #record(delivery: VerifiedDelivery, handled: Set<string>): Promise<RecordResult> {
    const { action, installation, repository, issue } = delivery.payload as {
      action?: string;
      installation?: { id?: number };
      repository?: { full_name?: string };
      issue?: { number?: number };
    };
    // An event without actions (`push`) is named alone.
    if (!handled.has(action === undefined ? delivery.name : `${delivery.name}.${action}`)) return 'not handled';
    // Busy repositories push to many branches; only the default branch's OWNERS files are read.
    if (delivery.name === 'push' && !isDefaultBranchPush(delivery.payload)) return 'not handled';
    const command = commandOf(delivery.name, delivery.payload);
    const issueKey = `${installation?.id ?? 0}/${String(repository?.full_name).toLowerCase()}#${issue?.number}`;
    const fresh = await this.queue.enqueue({
      id: delivery.id,
      name: delivery.name,
      payload: delivery.payload,
      body: delivery.body,
      priority: command ? PRIORITY.command : PRIORITY.event,
      ...(command ? { foldKey: `${issueKey}:${command.name}` } : {}),
    });
    if (!fresh) return 'known';
    this.#worker?.wake();
    return 'recorded';
  }

  async #run(app: Probot, job: Job, signal: AbortSignal, runEvent: RunEvent, configFor: ConfigFor, ownership: AttachOptions['ownership']): Promise<void> {
    if (job.installationId === null) {
      app.log.warn({ deliveryId: job.deliveryId, event: job.event }, 'job without an installation: skipped');
      return;
    }
    const octokit = forJob((await app.auth(job.installationId)) as GitHub, signal);
    if (job.event === BACKFILL_JOB) return this.#backfill(app, octokit, job, configFor, ownership);
    if (job.event === 'installation' || job.event === 'installation_repositories') return this.#startBackfills(job);
    const folded = await this.queue.fold(job);
    if (folded.length > 0) app.log.info({ deliveryId: job.deliveryId, folded: folded.length }, 'pending commands of the issue folded into one run');
    await runEvent(octokit, signal, {
      name: job.event,
      payload: job.payload,
      installationId: job.installationId,
      folded: folded.map((f) => ({ name: f.event, payload: f.payload, installationId: job.installationId! })),
    });
  }

  /** One job per repository, so a large installation never makes one long job. */
  async #startBackfills(job: Job): Promise<void> {
    const payload = job.payload as { repositories?: RepositoryShape[]; repositories_added?: RepositoryShape[] };
    for (const repository of payload.repositories_added ?? payload.repositories ?? []) {
      await this.#enqueueBackfill(job, `${job.deliveryId}:${repository.full_name}`, repository);
    }
    this.#worker?.wake();
  }

  async #backfill(app: Probot, octokit: GitHub, job: Job, configFor: ConfigFor, ownership: AttachOptions['ownership']): Promise<void> {
    const repository = (job.payload as { repository: RepositoryShape }).repository;
    const [owner = '', repo = ''] = repository.full_name.split('/');
    const about = { installationId: job.installationId, repo: repository.full_name };
    const config = await configFor(octokit, { installationId: job.installationId!, owner, repo });
    const result = await backfillRepository(
      { installationId: job.installationId!, owner, repo, private: repository.private ?? false },
      {
        github: octokit,
        index: this.#options.index,
        checkpoints: this.checkpoints,
        pairs: new IssuePairs(this.#options.db.withTables<IssuePairsDatabase>()),
        engine: engineOptions(config),
        ownership: { ...ownership, config },
        maxPages: this.#options.backfillPagesPerJob ?? 20,
        onProgress: (p) => app.log.info({ ...about, ...p }, 'backfill progress'),
        // A job never sleeps: a failing page fails the job, which the worker retries with
        // backoff, and a spent rate limit puts it back in the queue until the reset.
        retry: { ...DEFAULT_RETRY, maxAttempts: 1 },
        waitForReset: async (ms) => {
          throw new RetryAfter(ms, 'rate limit nearly spent; backfill continues after the reset');
        },
      },
    );
    if (result.finished) {
      app.log.info({ ...about, indexed: result.indexed }, 'backfill finished');
      return;
    }
    // Named after the saved page, so a rerun of this job cannot queue its continuation twice.
    // The phase is part of the name: page 2 of the comments is not page 2 of the issues.
    const next = await this.checkpoints.load(job.installationId!, repository.full_name);
    const at = next?.nextPage !== undefined ? `page-${next.nextPage}` : next?.commentsPage !== undefined ? `comments-${next.commentsPage}` : `pulls-${next?.pullsPage}`;
    await this.#enqueueBackfill(job, `${job.installationId}/${repository.full_name}:${next?.runStartedAt}:${at}`, repository);
    this.#worker?.wake();
  }

  #enqueueBackfill(job: Job, id: string, repository: RepositoryShape): Promise<boolean> {
    return this.queue.enqueue({
      id: `backfill:${id}`,
      name: BACKFILL_JOB,
      payload: { installation: { id: job.installationId }, repository: { full_name: repository.full_name, private: repository.private ?? false } },
      priority: PRIORITY.backfill,
      // Two backfills of one repository (installed, then added again) take turns on its checkpoint.
      serialKey: `backfill:${job.installationId}/${repository.full_name.toLowerCase()}`,
    });
  }

  async #status(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' || (req.url ?? '').split('?', 1)[0] !== STATUS_PATH) return false;
    try {
      const queue = await this.queue.status();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', queue }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable', error: reason }));
    }
    return true;
  }
}
