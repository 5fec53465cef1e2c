/**
 * The work for one issue: read the config, find out what the bot did here before (its state,
 * checked against GitHub where a write's outcome is unknown), find the races, ask the index
 * for earlier issues, let the pure triage core decide, and hand the effects to the executor.
 *
 * It takes a client and plain data, not a Probot context: a queued job calls it with the
 * installation's client, tied to the job's `AbortSignal`.
 */
import type { Logger } from 'pino';
import type { EngineOptions } from '../race/index.js';
import { EMPTY_BOT_STATE, type BotReplies, type BotState, type BotStateStore, type IndexedIssue, type IssuePairs, type RaceIndex } from '../store/index.js';
import { engineOptions } from '../triage/config.js';
import { decide } from '../triage/decide.js';
import { candidateLimit, learnedLabels } from '../triage/learned-labels.js';
import type { IssueInput } from '../triage/types.js';
import { bodyDigest, findBotComment, type BotIdentity } from './bot-comment.js';
import type { ConfigSource } from './config-source.js';
import { issueRef, type ExecutionOutcome, type Executor } from './executor.js';
import { issueRaces, storedRaces, type ChangedComment } from './issue-races.js';
import type { LabelCache } from './label-cache.js';
import { peopleLabels, type OwnershipIndex } from './ownership-index.js';
import type { OwnersSource } from './owners-source.js';
import { pairKnowledge } from './pair-knowledge.js';
import { loadRepoConfig, type RepoConfig } from './repo-config.js';
import { labelNames, type GitHub, type IssueLocation, type IssuePayload } from './types.js';

/** Long-lived collaborators, shared by all events of the process. */
export interface TriageDeps {
  index: RaceIndex;
  botState: BotStateStore;
  /** What people and the history taught about pairs of issues. */
  pairs: IssuePairs;
  /** The bot's replies to commands. */
  replies: BotReplies;
  configSource: ConfigSource;
  labelCache: LabelCache;
  /** The ownership history: written for every issue read, read for learned labels. */
  ownership: OwnershipIndex;
  /** The repositories' OWNERS files, read from their default branch. */
  owners: OwnersSource;
  executor: Executor;
  identity: BotIdentity;
  log: Logger;
  /** A race's dashboard page, when the dashboard is on and has a public address. */
  raceUrl?: (repo: { owner: string; repo: string }, fingerprint: string) => string;
}

export interface TriageOptions {
  /** The config, when the caller has just loaded it (`/retriage` revalidates it first). */
  config?: RepoConfig;
  /** Read the issue from GitHub instead of trusting the payload's copy (`/retriage`). */
  refetch?: boolean;
  /** The issue given was just read from GitHub: it is not read again. */
  fresh?: boolean;
  /** The repository is private: its issues are never shown to another repository. */
  privateRepo?: boolean;
  /** A person's comment that was just written, edited or deleted: its races replace those stored for it. */
  comment?: ChangedComment;
  /** The repository's default branch (from the payload), where OWNERS files are read. */
  defaultBranch?: string | undefined;
}

/** What was done, for logs and callers. */
export interface TriageOutcome extends Omit<ExecutionOutcome, 'comment'> {
  races: number;
  comment: ExecutionOutcome['comment'] | 'dry-run';
}

export async function triageIssue(
  octokit: GitHub,
  signal: AbortSignal,
  where: IssueLocation,
  issue: IssuePayload,
  deps: TriageDeps,
  options: TriageOptions = {},
): Promise<TriageOutcome> {
  const { config, configError } = options.config ?? (await loadRepoConfig(octokit, where, deps.configSource, deps.log));
  const ref = issueRef(where);
  const known = await deps.index.getIssue(ref);
  const remembered = await deps.botState.get(ref);
  // Once the bot has acted here, the payload may be stale (a redelivery, a job run late): its
  // labels would read as "a person removed the bot's labels". Read the issue as it is now. A
  // new issue, the common case, never pays this call.
  let current = !options.fresh && (options.refetch || remembered) ? await fetchIssue(octokit, where) : issue;
  const state = await reconcile(octokit, where, current, remembered, deps.identity);
  // The state was rebuilt from the bot's comment (a new database): the payload is as stale.
  if (!remembered && state.commentId !== null && current === issue && !options.fresh) current = await fetchIssue(octokit, where);

  const input = issueInput(where, current, options.privateRepo ?? false);
  const engine = engineOptions(config);
  const races = issueRaces(input.body, known, options.comment, engine, (id) => commentUrl(current, where, id));
  const signatures = races.map((race) => race.signature);
  const stored = storedRaces(races);
  const commented = state.commentId !== null;
  // What the issue teaches about ownership: its body's races (or stack) and the labels people
  // gave it. Taken before the run, which makes the bot's new labels its own.
  const taught = { body: input.body, labels: peopleLabels(input.labels, [...state.labels, ...state.pendingAdd, ...state.pendingRemove]), createdAt: current.created_at, updatedAt: current.updated_at };
  const bodyRaces = races.filter((race) => race.origin?.kind !== 'comment');
  const recordOwnership = () => deps.ownership.recordIssue(ref, taught, config, bodyRaces);
  if (races.length === 0 && !commented && state.labels.length === 0) {
    signal.throwIfAborted();
    if (known) await deps.index.removeIssue(ref);
    await recordOwnership();
    return { races: 0, comment: 'none', labelsAdded: [], labelsRemoved: [] };
  }

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
  // Only an issue with races gets labels: the rest never pays for the history or the OWNERS files.
  const ownershipHistory = races.length > 0 && config.learned_ownership.enabled ? await deps.ownership.list(where.installationId, input.repo) : undefined;
  const owners = races.length > 0 && config.owners_files ? await deps.owners.load(octokit, where, options.defaultBranch ?? 'HEAD', deps.log, signal) : undefined;
  const pairs = races.length === 0 ? undefined : await pairKnowledge(deps.pairs, deps.index, ref, candidates);
  const decision = decide({
    issue: input,
    races,
    candidates,
    config,
    repoLabels,
    ...(remembered || commented ? { previous: state } : {}),
    commented,
    configError,
    learnedLabels: learnedLabels(candidates, config),
    ...(ownershipHistory ? { ownershipHistory } : {}),
    ...(owners ? { owners } : {}),
    ...(pairs ? { pairs } : {}),
    ...(deps.raceUrl ? { raceUrl: (fingerprint: string) => deps.raceUrl!(where, fingerprint) } : {}),
  });
  const about = { repo: input.repo, issue: where.number, races: races.length };
  if (config.dry_run) {
    deps.log.info(
      { ...about, comment: decision.comment, labelsToAdd: decision.labelsToAdd, labelsToRemove: decision.labelsToRemove, duplicates: decision.duplicates },
      'dry run: would update the comment and labels',
    );
  }

  const outcome = await deps.executor.run(
    {
      octokit,
      signal,
      where,
      state,
      indexed: (raceSignatures) =>
        indexedIssue(input, current, raceSignatures.map((signature) => ({ ...signature, ...stored.get(signature.fingerprint) })), known, engine),
      commentsPerHour: config.comments_per_hour,
    },
    decision.effects,
    config.dry_run ? undefined : decision.memory,
  );
  if (config.create_labels) deps.labelCache.remember(where, outcome.labelsAdded);
  signal.throwIfAborted();
  await recordOwnership();
  if (config.dry_run) return { races: races.length, comment: 'dry-run', labelsAdded: [], labelsRemoved: [] };
  if (outcome.comment === 'capped') deps.log.warn({ ...about, perHour: config.comments_per_hour }, 'comment cap reached; no comment posted');
  deps.log.info({ ...about, ...outcome }, 'issue triaged');
  return { races: races.length, ...outcome };
}

/**
 * The bot's state as GitHub shows it now: writes left pending by a run that was cut short
 * are settled against the issue's labels and comments; without any state (a new database),
 * the comment's marker is read back. Never trusts a `type: Bot` account that is not this app.
 */
async function reconcile(
  octokit: GitHub,
  where: IssueLocation,
  current: IssuePayload,
  remembered: BotState | undefined,
  identity: BotIdentity,
): Promise<BotState> {
  const state: BotState = structuredClone(remembered ?? EMPTY_BOT_STATE);
  const onIssue = new Set(labelNames(current.labels).map((l) => l.toLowerCase()));
  if (state.pendingAdd.length > 0) {
    state.labels = [...state.labels, ...state.pendingAdd.filter((l) => onIssue.has(l.toLowerCase()))];
    state.pendingAdd = [];
  }
  if (state.pendingRemove.length > 0) {
    const removed = new Set(state.pendingRemove.filter((l) => !onIssue.has(l.toLowerCase())).map((l) => l.toLowerCase()));
    state.labels = state.labels.filter((l) => !removed.has(l.toLowerCase()));
    state.pendingRemove = [];
  }
  const lost = !remembered && current.comments > 0;
  if (state.commentPending || lost) {
    const found = await findBotComment(octokit, where, identity);
    state.commentPending = false;
    if (found) {
      state.commentId = found.id;
      state.commentDigest = bodyDigest(found.body);
      if (lost) {
        state.labels = found.marker.labels;
        state.declined = found.marker.declined ?? [];
      }
    }
  }
  return state;
}

export async function fetchIssue(octokit: GitHub, where: IssueLocation): Promise<IssuePayload> {
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
    ...(issue.created_at ? { createdAt: issue.created_at } : {}),
  };
}

export function indexedIssue(
  input: IssueInput,
  issue: IssuePayload,
  races: IndexedIssue['races'],
  known: IndexedIssue | undefined,
  engine?: EngineOptions,
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
    ...(engine ? { engine } : {}),
  };
}

/** A comment's address: the issue's own address (GitHub Enterprise too) with the comment's anchor. */
function commentUrl(issue: IssuePayload, where: IssueLocation, id: number): string {
  const base = issue.html_url ?? `https://github.com/${where.owner}/${where.repo}/issues/${where.number}`;
  return `${base}#issuecomment-${id}`;
}
