/**
 * The bot's one comment per issue: edited in place, never a second one. Its id is kept in
 * the bot's state (`src/store/bot-state.ts`); the hidden marker it carries finds it again
 * when the state is lost, or when a POST's answer never arrived.
 *
 * Only the app's own comments count: written through this app (`performed_via_github_app`)
 * or by its `[bot]` account. Any other bot, or a person, may copy the marker. The same search
 * finds the app's replies to commands, by the key each carries.
 */
import { createHash } from 'node:crypto';
import { findMarker } from '../triage/marker.js';
import type { MarkerData } from '../triage/types.js';
import type { GitHub, IssueLocation } from './types.js';

export interface BotComment {
  id: number;
  body: string;
  marker: MarkerData;
}

/** Who the app is on GitHub. */
export interface BotIdentity {
  appId: number;
  /** `slug[bot]`, once known (GET /app at start). */
  login?: string;
}

interface CommentShape {
  id: number;
  body?: string | null;
  user?: { login?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/** The bot's comments are near the top (its triage comment is posted on open); this bounds the work on huge threads. */
const MAX_PAGES = 10;

export function isOwnComment(comment: CommentShape, identity: BotIdentity): boolean {
  if (comment.performed_via_github_app?.id === identity.appId) return true;
  return identity.login !== undefined && comment.user?.login?.toLowerCase() === identity.login.toLowerCase();
}

/** The app's own comment that carries the marker; undefined when there is none. */
export async function findBotComment(octokit: GitHub, issue: IssueLocation, identity: BotIdentity): Promise<BotComment | undefined> {
  const found = await findOwnComment(octokit, issue, identity, findMarker);
  return found && { id: found.id, body: found.body, marker: found.match };
}

/**
 * The first of the app's own comments on the issue (in its first pages) whose body `match`
 * accepts, with what `match` made of it; undefined when there is none.
 */
export async function findOwnComment<T>(
  octokit: GitHub,
  issue: IssueLocation,
  identity: BotIdentity,
  match: (body: string) => T | undefined,
): Promise<{ id: number; body: string; match: T } | undefined> {
  let pages = 0;
  const comments = octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    per_page: 100,
  });
  for await (const page of comments) {
    for (const comment of page.data as CommentShape[]) {
      if (!comment.body || !isOwnComment(comment, identity)) continue;
      const found = match(comment.body);
      if (found !== undefined) return { id: comment.id, body: comment.body, match: found };
    }
    if (++pages >= MAX_PAGES) break;
  }
  return undefined;
}

/** What the bot state keeps of a comment body: enough to tell "unchanged" without reading it back. */
export function bodyDigest(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

export async function postComment(octokit: GitHub, issue: IssueLocation, body: string): Promise<number> {
  const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    body,
  });
  return Number(data.id);
}

export async function editComment(octokit: GitHub, issue: IssueLocation, commentId: number, body: string): Promise<void> {
  await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
    owner: issue.owner,
    repo: issue.repo,
    comment_id: commentId,
    body,
  });
}
