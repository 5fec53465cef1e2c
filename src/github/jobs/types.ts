/**
 * The durable job queue's data model, as the worker sees it. A verified webhook becomes one
 * row in the store's `jobs` table (`src/store/job-tables.ts`).
 */
export type { JobsDatabase, JobsTable, JobState } from '../../store/index.js';

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
  /** Set on commands: pending jobs with the same key are folded into this one when it runs. */
  foldKey: string | null;
}

/** A verified webhook delivery, ready to be recorded. */
export interface Delivery {
  id: string;
  name: string;
  /** The parsed body, read for the columns the queue schedules by. */
  payload: unknown;
  /** The body as signed; stored as is. Default: `payload` serialised (deliveries the app makes itself). */
  body?: string;
  /** Jobs with the same key run one at a time; by default an issue event's key is its issue. */
  serialKey?: string;
  /** Lower runs first among claimable jobs (default 0). */
  priority?: number;
  /** Pending jobs with the same fold key are done by one run. */
  foldKey?: string;
}
