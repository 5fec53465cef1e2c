/**
 * Commands people type in issue comments (`/retriage`, `/race ...`), and who may run them.
 * Parsing is pure; finding a commenter's standing costs at most one request, and is done
 * before the repository's config is read, so a stranger's command costs the app almost nothing.
 */
import type { RetriageRole } from '../triage/config.js';
import { linesOutsideCode } from '../triage/markdown.js';
import type { GitHub, RepoRef } from './types.js';

/**
 * The commands there are: `/retriage` on a comment's first line, `/race` on any line. One more
 * is a name here, a way to find it in `parseCommand` and a case in `processEvent`.
 */
export type CommandName = 'retriage' | 'race';

export interface Command {
  name: CommandName;
}

/**
 * The command a comment carries, or undefined: `/retriage` on its first line (any case), or
 * `/race` lines anywhere outside code (see `raceCommandLines`). A first line that is quoted
 * (`> /retriage`), fenced or indented as code mentions a command without using it.
 */
export function parseCommand(commentBody: string | null | undefined): Command | undefined {
  const firstLine = (commentBody ?? '').split(/\r?\n/, 1)[0] ?? '';
  // Up to three leading spaces is still a paragraph in Markdown; four make a code block.
  if (/^ {0,3}\/retriage(?:\s|$)/i.test(firstLine.trimEnd())) return { name: 'retriage' };
  // `/race` commands may stand on any line, several to a comment.
  return raceCommandLines(commentBody).length > 0 ? { name: 'race' } : undefined;
}

/** What `/race` asks: the same race as an issue, not the same, forget the confirmations, help. */
export type RaceAction = 'dup' | 'not-dup' | 'undup' | 'help';

/** One `/race` line of a comment. */
export interface RaceCommand {
  /** The line as typed (trimmed, bounded), to quote in a reply. */
  text: string;
  action?: RaceAction;
  /** The issue named: `#12`, `owner/repo#12` or its address (`owner`/`repo` then given). */
  target?: { number: number; owner?: string; repo?: string; pullRequest?: boolean };
  /** Why the line is not a command that can be run (shown in the reply). */
  problem?: string;
}

/** Most `/race` lines read from one comment. */
const MAX_RACE_COMMANDS = 10;

/**
 * The `/race` lines of a comment, in order: each on a line of its own (up to three leading
 * spaces), outside fenced code, never in a quote (`> /race dup #1`) or an indented block.
 */
function raceCommandLines(commentBody: string | null | undefined): string[] {
  const found: string[] = [];
  for (const line of linesOutsideCode(commentBody)) {
    if (/^ {0,3}\/race(?:\s|$)/i.test(line)) found.push(line.trim());
    if (found.length >= MAX_RACE_COMMANDS) break;
  }
  return found;
}

const HELP_HINT = '`/race help` lists the commands';

/** The `/race` commands of a comment, each parsed or with the problem that keeps it from running. */
export function parseRaceCommands(commentBody: string | null | undefined): RaceCommand[] {
  return raceCommandLines(commentBody).map((line) => {
    const text = line.length > 120 ? `${line.slice(0, 117)}...` : line;
    const [, word = '', ...rest] = line.split(/\s+/);
    const action = word.toLowerCase();
    switch (action) {
      case 'help':
      case 'undup':
        return rest.length === 0 ? { text, action } : { text, problem: `\`/race ${action}\` takes no argument` };
      case 'dup':
      case 'not-dup': {
        const target = rest.length === 1 ? issueReference(rest[0]!) : undefined;
        if (!target) return { text, problem: `\`/race ${action}\` needs one issue, as in \`/race ${action} #123\`` };
        return { text, action, target };
      }
      case '':
        return { text, problem: `a command is missing after \`/race\`; ${HELP_HINT}` };
      default:
        return { text, problem: `\`/race ${action.slice(0, 40)}\` is not a command; ${HELP_HINT}` };
    }
  });
}

/** `#12`, `owner/repo#12`, or `https://github.com/owner/repo/issues/12` (or `/pull/12`). */
function issueReference(word: string): RaceCommand['target'] {
  const short = /^(?:([\w.-]+)\/([\w.-]+))?#(\d{1,9})$/.exec(word);
  if (short) return { number: Number(short[3]), ...(short[1] ? { owner: short[1], repo: short[2]! } : {}) };
  const url = /^https:\/\/[\w.-]+\/([\w.-]+)\/([\w.-]+)\/(issues|pull)\/(\d{1,9})(?:[#?].*)?$/.exec(word);
  if (url) return { number: Number(url[4]), owner: url[1]!, repo: url[2]!, ...(url[3] === 'pull' ? { pullRequest: true } : {}) };
  return undefined;
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
