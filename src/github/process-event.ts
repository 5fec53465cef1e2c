/**
 * One webhook event, from its name and payload to the work it asks for. Both the Probot
 * handler and a queued job call `processEvent`, so what an event does is decided here once.
 */
import type { IssueRef } from '../store/types.js';
import { loadRepoConfig } from './repo-config.js';
import { isRetriageCommand, mayRetriage } from './retriage.js';
import { triageIssue, type TriageDeps } from './triage-issue.js';
import { isBot, type GitHub, type IssueLocation, type IssuePayload, type Sender } from './types.js';

/** A webhook delivery reduced to plain data (what a job records). */
export interface GitHubEvent {
  /** `issues` or `issue_comment`: the `X-GitHub-Event` header. */
  name: string;
  payload: unknown;
  installationId: number;
}

interface EventPayload {
  action?: string;
  issue?: IssuePayload;
  comment?: { id: number; body?: string | null; user?: Sender | null };
  changes?: { body?: unknown };
  repository?: { name: string; owner: { login: string }; private?: boolean };
  sender?: Sender;
}

/** The events the app subscribes to (app.yml lists the same). */
export const HANDLED_EVENTS = [
  'issues.opened',
  'issues.reopened',
  'issues.edited',
  'issues.closed',
  'issues.deleted',
  'issues.transferred',
  'issue_comment.created',
] as const;

export type EventResult = 'ignored' | 'triaged' | 'indexed' | 'denied';

export async function processEvent(octokit: GitHub, event: GitHubEvent, deps: TriageDeps): Promise<EventResult> {
  const payload = event.payload as EventPayload;
  const { issue, repository } = payload;
  if (!issue || !repository || issue.pull_request) return 'ignored';

  const where: IssueLocation = {
    installationId: event.installationId,
    owner: repository.owner.login,
    repo: repository.name,
    number: issue.number,
  };
  const indexRef: IssueRef = { installationId: where.installationId, repo: `${where.owner}/${where.repo}`.toLowerCase(), number: where.number };
  const privateRepo = repository.private ?? false;

  const fromBot = isBot(payload.sender);
  switch (`${event.name}.${payload.action}`) {
    case 'issues.opened':
    case 'issues.reopened':
      if (fromBot) return 'ignored';
      await triageIssue(octokit, where, issue, deps, { privateRepo });
      return 'triaged';
    case 'issues.edited':
      // A title or label edit changes no race; only a new body is worth a look.
      if (fromBot || !payload.changes?.body) return 'ignored';
      await triageIssue(octokit, where, issue, deps, { privateRepo });
      return 'triaged';
    // Index updates follow GitHub whoever acted (a stale-bot closing issues too): they post nothing.
    case 'issues.closed':
      await deps.index.setState(indexRef, 'closed', issue.state_reason ?? null, issue.updated_at);
      return 'indexed';
    case 'issues.deleted':
    case 'issues.transferred':
      // A transferred issue arrives in its new repository as a new issue there.
      await deps.index.removeIssue(indexRef);
      return 'indexed';
    case 'issue_comment.created':
      if (fromBot) return 'ignored';
      return retriage(octokit, where, payload, deps, privateRepo);
    default:
      return 'ignored';
  }
}

/**
 * `/retriage`: the config is re-read (revalidated with GitHub, not taken from the cache)
 * and the issue fetched again. The payload's copy of the issue is current when the comment
 * is made, but a queued job may run later, after an edit or a label change; triaging a
 * stale copy would undo their effect. One GET for a rare, human-typed command is worth it.
 */
async function retriage(
  octokit: GitHub,
  where: IssueLocation,
  payload: EventPayload,
  deps: TriageDeps,
  privateRepo: boolean,
): Promise<EventResult> {
  const { comment, issue } = payload;
  if (!comment?.user || !issue || !isRetriageCommand(comment.body)) return 'ignored';

  const repoConfig = await loadRepoConfig(octokit, where, deps.configSource, deps.log, { revalidate: true });
  const { config } = repoConfig;
  const react = async (content: 'confused' | 'eyes' | '+1') => {
    if (config.dry_run) return;
    await octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
      owner: where.owner,
      repo: where.repo,
      comment_id: comment.id,
      content,
    });
  };

  if (!(await mayRetriage(octokit, where, comment.user.login, issue.user?.login, config.retriage))) {
    deps.log.info({ repo: `${where.owner}/${where.repo}`, issue: where.number, user: comment.user.login }, '/retriage denied');
    await react('confused');
    return 'denied';
  }
  await react('eyes');
  await triageIssue(octokit, where, issue, deps, { privateRepo, config: repoConfig, refetch: true });
  await react('+1');
  return 'triaged';
}
