/**
 * Durable webhook processing for the Probot app. A verified delivery is recorded as a job and
 * acknowledged at once; a worker in the same process (or any replica's, on PostgreSQL) runs
 * it with the installation's octokit. Installation events become backfill jobs, a bounded
 * number of pages each, so no job outlives the time cap. `GET /status` reports the queue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Probot } from 'probot';
import type { EngineOptions } from '../../race/types.js';
import type { RaceIndex } from '../../store/types.js';
import { backfillRepository } from '../backfill.js';
import type { GitHubEvent } from '../process-event.js';
import type { GitHub, RepoRef } from '../types.js';
import { BackfillCheckpoints } from './checkpoints.js';
import { JobQueue } from './queue.js';
import { DEFAULT_RETRY, RetryAfter } from './retry-policy.js';
import type { Job, JobsDatabase } from './types.js';
import { Worker, type WorkerOptions } from './worker.js';

export const STATUS_PATH = '/status';

/** Events that start a backfill of the repositories they name. */
export const BACKFILL_EVENTS = ['installation.created', 'installation_repositories.added'] as const;
/** A synthetic event: one repository's backfill, continued job after job. */
const BACKFILL_JOB = 'race_triage_backfill';

export interface DurableOptions {
  db: Kysely<JobsDatabase>;
  index: RaceIndex;
  /** Worker tuning: concurrency, time cap, lease, poll interval, retry policy. */
  worker?: Omit<WorkerOptions, 'queue' | 'process' | 'log'>;
  /** Listing pages one backfill job reads before handing over to the next. */
  backfillPagesPerJob?: number;
}

interface RepositoryShape {
  full_name: string;
  private?: boolean;
}

type RunEvent = (octokit: GitHub, event: GitHubEvent) => Promise<unknown>;
/** The engine settings of a repository's config, so backfilled signatures match the app's. */
type EngineFor = (octokit: GitHub, ref: RepoRef) => Promise<EngineOptions>;

export class DurableProcessing {
  readonly queue: JobQueue;
  readonly checkpoints: BackfillCheckpoints;
  readonly #options: DurableOptions;
  #worker: Worker | undefined;

  constructor(options: DurableOptions) {
    this.#options = options;
    this.queue = new JobQueue(options.db);
    this.checkpoints = new BackfillCheckpoints(options.db);
  }

  /**
   * Wires the app: `events` are queued instead of handled inline, `runEvent` does one
   * queued event's work, `engineFor` gives a backfilled repository's engine settings,
   * `/status` is served, and the worker starts.
   */
  attach(
    app: Probot,
    addHandler: (handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean) => void,
    events: readonly string[],
    runEvent: RunEvent,
    engineFor: EngineFor,
  ): void {
    addHandler((req, res) => this.#status(req, res));
    app.on([...events, ...BACKFILL_EVENTS] as Parameters<Probot['on']>[0], async (context) => {
      const fresh = await this.queue.enqueue({ id: context.id, name: context.name, payload: context.payload });
      if (fresh) this.#worker?.wake();
      else context.log.info({ deliveryId: context.id }, 'redelivery of a recorded webhook: ignored');
    });
    this.#worker = new Worker({
      ...this.#options.worker,
      queue: this.queue,
      log: app.log,
      process: async (job) => this.#run(app, job, runEvent, engineFor),
    });
    this.#worker.start();
  }

  /** Stops the worker once its jobs in hand are done. */
  async stop(): Promise<void> {
    await this.#worker?.stop();
  }

  async #run(app: Probot, job: Job, runEvent: RunEvent, engineFor: EngineFor): Promise<void> {
    if (job.installationId === null) {
      app.log.warn({ deliveryId: job.deliveryId, event: job.event }, 'job without an installation: skipped');
      return;
    }
    const octokit = (await app.auth(job.installationId)) as GitHub;
    if (job.event === BACKFILL_JOB) return this.#backfill(app, octokit, job, engineFor);
    if (job.event === 'installation' || job.event === 'installation_repositories') return this.#startBackfills(job);
    await runEvent(octokit, { name: job.event, payload: job.payload, installationId: job.installationId });
  }

  /** One job per repository, so a large installation never makes one long job. */
  async #startBackfills(job: Job): Promise<void> {
    const payload = job.payload as { repositories?: RepositoryShape[]; repositories_added?: RepositoryShape[] };
    for (const repository of payload.repositories_added ?? payload.repositories ?? []) {
      await this.#enqueueBackfill(job, `${job.deliveryId}:${repository.full_name}`, repository);
    }
    this.#worker?.wake();
  }

  async #backfill(app: Probot, octokit: GitHub, job: Job, engineFor: EngineFor): Promise<void> {
    const repository = (job.payload as { repository: RepositoryShape }).repository;
    const [owner = '', repo = ''] = repository.full_name.split('/');
    const about = { installationId: job.installationId, repo: repository.full_name };
    const result = await backfillRepository(
      { installationId: job.installationId!, owner, repo, private: repository.private ?? false },
      {
        github: octokit,
        index: this.#options.index,
        checkpoints: this.checkpoints,
        engine: await engineFor(octokit, { installationId: job.installationId!, owner, repo }),
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
    const next = await this.checkpoints.load(job.installationId!, repository.full_name);
    await this.#enqueueBackfill(job, `${job.installationId}/${repository.full_name}:${next?.runStartedAt}:page-${next?.nextPage}`, repository);
    this.#worker?.wake();
  }

  #enqueueBackfill(job: Job, id: string, repository: RepositoryShape): Promise<boolean> {
    return this.queue.enqueue({
      id: `backfill:${id}`,
      name: BACKFILL_JOB,
      payload: { installation: { id: job.installationId }, repository: { full_name: repository.full_name, private: repository.private ?? false } },
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
