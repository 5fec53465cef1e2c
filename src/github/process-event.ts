/**
 * One webhook event, from its name and payload to the work it asks for. Every event takes
 * this one path, in production and in tests: webhook -> job -> worker -> `processEvent` ->
 * `decide` -> the executor. New events and commands are one more case in the switch.
 */
import type { RetriageRole } from '../triage/config.js';
import type { Reaction } from '../triage/effects.js';
import { loadRepoConfig, type RepoConfig } from './repo-config.js';
import { hasNoStanding, mayRun, parseCommand, standing, type Command, type Standing } from './commands.js';
import { issueRef } from './executor.js';
import { commentRaces, pastedWith } from './issue-races.js';
import { labelsChanged, ownersPushed, type PushPayload } from './ownership-events.js';
import { recordClosedAsDuplicate, recordMergedPullRequest, type MergedPullRequest } from './pair-signals.js';
import { runRaceCommands } from './race-commands.js';
import { fetchIssue, triageIssue, type TriageDeps, type TriageOptions } from './triage-issue.js';
import { intoDefaultBranch, isBot, type GitHub, type IssueLocation, type IssuePayload, type PullBase, type Sender } from './types.js';

/** A webhook delivery reduced to plain data (what a job records). */
export interface GitHubEvent {
  /** `issues` or `issue_comment`: the `X-GitHub-Event` header. */
  name: string;
  payload: unknown;
  installationId: number;
  /** Later deliveries of the same command on the same issue, folded into this run. */
  folded?: GitHubEvent[];
}

export interface CommentPayload {
  id: number;
  body?: string | null;
  user?: Sender | null;
}

/** One use of a command: the comment, who wrote it, who wrote the issue. */
export interface Use {
  comment: CommentPayload;
  login: string;
  author: string | undefined;
}

interface EventPayload {
  action?: string;
  issue?: IssuePayload;
  comment?: CommentPayload;
  changes?: { body?: unknown };
  repository?: { name: string; owner: { login: string }; private?: boolean; default_branch?: string };
  sender?: Sender;
  pull_request?: MergedPullRequest & PullBase & { merged?: boolean };
}

/** What a triage is told of the issue's repository. */
export type RepoFacts = Pick<TriageOptions, 'privateRepo' | 'defaultBranch'>;

/** The events the app subscribes to (app.yml lists the same). */
export const HANDLED_EVENTS = [
  'issues.opened',
  'issues.reopened',
  'issues.edited',
  'issues.closed',
  'issues.deleted',
  'issues.transferred',
  'issues.labeled',
  'issues.unlabeled',
  'issue_comment.created',
  'issue_comment.edited',
  'issue_comment.deleted',
  'pull_request.closed',
  // A push to the default branch: its OWNERS files are read again (events without an action are named alone).
  'push',
] as const;

export type EventResult = 'ignored' | 'triaged' | 'indexed' | 'denied';

/** A refused commenter gets at most one 😕 per issue per hour, so refusals cannot be used to spam. */
const DENIED_REACTION_WINDOW_MS = 60 * 60_000;
/** Distinct commenters whose standing one run checks; further ones are ignored. */
const MAX_COMMENTERS = 10;

/** The command a comment event carries, if any (the queue folds pending runs of one issue's commands). */
export function commandOf(name: string, payload: unknown): Command | undefined {
  const p = payload as EventPayload;
  if (name !== 'issue_comment' || p.action !== 'created' || isBot(p.sender) || p.issue?.pull_request) return undefined;
  return parseCommand(p.comment?.body);
}

export async function processEvent(octokit: GitHub, signal: AbortSignal, event: GitHubEvent, deps: TriageDeps): Promise<EventResult> {
  if (event.name === 'push') return ownersPushed(event.payload as PushPayload, event.installationId, deps);
  const payload = event.payload as EventPayload;
  const { issue, repository } = payload;
  if (event.name === 'pull_request') return pullRequestEvent(octokit, signal, event.installationId, payload, deps);
  if (!issue || !repository || issue.pull_request) return 'ignored';

  const where: IssueLocation = {
    installationId: event.installationId,
    owner: repository.owner.login,
    repo: repository.name,
    number: issue.number,
  };
  // What every triage of the repository's issues is told: whether it is private, where OWNERS files are read.
  const repoFacts: RepoFacts = { privateRepo: repository.private ?? false, defaultBranch: repository.default_branch };

  const fromBot = isBot(payload.sender);
  switch (`${event.name}.${payload.action}`) {
    case 'issues.opened':
    case 'issues.reopened':
      if (fromBot) return 'ignored';
      await triageIssue(octokit, signal, where, issue, deps, repoFacts);
      return 'triaged';
    case 'issues.edited':
      // A title or label edit changes no race; only a new body is worth a look.
      if (fromBot || !payload.changes?.body) return 'ignored';
      await triageIssue(octokit, signal, where, issue, deps, repoFacts);
      return 'triaged';
    // Index updates follow GitHub whoever acted (a stale-bot closing issues too): they post nothing.
    case 'issues.closed':
      signal.throwIfAborted();
      await deps.index.setState(issueRef(where), 'closed', issue.state_reason ?? null, issue.updated_at);
      await labelsChanged(where, issue, deps);
      // A race issue closed as a duplicate of another: the strongest pair a repository has.
      if (issue.state_reason === 'duplicate' && (await deps.index.getIssue(issueRef(where)))) {
        await recordClosedAsDuplicate(octokit, where, payload.sender?.login, deps.pairs);
      }
      return 'indexed';
    // This app's own label events too: they read no config and send no request, so they cannot loop.
    case 'issues.labeled':
    case 'issues.unlabeled':
      signal.throwIfAborted();
      await labelsChanged(where, issue, deps);
      return 'indexed';
    case 'issues.deleted':
    case 'issues.transferred':
      // A transferred issue arrives in its new repository as a new issue there.
      signal.throwIfAborted();
      await deps.index.removeIssue(issueRef(where));
      await deps.botState.remove(issueRef(where));
      await deps.ownership.remove(issueRef(where));
      return 'indexed';
    case 'issue_comment.created':
      // Commands are one more case each; any other comment may paste a race.
      switch (commandOf(event.name, payload)?.name) {
        case 'retriage':
          return retriage(octokit, signal, where, [event, ...(event.folded ?? [])], deps, repoFacts);
        case 'race':
          return race(octokit, signal, where, [event, ...(event.folded ?? [])], deps, repoFacts);
        default:
          return commentChanged(octokit, signal, where, payload, deps, repoFacts);
      }
    case 'issue_comment.edited':
    case 'issue_comment.deleted':
      return commentChanged(octokit, signal, where, payload, deps, repoFacts);
    default:
      return 'ignored';
  }
}

/**
 * A pull request merged into the default branch: the issues it closes are recorded as fixed by
 * it (no request to GitHub). When it closed several race issues, those the bot commented on are
 * triaged again, so their comments show the others fixed by the same pull request. One merged
 * into another branch (a release branch) closes nothing on GitHub, and is ignored.
 */
async function pullRequestEvent(octokit: GitHub, signal: AbortSignal, installationId: number, payload: EventPayload, deps: TriageDeps): Promise<EventResult> {
  const pr = payload.pull_request;
  const repository = payload.repository;
  if (payload.action !== 'closed' || !pr?.merged || !repository) return 'ignored';
  if (!intoDefaultBranch(pr, repository.default_branch)) return 'ignored';
  signal.throwIfAborted();
  const repo = { installationId, repo: `${repository.owner.login}/${repository.name}`.toLowerCase() };
  const paired = await recordMergedPullRequest(repo, pr, deps.pairs, deps.index);
  deps.log.info({ repo: repo.repo, pr: pr.number, raceIssues: paired }, 'merged pull request read');
  if (paired.length < 2) return 'indexed';
  for (const number of paired) {
    const where: IssueLocation = { installationId, owner: repository.owner.login, repo: repository.name, number };
    if (!(await deps.botState.get(issueRef(where)))?.commentId) continue;
    const issue = await fetchIssue(octokit, where);
    await triageIssue(octokit, signal, where, issue, deps, { privateRepo: repository.private ?? false, defaultBranch: repository.default_branch, fresh: true });
  }
  return 'triaged';
}

/**
 * A person's comment was written, edited or deleted: when it reports a race now, or reported
 * one before, the issue's races change and it is triaged again. Other comments (the great
 * majority) cost nothing: no config, no request, one index read at most. Bots' comments,
 * this app's included, are never read for races.
 */
async function commentChanged(
  octokit: GitHub,
  signal: AbortSignal,
  where: IssueLocation,
  payload: EventPayload,
  deps: TriageDeps,
  repoFacts: RepoFacts,
): Promise<EventResult> {
  const { comment, issue } = payload;
  if (!comment || !issue || isBot(comment.user)) return 'ignored';
  const body = payload.action === 'deleted' ? null : (comment.body ?? '');
  // Whether it reports a race at all does not depend on the repository's settings.
  const reports = body === null ? 0 : commentRaces(body, {}, comment.id).length;
  const hadRaces = reports === 0 && (await deps.index.getIssue(issueRef(where)))?.races.some((r) => r.commentId === comment.id);
  if (reports === 0 && !hadRaces) return 'ignored';
  await triageIssue(octokit, signal, where, issue, deps, { ...repoFacts, comment: { id: comment.id, body } });
  return 'triaged';
}

/** A use of a command by someone the config allows, with what GitHub says of them. */
export interface PermittedUse extends Use {
  standing: Standing;
}

/**
 * Who of the pending uses of a command may run it. Standing is checked first and costs one
 * request per commenter; only when someone may run it is the config revalidated (a queued
 * job may run after a change of it). Nobody: the refusal is logged and, once an hour per
 * issue, the latest use gets a confused reaction; undefined is returned.
 */
async function authorize(
  octokit: GitHub,
  signal: AbortSignal,
  where: IssueLocation,
  events: GitHubEvent[],
  deps: TriageDeps,
  command: string,
): Promise<{ permitted: PermittedUse[]; config: RepoConfig } | undefined> {
  const uses: Use[] = events.flatMap((e) => {
    const p = e.payload as EventPayload;
    return p.comment?.user && commandOf(e.name, p) ? [{ comment: p.comment, login: p.comment.user.login, author: p.issue?.user?.login }] : [];
  });
  const commenters = [...new Map(uses.map((u) => [u.login.toLowerCase(), u])).values()].slice(0, MAX_COMMENTERS);
  const standings: [Use, Standing][] = [];
  for (const use of commenters) standings.push([use, await standing(octokit, where, use.login, use.author)]);

  // Only people with some standing make the config worth reading: the cached one decides,
  // and the config as GitHub holds it now confirms before anything is done.
  const candidates = standings.filter(([, who]) => !hasNoStanding(who));
  let config: RepoConfig | undefined;
  let repoConfig: RepoConfig | undefined;
  let permitted: Map<string, Standing> = new Map();
  if (candidates.length > 0) {
    config = await loadRepoConfig(octokit, where, deps.configSource, deps.log, { allowStale: true });
    permitted = await permittedCommenters(octokit, where, candidates, config.config.retriage);
    if (permitted.size > 0) {
      repoConfig = await loadRepoConfig(octokit, where, deps.configSource, deps.log, { revalidate: true });
      permitted = await permittedCommenters(octokit, where, candidates, repoConfig.config.retriage);
    }
  }

  if (permitted.size === 0 || !repoConfig) {
    deps.log.info({ repo: `${where.owner}/${where.repo}`, issue: where.number, users: commenters.map((c) => c.login) }, `${command} denied`);
    if (await deps.botState.takeDeniedReaction(issueRef(where), DENIED_REACTION_WINDOW_MS)) {
      config = repoConfig ?? config ?? (await loadRepoConfig(octokit, where, deps.configSource, deps.log, { allowStale: true }));
      if (!config.config.dry_run) await deps.executor.react(octokit, signal, where, uses.at(-1)!.comment.id, 'confused');
    }
    return undefined;
  }
  return {
    permitted: uses.flatMap((use) => {
      const who = permitted.get(use.login.toLowerCase());
      return who ? [{ ...use, standing: who }] : [];
    }),
    config: repoConfig,
  };
}

/**
 * `/retriage`, once for every pending use of it on the issue, as the latest permitted
 * commenter asked. The issue is fetched again: triaging a stale copy would undo edits.
 */
async function retriage(
  octokit: GitHub,
  signal: AbortSignal,
  where: IssueLocation,
  events: GitHubEvent[],
  deps: TriageDeps,
  repoFacts: RepoFacts,
): Promise<EventResult> {
  const allowed = await authorize(octokit, signal, where, events, deps, '/retriage');
  if (!allowed) return 'denied';
  const chosen = allowed.permitted.at(-1)!;
  const fresh = allowed.config;
  const react = async (content: Reaction) => {
    if (!fresh.config.dry_run) await deps.executor.react(octokit, signal, where, chosen.comment.id, content);
  };
  await react('eyes');
  const issue = (events[0]!.payload as EventPayload).issue!;
  // A race pasted below the command is read too.
  await triageIssue(octokit, signal, where, issue, deps, { ...repoFacts, config: fresh, refetch: true, comment: pastedWith(chosen.comment) });
  await react('+1');
  return 'triaged';
}

/** The `/race` commands of every pending comment on the issue, each as its permitted author asked. */
async function race(
  octokit: GitHub,
  signal: AbortSignal,
  where: IssueLocation,
  events: GitHubEvent[],
  deps: TriageDeps,
  repoFacts: RepoFacts,
): Promise<EventResult> {
  const allowed = await authorize(octokit, signal, where, events, deps, '/race');
  if (!allowed) return 'denied';
  await runRaceCommands(octokit, signal, where, allowed.permitted, allowed.config, deps, repoFacts);
  return 'triaged';
}

/** Commenters the roles allow, by lower-cased login (an author the config does not allow as such is judged by role). */
async function permittedCommenters(octokit: GitHub, where: IssueLocation, candidates: [Use, Standing][], roles: readonly RetriageRole[]): Promise<Map<string, Standing>> {
  const permitted = new Map<string, Standing>();
  for (const [use, who] of candidates) {
    const judged = !mayRun(who, roles) && who.author && who.role === undefined ? await standing(octokit, where, use.login, use.author, true) : who;
    if (mayRun(judged, roles)) permitted.set(use.login.toLowerCase(), judged);
  }
  return permitted;
}
