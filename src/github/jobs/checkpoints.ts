/** Where each repository's backfill stands, so a stopped run resumes at its page. */
import type { Kysely } from 'kysely';
import type { JobsDatabase } from './types.js';

export interface Checkpoint {
  /** Next page to read; undefined when no run is under way. */
  nextPage?: number;
  /** Only issues updated since then need reading: the start of the last finished run. */
  since?: string;
  /** When the run under way started. */
  runStartedAt?: string;
  /** Issues with races indexed so far in the run under way. */
  indexed: number;
  /** Next page of the comment listing, read once the issues are; undefined otherwise. */
  commentsPage?: number;
  /** Next page of the pull-request listing, read once the comments are; undefined otherwise. */
  pullsPage?: number;
}

export class BackfillCheckpoints {
  constructor(
    private readonly db: Kysely<JobsDatabase>,
    private readonly now: () => number = Date.now,
  ) {}

  async load(installationId: number, repo: string): Promise<Checkpoint | undefined> {
    const row = await this.db
      .selectFrom('backfill_checkpoints')
      .selectAll()
      .where('installation_id', '=', installationId)
      .where('repo', '=', repo.toLowerCase())
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      ...(row.next_page === null ? {} : { nextPage: Number(row.next_page) }),
      ...(row.since === null ? {} : { since: row.since }),
      ...(row.run_started_at === null ? {} : { runStartedAt: row.run_started_at }),
      ...(row.comments_page === null ? {} : { commentsPage: Number(row.comments_page) }),
      ...(row.pulls_page === null ? {} : { pullsPage: Number(row.pulls_page) }),
      indexed: Number(row.indexed),
    };
  }

  async save(installationId: number, repo: string, checkpoint: Checkpoint): Promise<void> {
    const values = {
      next_page: checkpoint.nextPage ?? null,
      since: checkpoint.since ?? null,
      run_started_at: checkpoint.runStartedAt ?? null,
      indexed: checkpoint.indexed,
      comments_page: checkpoint.commentsPage ?? null,
      pulls_page: checkpoint.pullsPage ?? null,
      updated_at: this.now(),
    };
    await this.db
      .insertInto('backfill_checkpoints')
      .values({ installation_id: installationId, repo: repo.toLowerCase(), ...values })
      .onConflict((oc) => oc.columns(['installation_id', 'repo']).doUpdateSet(values))
      .execute();
  }
}
