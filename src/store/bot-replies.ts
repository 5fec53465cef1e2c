/**
 * The bot's replies to commands (`/race help`, a refusal), apart from its one triage comment:
 * which comment holds each reply, and replies begun whose answer was not seen. One reply per
 * key on an issue (`help`: asked again, the same comment is edited in place).
 */
import type { Kysely } from 'kysely';
import type { IssueRef } from './types.js';

export interface BotReply {
  commentId: number | null;
  /** SHA-256 of the body last written. */
  digest: string | null;
  /** A POST was sent and its answer not seen: look for the reply on the issue before posting again. */
  pending: boolean;
}

export interface BotRepliesTable {
  installation_id: number;
  repo: string;
  number: number;
  key: string;
  comment_id: number | null;
  digest: string | null;
  /** 0 or 1. */
  pending: number;
}

export type BotRepliesDatabase = { bot_replies: BotRepliesTable };

/** Migration: the `bot_replies` table. */
export async function createBotRepliesTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bot_replies')
    .addColumn('installation_id', 'bigint', (c) => c.notNull())
    .addColumn('repo', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'bigint')
    .addColumn('digest', 'text')
    .addColumn('pending', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_replies_pk', ['installation_id', 'repo', 'number', 'key'])
    .execute();
}

export class BotReplies {
  readonly #db: Kysely<BotRepliesDatabase>;

  constructor(db: Kysely<BotRepliesDatabase>) {
    this.#db = db;
  }

  async get(ref: IssueRef, key: string): Promise<BotReply | undefined> {
    const row = await this.#db
      .selectFrom('bot_replies')
      .select(['comment_id', 'digest', 'pending'])
      .where('installation_id', '=', ref.installationId)
      .where('repo', '=', ref.repo.toLowerCase())
      .where('number', '=', ref.number)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    return { commentId: row.comment_id === null ? null : Number(row.comment_id), digest: row.digest, pending: Number(row.pending) === 1 };
  }

  async put(ref: IssueRef, key: string, reply: BotReply): Promise<void> {
    const values = { comment_id: reply.commentId, digest: reply.digest, pending: reply.pending ? 1 : 0 };
    await this.#db
      .insertInto('bot_replies')
      .values({ installation_id: ref.installationId, repo: ref.repo.toLowerCase(), number: ref.number, key, ...values })
      .onConflict((oc) => oc.columns(['installation_id', 'repo', 'number', 'key']).doUpdateSet(values))
      .execute();
  }
}
