/**
 * Nothing lost across restarts: GitHub does not retry a webhook delivery by itself, so one
 * refused or unanswered while the app was down is gone unless the app asks for it again.
 * At start and every few minutes this lists the app's recent deliveries
 * (`GET /app/hook/deliveries`, as the app) and redelivers each one that never succeeded and
 * is not in the job queue (`POST /app/hook/deliveries/{delivery_id}/attempts`), as GitHub
 * recommends. A redelivery keeps its delivery id, so one that did get recorded runs once.
 *
 * Replicas take turns through one database row: one scan per interval, whoever is first.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { GitHub } from '../types.js';
import type { JobQueue } from './queue.js';
import type { JobsDatabase } from './types.js';

export interface RedeliveryOptions {
  db: Kysely<JobsDatabase>;
  queue: JobQueue;
  /** The client authenticated as the app (JWT), not as an installation. */
  app: () => Promise<GitHub>;
  log: Logger;
  /** Between scans. */
  intervalMs?: number;
  /** How far back the first scan of a database looks; later scans look back to the one before. */
  lookbackMs?: number;
  /** Listing pages (100 deliveries each) read per scan at most. */
  maxPages?: number;
  /** Attempts of one delivery after which it is left alone (the app refuses it for a reason). */
  maxAttempts?: number;
  now?: () => number;
}

interface DeliveryShape {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
}

const SCAN_ROW = 'webhook-deliveries';
/** GitHub keeps deliveries for redelivery about three days. */
const REDELIVERABLE_MS = 3 * 24 * 3600_000;

export class FailedDeliveries {
  readonly #options: Required<Omit<RedeliveryOptions, 'now'>> & { now: () => number };
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<unknown> = Promise.resolve();

  constructor(options: RedeliveryOptions) {
    this.#options = { intervalMs: 5 * 60_000, lookbackMs: 24 * 3600_000, maxPages: 10, maxAttempts: 3, now: Date.now, ...options };
  }

  /** Scans now, then every interval. */
  start(): void {
    const tick = (force: boolean) => {
      this.#scanning = this.scan({ force }).catch((error: unknown) => this.#options.log.warn({ err: error }, 'could not look for failed webhook deliveries; will try again'));
      void this.#scanning.then(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(() => tick(false), this.#options.intervalMs).unref();
      });
    };
    this.#timer = setTimeout(() => tick(true), 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#scanning;
  }

  /** Redelivers what failed; returns how many. Unless `force`, skips when another replica scanned within the interval. */
  async scan({ force = false } = {}): Promise<number> {
    const { db, queue, log, now, intervalMs, lookbackMs, maxPages, maxAttempts } = this.#options;
    const started = now();
    const previous = await db.selectFrom('delivery_scan').select('scanned_at').where('name', '=', SCAN_ROW).executeTakeFirst();
    const claimed = await db
      .insertInto('delivery_scan')
      .values({ name: SCAN_ROW, scanned_at: started })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ scanned_at: started })
          .where('delivery_scan.scanned_at', '<=', force ? started : started - intervalMs / 2),
      )
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return 0;
    // A little overlap with the scan before: a delivery can finish failing after it listed.
    const since = Math.max(started - REDELIVERABLE_MS, previous ? Number(previous.scanned_at) - intervalMs : started - lookbackMs);

    const octokit = await this.#options.app();
    const byGuid = new Map<string, { latest: DeliveryShape; attempts: number; ok: boolean }>();
    let pages = 0;
    // Page by page with the `cursor` of each `Link: next` (the app's JWT authentication does not
    // recognise the absolute URLs Octokit's paginate would follow as app routes).
    for (let cursor: string | undefined; ; ) {
      const page = await octokit.request('GET /app/hook/deliveries', { per_page: 100, ...(cursor ? { cursor } : {}) });
      const deliveries = page.data as DeliveryShape[];
      for (const d of deliveries) {
        if (Date.parse(d.delivered_at) < since) continue;
        const seen = byGuid.get(d.guid) ?? { latest: d, attempts: 0, ok: false };
        seen.attempts++;
        if (d.status_code >= 200 && d.status_code < 300) seen.ok = true;
        if (Date.parse(d.delivered_at) > Date.parse(seen.latest.delivered_at)) seen.latest = d;
        byGuid.set(d.guid, seen);
      }
      // Newest first: once a page reaches past `since`, the rest is older still.
      if (++pages >= maxPages || deliveries.some((d) => Date.parse(d.delivered_at) < since)) break;
      cursor = nextCursor(page.headers.link);
      if (cursor === undefined) break;
    }
    const failed = [...byGuid.entries()].filter(([, d]) => !d.ok && d.attempts < maxAttempts);
    const recorded = await queue.has(failed.map(([guid]) => guid));
    let redelivered = 0;
    for (const [guid, { latest }] of failed) {
      if (recorded.has(guid)) continue;
      await octokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: latest.id });
      redelivered++;
    }
    if (redelivered > 0) log.info({ redelivered, scanned: byGuid.size }, 'failed webhook deliveries redelivered');
    return redelivered;
  }
}

/** The `cursor` of the `rel="next"` link, if there is a next page. */
function nextCursor(link: string | undefined): string | undefined {
  const next = /<([^>]+)>;\s*rel="next"/.exec(link ?? '');
  return next ? (new URL(next[1]!).searchParams.get('cursor') ?? undefined) : undefined;
}
