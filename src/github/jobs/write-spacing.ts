/**
 * GitHub asks integrations to leave about a second between content writes (comments, labels,
 * reactions) of one installation, and answers a burst with secondary rate limits. The next
 * free moment of each installation is a row in the database, taken atomically, so every
 * replica's writes share one schedule.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { JobsDatabase } from './types.js';

export const DEFAULT_WRITE_SPACING_MS = 1_000;

export class WriteSpacing {
  readonly #db: Kysely<JobsDatabase>;
  readonly #spacingMs: number;
  readonly #now: () => number;

  constructor(db: Kysely<JobsDatabase>, spacingMs = DEFAULT_WRITE_SPACING_MS, now: () => number = Date.now) {
    this.#db = db;
    this.#spacingMs = spacingMs;
    this.#now = now;
  }

  /** Waits for the installation's next free slot and takes it; rejects when `signal` aborts meanwhile. */
  async take(installationId: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#spacingMs <= 0) return;
    const now = this.#now();
    const spacing = this.#spacingMs;
    const row = await this.#db
      .insertInto('write_slots')
      .values({ installation_id: installationId, next_at: now + spacing })
      .onConflict((oc) =>
        oc.column('installation_id').doUpdateSet({
          next_at: sql<number>`case when write_slots.next_at > ${now} then write_slots.next_at + ${spacing} else ${now + spacing} end`,
        }),
      )
      .returning('next_at')
      .executeTakeFirstOrThrow();
    const wait = Number(row.next_at) - spacing - now;
    // An abort ends the wait with the job's own reason (its cap), not a bare AbortError.
    if (wait > 0) await sleep(wait, undefined, { signal }).catch((error: unknown) => Promise.reject(signal.aborted ? signal.reason : error));
  }
}
