/**
 * Runs queued jobs in the app's own process: claims a job, hands it to `process` with an
 * `AbortSignal`, and records the outcome. Transient failures go back to the queue with a
 * backoff; permanent ones are marked failed with their error and logged.
 *
 * A job past its time cap is aborted: its signal fires, which cancels its GitHub requests
 * and makes its next write refuse to start. The worker waits for the job to stop before it
 * marks it failed, so nothing of a failed job runs after the mark.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { JobQueue } from './queue.js';
import { DEFAULT_RETRY, retryVerdict, type RetryOptions } from './retry-policy.js';
import type { Job } from './types.js';

export interface WorkerOptions {
  queue: JobQueue;
  /** Does the work of one job; throws to report a failure. Must stop soon after `signal` aborts. */
  process: (job: Job, signal: AbortSignal) => Promise<void>;
  log: Logger;
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** Longest one job may run. Over it the job fails for good: the same input would take as long again. */
  timeCapMs?: number;
  /** How long a claim holds; past it another worker may take the job. Must exceed `timeCapMs` (default: 1.5 times it). */
  leaseMs?: number;
  /** Wait between polls when the queue is empty (an `enqueue` in this process wakes the worker at once). */
  pollMs?: number;
  /** How long finished jobs are kept (for redelivery checks and `/status`) before they are deleted. */
  keepFinishedMs?: number;
  retry?: RetryOptions;
}

const RECORD_ATTEMPTS = 3;
/** How long an aborted job may take to stop before it is marked failed anyway (its writes refuse to start). */
const STOP_GRACE_MS = 5_000;

export class JobTimeCapError extends Error {
  override name = 'JobTimeCapError';
}

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #options: Required<Omit<WorkerOptions, 'leaseMs'>> & { leaseMs: number };
  #running = false;
  #loops: Promise<void>[] = [];
  #wakers = new Set<() => void>();
  #prunedAt = 0;

  constructor(options: WorkerOptions) {
    const timeCapMs = options.timeCapMs ?? 60_000;
    this.#options = {
      concurrency: 2,
      pollMs: 1_000,
      keepFinishedMs: 7 * 24 * 3600_000,
      retry: DEFAULT_RETRY,
      ...options,
      timeCapMs,
      leaseMs: options.leaseMs ?? timeCapMs * 1.5,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = Array.from({ length: this.#options.concurrency }, () => this.#loop());
  }

  /** Tells idle loops that a job was just enqueued. */
  wake(): void {
    for (const wake of this.#wakers) wake();
  }

  /** Stops claiming; resolves once the jobs in hand are finished. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await Promise.all(this.#loops);
  }

  async #loop(): Promise<void> {
    const { queue, log, leaseMs, pollMs } = this.#options;
    while (this.#running) {
      let job: Job | undefined;
      try {
        job = await queue.claim(this.id, leaseMs);
      } catch (error) {
        log.warn({ err: error }, 'job queue unavailable; will try again');
      }
      if (job) await this.#run(job);
      else await Promise.all([this.#pruneHourly(), this.#idle(pollMs)]);
    }
  }

  /** When idle, at most once an hour, so the jobs table does not grow without bound. */
  async #pruneHourly(): Promise<void> {
    if (Date.now() - this.#prunedAt < 3600_000) return;
    this.#prunedAt = Date.now();
    const { queue, log, keepFinishedMs } = this.#options;
    try {
      const deleted = await queue.prune(keepFinishedMs);
      if (deleted > 0) log.info({ deleted }, 'finished jobs pruned');
    } catch (error) {
      log.warn({ err: error }, 'could not prune finished jobs');
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }

  async #run(job: Job): Promise<void> {
    const { queue, log, retry } = this.#options;
    const about = { deliveryId: job.deliveryId, event: job.event, action: job.action, repo: job.repo, issue: job.issueNumber, attempt: job.attempts };
    const started = Date.now();
    try {
      await this.#withinCap((signal) => this.#options.process(job, signal));
      await queue.complete(job, this.id);
      log.debug({ ...about, ms: Date.now() - started }, 'job done');
      return;
    } catch (error) {
      const verdict = error instanceof JobTimeCapError ? { retry: false as const, reason: error.message } : retryVerdict(error, job.attempts, retry);
      await this.#record(job, verdict.retry ? verdict.delayMs : undefined, verdict.reason).catch((recordError: unknown) =>
        // The lease will run out and the job come back: nothing is lost.
        log.warn({ ...about, err: recordError }, 'could not record job outcome'),
      );
      if (verdict.retry) log.warn({ ...about, delayMs: verdict.delayMs, reason: verdict.reason }, 'job failed; will retry');
      else log.error({ ...about, reason: verdict.reason }, 'job failed');
    }
  }

  /** A few quick tries, since the failure being recorded may be the database's own. */
  async #record(job: Job, retryDelayMs: number | undefined, reason: string): Promise<boolean> {
    const { queue } = this.#options;
    for (let attempt = 1; ; attempt++) {
      try {
        return retryDelayMs === undefined
          ? await queue.fail(job, this.id, reason)
          : await queue.retryLater(job, this.id, reason, retryDelayMs);
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /**
   * Runs `work` with a signal that aborts at the cap, and settles once the work has stopped:
   * every request and write of a job watches its signal. A job that ignores it is given up on
   * after a grace period; its writes still refuse to start.
   */
  async #withinCap(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const cap = this.#options.timeCapMs;
    const controller = new AbortController();
    const overCap = new JobTimeCapError(`took longer than the ${cap} ms cap per job`);
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => controller.abort(overCap), cap);
    const givenUp = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => (grace = setTimeout(() => reject(overCap), STOP_GRACE_MS)), { once: true });
    });
    try {
      await Promise.race([work(controller.signal), givenUp]);
    } catch (error) {
      throw controller.signal.aborted ? overCap : error;
    } finally {
      clearTimeout(timer);
      clearTimeout(grace);
    }
  }
}
