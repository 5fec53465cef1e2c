/**
 * The work for one issue: read the config, find the races, ask the index for earlier
 * issues, let the pure triage core decide, record the issue in the index, then make at
 * most one comment write and the label calls.
 *
 * It takes a client and plain data, not a Probot context, so a webhook handler and a
 * queued job (run later with `await app.auth(installationId)`) call it the same way.
 */
import type { Logger } from 'pino';
import { analyse } from '../race/index.js';
import type { IndexedIssue, RaceIndex } from '../store/types.js';
import { engineOptions, type Config } from '../triage/config.js';
import { decide } from '../triage/decide.js';
import { candidateLimit, learnedLabels } from '../triage/learned-labels.js';
import type { IssueInput } from '../triage/types.js';
import { editComment, findBotComment, postComment } from './bot-comment.js';
import type { CommentBudget } from './comment-budget.js';
import type { ConfigSource } from './config-source.js';
import { addLabels, removeLabels } from './issue-labels.js';
import type { LabelCache } from './label-cache.js';
import { loadRepoConfig, type RepoConfig } from './repo-config.js';
import { labelNames, type GitHub, type IssueLocation, type IssuePayload } from './types.js';

/** Long-lived collaborators, shared by all events of the process. */
export interface TriageDeps {
  index: RaceIndex;
  configSource: ConfigSource;
  labelCache: LabelCache;
  commentBudget: CommentBudget;
  log: Logger;
  /** A race's dashboard page, when the dashboard is on and has a public address. */
  raceUrl?: (repo: { owner: string; repo: string }, fingerprint: string) => string;
}

export interface TriageOptions {
  /** The config, when the caller has just loaded it (`/retriage` revalidates it first). */
  config?: RepoConfig;
  /** Read the issue from GitHub instead of trusting the payload's copy (`/retriage`). */
  refetch?: boolean;
  /** The repository is private: its issues are never shown to another repository. */
  privateRepo?: boolean;
}

/** What was done, for logs and callers. */
export interface TriageOutcome {
  races: number;
  comment: 'created' | 'edited' | 'unchanged' | 'none' | 'capped' | 'dry-run';
  labelsAdded: string[];
  labelsRemoved: string[];
}

export async function triageIssue(
  octokit: GitHub,
  where: IssueLocation,
  issue: IssuePayload,
  deps: TriageDeps,
  options: TriageOptions = {},
): Promise<TriageOutcome> {
  const { config, configError } = options.config ?? (await loadRepoConfig(octokit, where, deps.configSource, deps.log));
  const repo = `${where.owner}/${where.repo}`.toLowerCase();
  const indexRef = { installationId: where.installationId, repo, number: where.number };

  // An issue the index knows may carry the bot's comment even when the payload counted no
  // comments (a redelivered `opened`); otherwise a comment-less issue needs no search.
  const known = await deps.index.getIssue(indexRef);
  const existing = issue.comments > 0 || known ? await findBotComment(octokit, where) : undefined;
  // Once the bot has commented, the payload may be stale (a redelivery, a queued job run
  // late): its labels would read as "a person removed the bot's labels". Read the issue as
  // it is now. A new issue, the common case, never pays this call.
  const current = options.refetch || existing ? await fetchIssue(octokit, where) : issue;

  const input = issueInput(where, current, options.privateRepo ?? false);
  const races = analyse(input.body, engineOptions(config));

  if (races.length === 0 && !existing) {
    if (known) await deps.index.removeIssue(indexRef);
    return { races: 0, comment: 'none', labelsAdded: [], labelsRemoved: [] };
  }

  const signatures = races.map((race) => race.signature);
  const candidates =
    races.length === 0
      ? []
      : await deps.index.candidates({
          installationId: where.installationId,
          repo: input.repo,
          siblings: config.siblings,
          races: signatures,
          excludeNumber: where.number,
          limit: candidateLimit(config),
        });
  const repoLabels = await deps.labelCache.list(octokit, where);
  const decision = decide({
    issue: input,
    races,
    candidates,
    config,
    repoLabels,
    previous: existing?.marker,
    configError,
    learnedLabels: learnedLabels(candidates, config),
    ...(deps.raceUrl ? { raceUrl: (fingerprint: string) => deps.raceUrl!(where, fingerprint) } : {}),
  });

  // The index first: if a write below fails and the event is redelivered, the index
  // already knows the issue, so the bot's comment is searched for and not posted twice.
  if (races.length > 0) await deps.index.upsertIssue(indexedIssue(input, current, signatures, known));
  else await deps.index.removeIssue(indexRef);

  const labelsToAdd = decision.labelsToAdd.filter((name) => !input.labels.includes(name));
  const labelsToRemove = decision.labelsToRemove.filter((name) => input.labels.includes(name));
  const about = { repo: input.repo, issue: where.number, races: races.length };

  if (config.dry_run) {
    deps.log.info(
      { ...about, comment: decision.comment, labelsToAdd, labelsToRemove, duplicates: decision.duplicates },
      'dry run: would update the comment and labels',
    );
    return { races: races.length, comment: 'dry-run', labelsAdded: [], labelsRemoved: [] };
  }

  // Labels before the comment: the comment's marker records them as the bot's, so a run cut
  // short after the comment would read them as removed by a person and never add them.
  await addLabels(octokit, where, labelsToAdd);
  if (config.create_labels) deps.labelCache.remember(where, labelsToAdd);
  await removeLabels(octokit, where, labelsToRemove);
  const comment = await writeComment(octokit, where, existing, decision.comment, config, deps);
  if (comment === 'capped') deps.log.warn({ ...about, perHour: config.comments_per_hour }, 'comment cap reached; no comment posted');
  deps.log.info({ ...about, comment, labelsAdded: labelsToAdd, labelsRemoved: labelsToRemove }, 'issue triaged');
  return { races: races.length, comment, labelsAdded: labelsToAdd, labelsRemoved: labelsToRemove };
}

/** One write at most: edit the bot's comment when its text changed, or post a new one within the hourly cap. */
async function writeComment(
  octokit: GitHub,
  where: IssueLocation,
  existing: { id: number; body: string } | undefined,
  body: string | null | undefined,
  config: Config,
  deps: TriageDeps,
): Promise<TriageOutcome['comment']> {
  if (!body) return 'none';
  if (existing) {
    if (existing.body === body) return 'unchanged';
    await editComment(octokit, where, existing.id, body);
    return 'edited';
  }
  const repoKey = `${where.installationId}:${where.owner}/${where.repo}`.toLowerCase();
  if (!deps.commentBudget.take(repoKey, config.comments_per_hour)) return 'capped';
  await postComment(octokit, where, body);
  return 'created';
}

async function fetchIssue(octokit: GitHub, where: IssueLocation): Promise<IssuePayload> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
    owner: where.owner,
    repo: where.repo,
    issue_number: where.number,
  });
  return data as IssuePayload;
}

export function issueInput(where: IssueLocation, issue: IssuePayload, privateRepo: boolean): IssueInput {
  return {
    installationId: where.installationId,
    repo: `${where.owner}/${where.repo}`.toLowerCase(),
    number: where.number,
    title: issue.title,
    body: issue.body ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: labelNames(issue.labels),
    private: privateRepo,
  };
}

export function indexedIssue(
  input: IssueInput,
  issue: IssuePayload,
  races: IndexedIssue['races'],
  known: IndexedIssue | undefined,
): IndexedIssue {
  return {
    installationId: input.installationId,
    repo: input.repo,
    number: input.number,
    title: input.title,
    state: input.state,
    stateReason: issue.state_reason ?? null,
    labels: input.labels,
    // The payload does not say which PR fixed it; keep what the index learned elsewhere.
    fixingPr: known?.fixingPr ?? null,
    private: input.private,
    updatedAt: issue.updated_at,
    ...(issue.created_at ? { createdAt: issue.created_at } : {}),
    races,
  };
}
