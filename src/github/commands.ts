/**
 * Commands people type in issue comments (`/retriage`), and who may run them. Parsing is
 * pure; finding a commenter's standing costs at most one request, and is done before the
 * repository's config is read, so a stranger's command costs the app almost nothing.
 */
import type { RetriageRole } from '../triage/config.js';
import type { GitHub, RepoRef } from './types.js';

/** The commands there are; one more is one more name here and a case in `processEvent`. */
export const COMMANDS = ['retriage'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface Command {
  name: CommandName;
  /** The words after the command on its line. */
  args: string[];
}

/**
 * The command on a comment's first line (any case), or undefined. A first line that is
 * quoted (`> /retriage`), fenced or indented as code mentions a command without using it.
 */
export function parseCommand(commentBody: string | null | undefined): Command | undefined {
  const firstLine = (commentBody ?? '').split(/\r?\n/, 1)[0] ?? '';
  // Up to three leading spaces is still a paragraph in Markdown; four make a code block.
  const match = /^ {0,3}\/([a-z][\w-]*)(?:\s+(.*))?$/i.exec(firstLine.trimEnd());
  const name = match?.[1]!.toLowerCase();
  if (!match || !COMMANDS.includes(name as CommandName)) return undefined;
  return { name: name as CommandName, args: (match[2] ?? '').split(/\s+/).filter(Boolean) };
}

/** What GitHub says of a commenter on the issue's repository. */
export interface Standing {
  author: boolean;
  /** Their repository role; undefined when they have none (not a collaborator). */
  role?: Exclude<RetriageRole, 'author'>;
}

/** The built-in repository roles GitHub reports. A custom role is judged by its base `permission`. */
const REPOSITORY_ROLE: Record<string, Standing['role']> = {
  admin: 'admin',
  maintain: 'maintain',
  write: 'write',
  triage: 'triage',
  read: 'read',
};

/**
 * The issue's author needs no request (unless `roleNeeded`: the config does not let authors
 * run commands); anyone else costs one call to the collaborator permission endpoint.
 */
export async function standing(octokit: GitHub, ref: RepoRef, login: string, issueAuthor: string | undefined, roleNeeded = false): Promise<Standing> {
  const author = issueAuthor !== undefined && login.toLowerCase() === issueAuthor.toLowerCase();
  if (author && !roleNeeded) return { author };
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner: ref.owner,
      repo: ref.repo,
      username: login,
    });
    // `role_name` says `triage`/`maintain` where the older `permission` says `read`/`write`.
    const role = REPOSITORY_ROLE[data.role_name] ?? REPOSITORY_ROLE[data.permission];
    return role ? { author, role } : { author };
  } catch (error) {
    // 404: not a collaborator (or not a user). Anything else is a real failure.
    if ((error as { status?: number }).status === 404) return { author };
    throw error;
  }
}

/** True when no config could let this commenter run a command: not the author, no role. */
export function hasNoStanding(who: Standing): boolean {
  return !who.author && who.role === undefined;
}

export function mayRun(who: Standing, allowed: readonly RetriageRole[]): boolean {
  return (who.author && allowed.includes('author')) || (who.role !== undefined && allowed.includes(who.role));
}
