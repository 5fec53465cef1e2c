/**
 * The one place that changes anything: it runs a decision's effects (index, labels, the
 * comment, reactions) for one job, in order, and the writes of commands (replies, closing an
 * issue as a duplicate).
 *
 * - Every write watches the job's `AbortSignal`: once the job is past its cap, no write
 *   starts, and the requests in flight are cancelled.
 * - GitHub writes take the installation's next slot of the shared write spacing.
 * - Before a write to GitHub the bot's state records what it is about to do; after it, what
 *   it did. A run cut short (killed, or GitHub answered 5xx after writing) leaves a pending
 *   write that the next run checks on GitHub before doing anything again.
 */
import type { Logger } from 'pino';
import type { BotReplies, BotState, BotStateStore, IndexedIssue, IssueRef, RaceIndex } from '../store/index.js';
import type { Effect, LabelMemory, Reaction } from '../triage/effects.js';
import { bodyDigest, editComment, findOwnComment, postComment, type BotIdentity } from './bot-comment.js';
import { addLabels, removeLabels } from './issue-labels.js';
import type { WriteSpacing } from './jobs/write-spacing.js';
import type { GitHub, IssueLocation } from './types.js';

const HOUR_MS = 60 * 60_000;

/** Long-lived collaborators of the executor, shared by all jobs of the process. */
export interface ExecutorDeps {
  index: RaceIndex;
  botState: BotStateStore;
  /** Where replies to commands are remembered. */
  replies: BotReplies;
  spacing: WriteSpacing;
  log: Logger;
  now?: () => number;
}

/** One job's view of one issue. */
export interface IssueJob {
  octokit: GitHub;
  signal: AbortSignal;
  where: IssueLocation;
  /** The bot's state as the run found and reconciled it; updated as effects run. */
  state: BotState;
  /** What the index stores for the issue, given its races. */
  indexed: (races: IndexedIssue['races']) => IndexedIssue;
  /** New comments per hour in the repository (config `comments_per_hour`). */
  commentsPerHour: number;
}

export interface ExecutionOutcome {
  comment: 'created' | 'edited' | 'unchanged' | 'none' | 'capped';
  labelsAdded: string[];
  labelsRemoved: string[];
}

export function issueRef(where: IssueLocation): IssueRef {
  return { installationId: where.installationId, repo: `${where.owner}/${where.repo}`.toLowerCase(), number: where.number };
}

export class Executor {
  readonly #deps: ExecutorDeps;

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
  }

  /**
   * Runs `effects` in order. `memory`, when given, is what the bot's labels become: the run
   * starts from it less the labels still to add, plus those still to remove.
   */
  async run(job: IssueJob, effects: Effect[], memory?: LabelMemory): Promise<ExecutionOutcome> {
    const outcome: ExecutionOutcome = { comment: 'none', labelsAdded: [], labelsRemoved: [] };
    // The state as found: it is written back only when it changed.
    let stored = JSON.stringify(job.state);
    if (memory) {
      const adding = new Set(effects.flatMap((e) => (e.kind === 'add-labels' ? e.labels : [])).map(lower));
      const removing = effects.flatMap((e) => (e.kind === 'remove-labels' ? e.labels : []));
      job.state.labels = unique([...memory.labels.filter((l) => !adding.has(lower(l))), ...removing]);
      job.state.declined = memory.declined;
    }
    const save = async () => {
      const now = JSON.stringify(job.state);
      if (now === stored) return;
      job.signal.throwIfAborted();
      await this.#deps.botState.put(issueRef(job.where), job.state);
      stored = now;
    };

    for (const effect of effects) {
      switch (effect.kind) {
        case 'index':
          job.signal.throwIfAborted();
          if (effect.races.length > 0) await this.#deps.index.upsertIssue(job.indexed(effect.races));
          else await this.#deps.index.removeIssue(issueRef(job.where));
          break;
        case 'add-labels':
          job.state.pendingAdd = effect.labels;
          await save();
          await this.#write(job, () => addLabels(job.octokit, job.where, effect.labels));
          job.state.labels = unique([...job.state.labels, ...effect.labels]);
          job.state.pendingAdd = [];
          outcome.labelsAdded.push(...effect.labels);
          break;
        case 'remove-labels':
          job.state.pendingRemove = effect.labels;
          await save();
          for (const name of effect.labels) await this.#write(job, () => removeLabels(job.octokit, job.where, [name]));
          job.state.labels = job.state.labels.filter((l) => !effect.labels.some((r) => lower(r) === lower(l)));
          job.state.pendingRemove = [];
          outcome.labelsRemoved.push(...effect.labels);
          break;
        case 'comment':
          outcome.comment = await this.#comment(job, effect.body, save);
          break;
        case 'react':
          await this.react(job.octokit, job.signal, job.where, effect.commentId, effect.content);
          break;
      }
    }
    await save();
    return outcome;
  }

  /** Reacts to a comment on the issue (a command's acknowledgement); needs no issue state. */
  async react(octokit: GitHub, signal: AbortSignal, where: IssueLocation, commentId: number, content: Reaction): Promise<void> {
    await this.#spaced(where, signal, () =>
      octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
        owner: where.owner,
        repo: where.repo,
        comment_id: commentId,
        content,
      }),
    );
  }

  /**
   * Closes an issue as a duplicate of another, the way GitHub's own "Close as duplicate" does
   * (GraphQL `closeIssue`, `stateReason: DUPLICATE`). The caller has just read the issue and
   * found it open: a run repeated after this write finds it closed and does not write again.
   */
  async closeAsDuplicate(octokit: GitHub, signal: AbortSignal, where: IssueLocation, issueId: string, duplicateOfId: string): Promise<void> {
    await this.#spaced(where, signal, () => octokit.graphql(CLOSE_AS_DUPLICATE, { issueId, duplicateIssueId: duplicateOfId }));
  }

  /**
   * The bot's reply under `key` on an issue (`help`, or a command's refusals): edited in place
   * when there is one, posted otherwise. A post whose answer was not seen is looked for on the
   * issue (by its hidden key) before posting again.
   */
  async reply(octokit: GitHub, signal: AbortSignal, where: IssueLocation, identity: BotIdentity, key: string, text: string): Promise<'created' | 'edited' | 'unchanged'> {
    const store = this.#deps.replies;
    const ref = issueRef(where);
    const body = `${replyMarker(key)}\n${text}`;
    const digest = bodyDigest(body);
    let known = await store.get(ref, key);
    if (known?.pending) {
      const marker = replyMarker(key);
      const found = await findOwnComment(octokit, where, identity, (text) => (text.startsWith(marker) ? true : undefined));
      known = { commentId: found?.id ?? null, digest: found ? bodyDigest(found.body) : null, pending: false };
    }
    if (known?.commentId) {
      if (known.digest === digest) return 'unchanged';
      try {
        await this.#spaced(where, signal, () => editComment(octokit, where, known!.commentId!, body));
        await store.put(ref, key, { commentId: known.commentId, digest, pending: false });
        return 'edited';
      } catch (error) {
        // A person deleted the reply: a new one is posted.
        if ((error as { status?: number }).status !== 404) throw error;
      }
    }
    signal.throwIfAborted();
    await store.put(ref, key, { commentId: null, digest: null, pending: true });
    const id = await this.#spaced(where, signal, () => postComment(octokit, where, body));
    await store.put(ref, key, { commentId: id, digest, pending: false });
    return 'created';
  }

  /** A write to GitHub in the installation's next slot of the write spacing, unless the job was stopped meanwhile. */
  async #spaced<T>(where: IssueLocation, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
    await this.#deps.spacing.take(where.installationId, signal);
    signal.throwIfAborted();
    return request();
  }

  /** Edits the bot's comment when its text changed, or posts it within the hourly cap: one write at most. */
  async #comment(job: IssueJob, body: string, save: () => Promise<void>): Promise<ExecutionOutcome['comment']> {
    const { state } = job;
    const digest = bodyDigest(body);
    if (state.commentId !== null) {
      if (state.commentDigest === digest) return 'unchanged';
      try {
        await this.#write(job, () => editComment(job.octokit, job.where, state.commentId!, body));
        state.commentDigest = digest;
        return 'edited';
      } catch (error) {
        // A person deleted the bot's comment: it is gone, and a new one may be posted below.
        if ((error as { status?: number }).status !== 404) throw error;
        state.commentId = null;
        state.commentDigest = null;
      }
    }
    const now = (this.#deps.now ?? Date.now)();
    const ref = issueRef(job.where);
    const posted = await this.#deps.botState.commentsPostedSince(ref.installationId, ref.repo, now - HOUR_MS);
    if (posted >= job.commentsPerHour) return 'capped';
    // Recorded before the POST: if its answer never comes, the next run looks for the marker first.
    state.commentPending = true;
    state.commentPostedAt = now;
    await save();
    const id = await this.#write(job, () => postComment(job.octokit, job.where, body));
    state.commentId = id;
    state.commentDigest = digest;
    state.commentPending = false;
    await save();
    return 'created';
  }

  async #write<T>(job: IssueJob, request: () => Promise<T>): Promise<T> {
    return this.#spaced(job.where, job.signal, request);
  }
}

/** GitHub's own "Close as duplicate": the issue closed with the reason and the issue it duplicates. */
const CLOSE_AS_DUPLICATE = `mutation CloseAsDuplicate($issueId: ID!, $duplicateIssueId: ID!) {
  closeIssue(input: { issueId: $issueId, stateReason: DUPLICATE, duplicateIssueId: $duplicateIssueId }) {
    issue {
      id
      state
      stateReason
    }
  }
}`;

/** The hidden first line of a reply: which reply it is, so a lost POST is found again. */
function replyMarker(key: string): string {
  return `<!-- race-triage-reply ${key.replace(/[^\w:-]/g, '')} -->`;
}

function lower(name: string): string {
  return name.toLowerCase();
}

function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(lower(n)) && !!seen.add(lower(n)));
}
