/**
 * What the bot remembers about its own actions on each issue, kept in the index database
 * and not only in its comment: the labels it added (the only ones it may remove), the labels
 * a person removed after it added them (never added again), its comment, and the writes it
 * began but has not seen finish. A write whose outcome is unknown (the process died, GitHub
 * answered 5xx after writing) is looked up on GitHub before it is repeated.
 *
 * The comment's hidden marker keeps a copy, so tooling can read it and a lost database can
 * be rebuilt from GitHub.
 */
import type { Kysely } from 'kysely';
import type { IssueRef } from './types.js';

export interface BotState {
  /** Labels the bot added that are still on the issue. */
  labels: string[];
  /** Labels the bot added and a person removed. */
  declined: string[];
  /** Labels the bot has asked GitHub to add, outcome not yet seen. */
  pendingAdd: string[];
  /** Labels the bot has asked GitHub to remove, outcome not yet seen. */
  pendingRemove: string[];
  /** The bot's comment on the issue. */
  commentId: number | null;
  /** SHA-256 of the body the bot last wrote into it. */
  commentDigest: string | null;
  /** A comment POST was sent and its answer not seen: look for the marker before posting again. */
  commentPending: boolean;
  /** When the bot last began posting a new comment here (the hourly cap per repository counts these). */
  commentPostedAt: number | null;
  /** When someone not allowed to run a command last got the bot's reaction on this issue. */
  deniedReactionAt: number | null;
}

export const EMPTY_BOT_STATE: BotState = {
  labels: [],
  declined: [],
  pendingAdd: [],
  pendingRemove: [],
  commentId: null,
  commentDigest: null,
  commentPending: false,
  commentPostedAt: null,
  deniedReactionAt: null,
};

export interface BotStateTable {
  installation_id: number;
  /** `owner/name`, lower-cased. */
  repo: string;
  number: number;
  /** JSON arrays of label names. */
  labels: string;
  declined: string;
  pending_add: string;
  pending_remove: string;
  comment_id: number | null;
  comment_digest: string | null;
  /** 0 or 1. */
  comment_pending: number;
  comment_posted_at: number | null;
  denied_reaction_at: number | null;
  updated_at: number;
}

export type BotStateDatabase = { bot_state: BotStateTable };

/** Migration: the `bot_state` table. */
export async function createBotStateTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bot_state')
    .addColumn('installation_id', 'bigint', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('declined', 'text', (c) => c.notNull())
    .addColumn('pending_add', 'text', (c) => c.notNull())
    .addColumn('pending_remove', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'bigint')
    .addColumn('comment_digest', 'text')
    .addColumn('comment_pending', 'integer', (c) => c.notNull())
    .addColumn('comment_posted_at', 'bigint')
    .addColumn('denied_reaction_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_state_pk', ['installation_id', 'repo', 'number'])
    .execute();
  await db.schema.createIndex('bot_state_comment_posted').on('bot_state').columns(['installation_id', 'repo', 'comment_posted_at']).execute();
}

export class BotStateStore {
  readonly #db: Kysely<BotStateDatabase>;
  readonly #now: () => number;

  constructor(db: Kysely<BotStateDatabase>, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async get(ref: IssueRef): Promise<BotState | undefined> {
    const row = await this.#where(this.#db.selectFrom('bot_state').selectAll(), ref).executeTakeFirst();
    if (!row) return undefined;
    return {
      labels: JSON.parse(row.labels) as string[],
      declined: JSON.parse(row.declined) as string[],
      pendingAdd: JSON.parse(row.pending_add) as string[],
      pendingRemove: JSON.parse(row.pending_remove) as string[],
      commentId: row.comment_id === null ? null : Number(row.comment_id),
      commentDigest: row.comment_digest,
      commentPending: Number(row.comment_pending) === 1,
      commentPostedAt: row.comment_posted_at === null ? null : Number(row.comment_posted_at),
      deniedReactionAt: row.denied_reaction_at === null ? null : Number(row.denied_reaction_at),
    };
  }

  async put(ref: IssueRef, state: BotState): Promise<void> {
    const values = {
      labels: JSON.stringify(state.labels),
      declined: JSON.stringify(state.declined),
      pending_add: JSON.stringify(state.pendingAdd),
      pending_remove: JSON.stringify(state.pendingRemove),
      comment_id: state.commentId,
      comment_digest: state.commentDigest,
      comment_pending: state.commentPending ? 1 : 0,
      comment_posted_at: state.commentPostedAt,
      denied_reaction_at: state.deniedReactionAt,
      updated_at: this.#now(),
    };
    await this.#db
      .insertInto('bot_state')
      .values({ installation_id: ref.installationId, repo: ref.repo.toLowerCase(), number: ref.number, ...values })
      .onConflict((oc) => oc.columns(['installation_id', 'repo', 'number']).doUpdateSet(values))
      .execute();
  }

  /** New comments the bot began posting in a repository since `since` (every replica's). */
  async commentsPostedSince(installationId: number, repo: string, since: number): Promise<number> {
    const row = await this.#db
      .selectFrom('bot_state')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('installation_id', '=', installationId)
      .where('repo', '=', repo.toLowerCase())
      .where('comment_posted_at', '>', since)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async remove(ref: IssueRef): Promise<void> {
    await this.#where(this.#db.deleteFrom('bot_state'), ref).execute();
  }

  /**
   * Takes the issue's allowance of one reaction per `windowMs` to people a command refuses;
   * false when it was taken within the window. Atomic, so replicas share the allowance.
   */
  async takeDeniedReaction(ref: IssueRef, windowMs: number): Promise<boolean> {
    const now = this.#now();
    const result = await this.#db
      .insertInto('bot_state')
      .values({
        installation_id: ref.installationId,
        repo: ref.repo.toLowerCase(),
        number: ref.number,
        labels: '[]',
        declined: '[]',
        pending_add: '[]',
        pending_remove: '[]',
        comment_id: null,
        comment_digest: null,
        comment_pending: 0,
        comment_posted_at: null,
        denied_reaction_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['installation_id', 'repo', 'number'])
          .doUpdateSet({ denied_reaction_at: now, updated_at: now })
          .where((eb) => eb.or([eb('bot_state.denied_reaction_at', 'is', null), eb('bot_state.denied_reaction_at', '<=', now - windowMs)])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  #where<Q extends { where: (...args: any[]) => Q }>(query: Q, ref: IssueRef): Q {
    return query
      .where('installation_id', '=', ref.installationId)
      .where('repo', '=', ref.repo.toLowerCase())
      .where('number', '=', ref.number);
  }
}
