/**
 * The bot's one comment per issue: found again by the hidden marker it carries, then
 * edited in place, so edits, `/retriage` and redelivered webhooks never add a second one.
 */
import { findMarker } from '../triage/marker.js';
import type { MarkerData } from '../triage/types.js';
import type { GitHub, IssueLocation } from './types.js';

export interface BotComment {
  id: number;
  body: string;
  marker: MarkerData;
}

/** The bot's comment is near the top (it is posted on open); this bounds the work on huge threads. */
const MAX_PAGES = 10;

/** The comment that carries the marker, written by a bot account; undefined when there is none. */
export async function findBotComment(octokit: GitHub, issue: IssueLocation): Promise<BotComment | undefined> {
  let pages = 0;
  const comments = octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    per_page: 100,
  });
  for await (const page of comments) {
    for (const comment of page.data) {
      // A person quoting the bot copies its marker too; only a bot's comment is the bot's.
      if (comment.user?.type !== 'Bot' || !comment.body) continue;
      const marker = findMarker(comment.body);
      if (marker) return { id: comment.id, body: comment.body, marker };
    }
    if (++pages >= MAX_PAGES) break;
  }
  return undefined;
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
