/**
 * The job queue over the store's database (SQLite or PostgreSQL, through Kysely).
 *
 * Claiming is one atomic `UPDATE ... WHERE id = (SELECT ...) RETURNING`: on PostgreSQL the
 * inner select takes `FOR UPDATE SKIP LOCKED`, so replicas never claim the same job; on
 * SQLite the statement itself is atomic. A claim is a lease: a job whose worker died comes
 * back when its lease runs out. Jobs of one issue run one at a time, in arrival order: a job
 * is claimable only when no earlier job of the same issue is unfinished.
 */
import { PostgresAdapter, type Kysely, type Selectable } from 'kysely';
import type { Delivery, Job, JobsDatabase, JobsTable, JobState } from './types.js';

export interface JobQueueOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export interface QueueStatus {
  counts: Record<JobState, number>;
  /** Age in ms of the oldest job waiting to run, 0 when none. */
  oldestPendingMs: number;
  /**
   * The most recent failures, newest first. No repository or issue: `/status` is served to
   * anyone who can reach the app, and private repositories' names stay private. The delivery
   * id finds the job's log lines, which name them.
   */
  lastErrors: { deliveryId: string; event: string; error: string; at: string }[];
}

const ISSUE_EVENTS = new Set(['issues', 'issue_comment']);

interface PayloadShape {
  action?: unknown;
  installation?: { id?: unknown };
  repository?: { full_name?: unknown };
  issue?: { number?: unknown };
}

export class JobQueue {
  readonly #db: Kysely<JobsDatabase>;
  readonly #now: () => number;
  readonly #postgres: boolean;

  constructor(db: Kysely<JobsDatabase>, options: JobQueueOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** Records a delivery. Returns false when that delivery id was recorded before. */
  async enqueue(delivery: Delivery): Promise<boolean> {
    const payload = (delivery.payload ?? {}) as PayloadShape;
    const installationId = typeof payload.installation?.id === 'number' ? payload.installation.id : null;
    const repo = typeof payload.repository?.full_name === 'string' ? payload.repository.full_name.toLowerCase() : null;
    const issueNumber = typeof payload.issue?.number === 'number' ? payload.issue.number : null;
    const issueKey =
      delivery.serialKey ??
      (ISSUE_EVENTS.has(delivery.name) && repo !== null && issueNumber !== null ? `${installationId ?? 0}/${repo}#${issueNumber}` : null);
    const now = this.#now();
    const result = await this.#db
      .insertInto('jobs')
      .values({
        delivery_id: delivery.id,
        event: delivery.name,
        action: typeof payload.action === 'string' ? payload.action : null,
        installation_id: installationId,
        repo,
        issue_number: issueNumber,
        issue_key: issueKey,
        payload: delivery.body ?? JSON.stringify(delivery.payload),
        priority: delivery.priority ?? 0,
        fold_key: delivery.foldKey ?? null,
        state: 'pending',
        attempts: 0,
        run_after: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('delivery_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Claims the next runnable job for `workerId`, holding it for `leaseMs`. */
  async claim(workerId: string, leaseMs: number): Promise<Job | undefined> {
    const now = this.#now();
    let next = this.#db
      .selectFrom('jobs as j')
      .select('j.id')
      .where((eb) =>
        eb.or([
          eb.and([eb('j.state', '=', 'pending'), eb('j.run_after', '<=', now)]),
          eb.and([eb('j.state', '=', 'running'), eb('j.lease_until', '<=', now)]),
        ]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('jobs as e')
              .select('e.id')
              .whereRef('e.issue_key', '=', 'j.issue_key')
              .whereRef('e.id', '<', 'j.id')
              .where('e.state', 'in', ['pending', 'running']),
          ),
        ),
      )
      .orderBy('j.priority')
      .orderBy('j.id')
      .limit(1);
    if (this.#postgres) next = next.forUpdate().skipLocked();
    const row = await this.#db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        lease_until: now + leaseMs,
        locked_by: workerId,
        updated_at: now,
      }))
      .where('id', '=', next)
      .returningAll()
      .executeTakeFirst();
    return row && toJob(row);
  }

  /**
   * Marks every other pending job of `job`'s fold key done, as folded into it, and returns
   * them: the running job does their work once (a burst of one command on one issue).
   */
  async fold(job: Job): Promise<Job[]> {
    if (job.foldKey === null) return [];
    const rows = await this.#db
      .updateTable('jobs')
      .set({ state: 'done', last_error: `folded into delivery ${job.deliveryId}`, updated_at: this.#now() })
      .where('fold_key', '=', job.foldKey)
      .where('state', '=', 'pending')
      .where('id', '<>', job.id)
      .returningAll()
      .execute();
    return rows.map(toJob).sort((a, b) => a.id - b.id);
  }

  /** Whether a delivery is recorded (the redelivery scan skips those). */
  async has(deliveryIds: string[]): Promise<Set<string>> {
    if (deliveryIds.length === 0) return new Set();
    const rows = await this.#db.selectFrom('jobs').select('delivery_id').where('delivery_id', 'in', deliveryIds).execute();
    return new Set(rows.map((r) => r.delivery_id));
  }

  /** Marks a claimed job done. False when the lease was lost to another worker. */
  complete(job: Job, workerId: string): Promise<boolean> {
    return this.#finish(job, workerId, { state: 'done', last_error: null });
  }

  /** Puts a claimed job back to run again after `delayMs`, keeping its error. */
  retryLater(job: Job, workerId: string, error: string, delayMs: number): Promise<boolean> {
    return this.#finish(job, workerId, { state: 'pending', last_error: error, run_after: this.#now() + delayMs });
  }

  /** Marks a claimed job failed for good, keeping its error. */
  fail(job: Job, workerId: string, error: string): Promise<boolean> {
    return this.#finish(job, workerId, { state: 'failed', last_error: error });
  }

  /**
   * Deletes finished jobs last changed more than `keepMs` ago, payloads and all. A redelivery
   * of a delivery older than that would run again; the bot's marker keeps it to one comment.
   */
  async prune(keepMs: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('jobs')
      .where('state', 'in', ['done', 'failed'])
      .where('updated_at', '<', this.#now() - keepMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async status(lastErrors = 10): Promise<QueueStatus> {
    const counts: Record<JobState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    const rows = await this.#db
      .selectFrom('jobs')
      .select((eb) => ['state', eb.fn.countAll().as('n'), eb.fn.min('created_at').as('oldest')])
      .groupBy('state')
      .execute();
    let oldestPending: number | null = null;
    for (const row of rows) {
      counts[row.state] = Number(row.n);
      if (row.state === 'pending' && row.oldest !== null) oldestPending = Number(row.oldest);
    }
    const failed = await this.#db
      .selectFrom('jobs')
      .select(['delivery_id', 'event', 'last_error', 'updated_at'])
      .where('state', '=', 'failed')
      .orderBy('updated_at', 'desc')
      .limit(lastErrors)
      .execute();
    return {
      counts,
      oldestPendingMs: oldestPending === null ? 0 : Math.max(0, this.#now() - oldestPending),
      lastErrors: failed.map((f) => ({
        deliveryId: f.delivery_id,
        event: f.event,
        error: f.last_error ?? '',
        at: new Date(Number(f.updated_at)).toISOString(),
      })),
    };
  }

  async #finish(
    job: Job,
    workerId: string,
    change: { state: JobState; last_error: string | null; run_after?: number },
  ): Promise<boolean> {
    const result = await this.#db
      .updateTable('jobs')
      .set({ ...change, lease_until: null, locked_by: null, updated_at: this.#now() })
      .where('id', '=', job.id)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

// PostgreSQL returns bigint columns as strings.
function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: Number(row.id),
    deliveryId: row.delivery_id,
    event: row.event,
    action: row.action,
    installationId: row.installation_id === null ? null : Number(row.installation_id),
    repo: row.repo,
    issueNumber: row.issue_number === null ? null : Number(row.issue_number),
    payload: JSON.parse(row.payload) as unknown,
    attempts: Number(row.attempts),
    foldKey: row.fold_key,
  };
}
