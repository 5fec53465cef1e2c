/**
 * The durable job queue's data model. A verified webhook becomes one row in `jobs`; the
 * worker claims rows, runs them, and records the outcome. Times are epoch milliseconds.
 */
import type { Generated } from 'kysely';

/** `pending` waits to run (maybe after a retry delay); `running` holds a lease; `done` and `failed` are final. */
export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Generated<number>;
  /** `X-GitHub-Delivery`: unique, so a redelivery is recorded once. */
  delivery_id: string;
  event: string;
  action: string | null;
  installation_id: number | null;
  /** `owner/name`, lower-cased. */
  repo: string | null;
  issue_number: number | null;
  /** `installation/repo#number` (or a backfill's repository): jobs with the same key run one at a time, in arrival order. */
  issue_key: string | null;
  /** The webhook payload as JSON. */
  payload: string;
  state: JobState;
  attempts: number;
  /** Not claimed before this time (retry backoff). */
  run_after: number;
  /** While `running`: the claim expires at this time, so a killed worker's job comes back. */
  lease_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface BackfillCheckpointsTable {
  installation_id: number;
  repo: string;
  /** Next page of `GET /repos/{owner}/{repo}/issues` to read; null once the run finished. */
  next_page: number | null;
  /** Only issues updated at or after this ISO time are read (set when a full run finishes). */
  since: string | null;
  /** When the current run started, ISO: becomes `since` once it finishes. */
  run_started_at: string | null;
  /** Issues (with races) written to the index in the current run. */
  indexed: number;
  updated_at: number;
}

// A type alias, not an interface, so Kysely's `withTables<JobsDatabase>()` accepts it.
export type JobsDatabase = {
  jobs: JobsTable;
  backfill_checkpoints: BackfillCheckpointsTable;
};

/** A job as the worker sees it. */
export interface Job {
  id: number;
  deliveryId: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repo: string | null;
  issueNumber: number | null;
  payload: unknown;
  /** Attempts started so far, this one included. */
  attempts: number;
}

/** A verified webhook delivery, ready to be recorded. */
export interface Delivery {
  id: string;
  name: string;
  payload: unknown;
  /** Jobs with the same key run one at a time; by default an issue event's key is its issue. */
  serialKey?: string;
}
