/**
 * `/retriage`: recognising the command in a comment, and deciding whether its author may
 * run it.
 */
import type { RetriageRole } from '../triage/config.js';
import type { GitHub, RepoRef } from './types.js';

/**
 * True when the comment's first line is `/retriage` (any case, optionally followed by
 * words). A first line that is quoted (`> /retriage`), fenced or indented as code is a
 * mention of the command, not a use of it.
 */
export function isRetriageCommand(commentBody: string | null | undefined): boolean {
  const firstLine = (commentBody ?? '').split(/\r?\n/, 1)[0] ?? '';
  // Up to three leading spaces is still a paragraph in Markdown; four make a code block.
  return /^ {0,3}\/retriage(?:\s|$)/i.test(firstLine);
}

/** The built-in repository roles GitHub reports. A custom role is judged by its base `permission`. */
const REPOSITORY_ROLE: Record<string, RetriageRole> = {
  admin: 'admin',
  maintain: 'maintain',
  write: 'write',
  triage: 'triage',
  read: 'read',
};

/**
 * May `login` run `/retriage` on an issue opened by `issueAuthor`? The author is decided
 * without a request; anyone else costs one call to the collaborator permission endpoint.
 */
export async function mayRetriage(
  octokit: GitHub,
  ref: RepoRef,
  login: string,
  issueAuthor: string | undefined,
  allowed: readonly RetriageRole[],
): Promise<boolean> {
  if (allowed.includes('author') && issueAuthor !== undefined && login.toLowerCase() === issueAuthor.toLowerCase()) {
    return true;
  }
  const repoRoles: readonly RetriageRole[] = allowed.filter((role) => role !== 'author');
  if (repoRoles.length === 0) return false;
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner: ref.owner,
      repo: ref.repo,
      username: login,
    });
    // `role_name` says `triage`/`maintain` where the older `permission` says `read`/`write`.
    const role = REPOSITORY_ROLE[data.role_name] ?? REPOSITORY_ROLE[data.permission];
    return role !== undefined && repoRoles.includes(role);
  } catch (error) {
    // 404: not a collaborator (or not a user). Anything else is a real failure.
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
