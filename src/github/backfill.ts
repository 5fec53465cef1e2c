/**
 * Backfill: reads a repository's existing issues and fills the race index, so the first new
 * race after installation already finds its duplicates. It never comments or labels.
 *
 * One listing request per 100 issues (`state=all`, oldest first, so pages stay put while new
 * issues arrive), then one per 100 comments of the whole repository (for races people pasted
 * in comments), so history costs about one call per 100 comments, not one per issue. The
 * bar's total comes from the first page's `Link: last`. After every page the next page number
 * is saved, so a stopped run resumes there; a finished run records its start time and the
 * next run only reads issues and comments updated since.
 *
 * Every issue whose body names a Go package (a race, or a stack trace of any kind) is also
 * recorded in the ownership history with the labels it carries, for learned ownership.
 *
 * Given the pair store, it also reads what the history teaches: each race issue closed as a
 * duplicate (one GraphQL read of its timeline for its target), and, after the comments, the
 * merged pull requests (one request per 100 closed pull requests) for the issues each fixed.
 */
import { analyse, storedReport, type AnalysedRace, type EngineOptions } from '../race/index.js';
import type { BotStateStore, IndexedIssue, IssuePairs, OwnershipEntry, RaceIndex } from '../store/index.js';
import type { Config } from '../triage/config.js';
import { commentRaces } from './issue-races.js';
import { recordClosedAsDuplicate, recordMergedPullRequest, type GraphQLClient, type MergedPullRequest } from './pair-signals.js';
import type { BackfillCheckpoints, Checkpoint } from './jobs/checkpoints.js';
import { DEFAULT_RETRY, retryVerdict, type RetryOptions } from './jobs/retry-policy.js';
import { ownershipEntry, peopleLabels } from './ownership-index.js';
import { indexedIssue, issueInput } from './triage-issue.js';
import { intoDefaultBranch, isBot, labelNames, type IssuePayload, type PullBase, type Sender } from './types.js';

const PER_PAGE = 100;

export interface BackfillTarget {
  installationId: number;
  owner: string;
  repo: string;
  /** The repository is private: its issues are never shown to another repository. */
  private: boolean;
}

interface ListResponse {
  data: unknown;
  headers: Record<string, string | number | undefined>;
}

/** Any Octokit (installation, token or plain) can list issues and comments. */
export interface IssueLister {
  request(
    route:
      | 'GET /repos/{owner}/{repo}/issues'
      | 'GET /repos/{owner}/{repo}/issues/comments'
      | 'GET /repos/{owner}/{repo}/issues/{issue_number}'
      | 'GET /repos/{owner}/{repo}/pulls',
    parameters: Record<string, unknown>,
  ): Promise<ListResponse>;
  /** GraphQL, for the target of an issue closed as a duplicate (read only with `pairs`). */
  graphql?: GraphQLClient['graphql'];
}

/** The fields of a comment of the repository-wide listing that backfill reads. */
interface ListedComment {
  id: number;
  body?: string | null;
  user?: Sender | null;
  /** `.../issues/12#issuecomment-1`, or `.../pull/12#...` for a pull request's. */
  html_url: string;
  issue_url: string;
  updated_at: string;
}

export interface BackfillProgress {
  /** Issues and pull requests read so far by this call. */
  scanned: number;
  /** Comments read so far by this call (after the issues). */
  comments: number;
  /** Merged pull requests read so far by this call (after the comments, with `pairs`). */
  pulls: number;
  /** What is being read now: the issue listing, the repository's comments, then its pull requests. */
  phase: 'issues' | 'comments' | 'pulls';
  /** Issues with races written to the index so far in this run, pages read before a resume included. */
  indexed: number;
  /** Issues and pull requests this call will read (an estimate until the last page); undefined when unknown. */
  total?: number;
  page: number;
}

/** Where backfilled issues' ownership evidence goes, and the config that reads it. */
export interface BackfillOwnership {
  history: { recordMany(entries: readonly OwnershipEntry[]): Promise<void> };
  /** The repository's config: its module prefixes tell its own packages from dependencies'. */
  config: Config;
  /** The bot's labels are not what people decided: they are left out of what is learned. */
  botState: Pick<BotStateStore, 'get'>;
}

export interface BackfillDeps {
  github: IssueLister;
  index: RaceIndex;
  checkpoints: BackfillCheckpoints;
  /** Where what the history teaches about pairs goes; absent: pairs are not read. */
  pairs?: IssuePairs;
  engine?: EngineOptions;
  /** Record the ownership history too (absent: only the race index is filled). */
  ownership?: BackfillOwnership;
  onProgress?: (progress: BackfillProgress) => void;
  /** Requests left under which the run pauses until the rate limit resets (leaves room for the app's own calls). */
  rateLimitReserve?: number;
  /** Stop after this many pages, leaving the checkpoint for the next run (a queued job stays short). */
  maxPages?: number;
  /** Retries of a failing page within this call; `maxAttempts: 1` leaves retrying to the caller. */
  retry?: RetryOptions;
  /** Waits before retrying a failing page. */
  sleep?: (ms: number) => Promise<void>;
  /** Waits for the rate limit to reset (default: `sleep`); may throw to stop the call there instead. */
  waitForReset?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface BackfillResult {
  scanned: number;
  comments: number;
  pulls: number;
  indexed: number;
  pages: number;
  /** True when the run went on from a saved checkpoint. */
  resumed: boolean;
  /** False when `maxPages` stopped the run before the last page. */
  finished: boolean;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function backfillRepository(target: BackfillTarget, deps: BackfillDeps): Promise<BackfillResult> {
  const now = deps.now ?? Date.now;
  const repoKey = `${target.owner}/${target.repo}`.toLowerCase();
  const saved = await deps.checkpoints.load(target.installationId, repoKey);
  const resumed = saved?.nextPage !== undefined || saved?.commentsPage !== undefined || saved?.pullsPage !== undefined;
  const run: Checkpoint = resumed
    ? { ...saved! }
    : { ...(saved?.since ? { since: saved.since } : {}), nextPage: 1, runStartedAt: new Date(now()).toISOString(), indexed: 0 };
  await deps.checkpoints.save(target.installationId, repoKey, run);

  const phaseOf = (): BackfillProgress['phase'] => (run.nextPage !== undefined ? 'issues' : run.commentsPage !== undefined ? 'comments' : 'pulls');
  const pageOf = () => (run.nextPage ?? run.commentsPage ?? run.pullsPage)!;
  const firstPage = pageOf();
  const progress: BackfillProgress = { scanned: 0, comments: 0, pulls: 0, phase: phaseOf(), indexed: run.indexed, page: firstPage };
  let pages = 0;
  const result = (finished: boolean): BackfillResult => ({ scanned: progress.scanned, comments: progress.comments, pulls: progress.pulls, indexed: progress.indexed, pages, resumed, finished });
  for (;;) {
    const phase = phaseOf();
    const response = await listPage(target, run, phase, deps);
    pages++;
    const items = Array.isArray(response.data) ? response.data : [];
    let found = 0;
    let caughtUp = false;
    if (phase === 'comments') {
      found = await indexComments(target, items as ListedComment[], deps);
      progress.comments += items.length;
    } else if (phase === 'pulls') {
      caughtUp = await recordPulls(target, items as ListedPull[], run.since, deps);
      progress.pulls += items.length;
    } else {
      found = await indexIssues(target, items as IssuePayload[], deps);
      progress.scanned += items.length;
    }
    progress.indexed += found;
    run.indexed = progress.indexed;
    const links = parseLink(response.headers.link);
    // Pages left in this listing times 100: an upper bound until the last page says exactly.
    if (links.last !== undefined && phase === 'issues') progress.total = (links.last - firstPage + 1) * PER_PAGE;
    const lastOfPhase = links.next === undefined || caughtUp;
    if (phase === 'issues' && lastOfPhase) {
      // The issues are read; the repository's comments come next.
      delete run.nextPage;
      run.commentsPage = 1;
      progress.total = progress.scanned;
    } else if (phase === 'comments' && lastOfPhase && deps.pairs) {
      // Then the pull requests, for the issues each one fixed.
      delete run.commentsPage;
      run.pullsPage = 1;
    } else if (lastOfPhase && phase !== 'issues') {
      progress.total = progress.scanned;
      // Finished: the next run reads only what changed since this one began.
      await deps.checkpoints.save(target.installationId, repoKey, { since: run.runStartedAt!, indexed: run.indexed });
      deps.onProgress?.({ ...progress });
      return result(true);
    } else if (phase === 'issues') run.nextPage = links.next;
    else if (phase === 'comments') run.commentsPage = links.next;
    else run.pullsPage = links.next;
    progress.phase = phaseOf();
    progress.page = pageOf();
    await deps.checkpoints.save(target.installationId, repoKey, run);
    deps.onProgress?.({ ...progress });
    if (pages === deps.maxPages) return result(false);
    await waitForRateLimit(response.headers, deps, now);
  }
}

/** The fields of a listed pull request that backfill reads. */
interface ListedPull extends MergedPullRequest, PullBase {
  updated_at: string;
}

/**
 * One page of pull requests: the closing keywords of those merged into the default branch
 * (the only ones GitHub acts on) become fixes and same-fix pairs. True when an incremental run (newest update first) reached what the last run read.
 */
async function recordPulls(target: BackfillTarget, items: ListedPull[], since: string | undefined, deps: BackfillDeps): Promise<boolean> {
  const repo = { installationId: target.installationId, repo: `${target.owner}/${target.repo}`.toLowerCase() };
  for (const pr of items) {
    if (since && pr.updated_at < since) return true;
    if (pr.merged_at && intoDefaultBranch(pr)) await recordMergedPullRequest(repo, pr, deps.pairs!, deps.index);
  }
  return false;
}

/** One page of issues into the index, in one transaction; the races of their comments stay. */
async function indexIssues(target: BackfillTarget, items: IssuePayload[], deps: BackfillDeps): Promise<number> {
  const read = items.filter((item) => item.pull_request === undefined).map((item) => ({ item, races: analyse(item.body ?? '', deps.engine) }));
  const issues = read.flatMap(({ item, races }) => indexed(target, item, deps, races));
  if (issues.length > 0) await deps.index.upsertIssues(issues, { keepCommentRaces: true });
  if (deps.ownership) await recordOwnership(target, read, deps.ownership);
  // A race issue closed as a duplicate: the history's own confirmation (its target costs one GraphQL read).
  const { pairs, github } = deps;
  if (pairs && github.graphql) {
    for (const issue of issues.filter((i) => i.stateReason === 'duplicate')) {
      const where = { installationId: target.installationId, owner: target.owner, repo: target.repo, number: issue.number };
      await requestWithRetries(() => recordClosedAsDuplicate({ graphql: github.graphql! }, where, undefined, pairs), deps);
    }
  }
  return issues.length;
}

/** The page's issues that name a Go package, with the labels people gave them, into the ownership history. */
async function recordOwnership(target: BackfillTarget, read: { item: IssuePayload; races: AnalysedRace[] }[], ownership: BackfillOwnership): Promise<void> {
  const entries: OwnershipEntry[] = [];
  for (const { item, races } of read) {
    const ref = { installationId: target.installationId, repo: `${target.owner}/${target.repo}`.toLowerCase(), number: item.number };
    const issue = { body: item.body ?? '', labels: labelNames(item.labels), createdAt: item.created_at, updatedAt: item.updated_at };
    const entry = ownershipEntry(ref, issue, ownership.config, races);
    if (!entry) continue;
    const state = await ownership.botState.get(ref);
    if (state) entry.labels = peopleLabels(entry.labels, [...state.labels, ...state.pendingAdd, ...state.pendingRemove]);
    entries.push(entry);
  }
  await ownership.history.recordMany(entries);
}

/**
 * The races people pasted in one page of comments, each set as its comment's. An issue the
 * index does not know yet (its body holds no race) is read once, to be indexed with them.
 */
async function indexComments(target: BackfillTarget, items: ListedComment[], deps: BackfillDeps): Promise<number> {
  let found = 0;
  for (const comment of items) {
    if (isBot(comment.user) || /\/pull\/\d+#/.test(comment.html_url)) continue;
    const races = commentRaces(comment.body, deps.engine ?? {}, comment.id, comment.html_url);
    const number = Number(comment.issue_url.slice(comment.issue_url.lastIndexOf('/') + 1));
    if (!Number.isInteger(number) || number <= 0) continue;
    const ref = { installationId: target.installationId, repo: `${target.owner}/${target.repo}`.toLowerCase(), number };
    const stored = races.map((race) => ({ ...race.signature, commentId: comment.id, report: storedReport(race.report) }));
    if (await deps.index.replaceCommentRaces(ref, comment.id, stored, comment.updated_at)) {
      if (races.length > 0) found++;
      continue;
    }
    if (races.length === 0) continue;
    const issue = (await requestWithRetries(() => deps.github.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner: target.owner, repo: target.repo, issue_number: number }), deps)).data as IssuePayload;
    if (issue.pull_request !== undefined) continue;
    const body = indexed(target, issue, deps)[0]?.races ?? [];
    const input = issueInput({ ...target, number }, issue, target.private);
    await deps.index.upsertIssues([indexedIssue(input, issue, [...body, ...stored], undefined, deps.engine)], { keepCommentRaces: true });
    found++;
  }
  return found;
}

/**
 * One page, 100 items, of the listing a phase reads. Issues and the repository's comments:
 * oldest first (pages stay put while new ones arrive), on a later run only those updated since
 * the last one began. Closed pull requests (their listing has no `since`): oldest first on a
 * first run, newest update first on a later one, which stops where the last run began.
 */
async function listPage(target: BackfillTarget, run: Checkpoint, phase: BackfillProgress['phase'], deps: BackfillDeps): Promise<ListResponse> {
  const { route, page, query } =
    phase === 'issues'
      ? { route: 'GET /repos/{owner}/{repo}/issues' as const, page: run.nextPage, query: { state: 'all', sort: 'created', direction: 'asc' } }
      : phase === 'comments'
        ? { route: 'GET /repos/{owner}/{repo}/issues/comments' as const, page: run.commentsPage, query: { sort: 'created', direction: 'asc' } }
        : { route: 'GET /repos/{owner}/{repo}/pulls' as const, page: run.pullsPage, query: { state: 'closed', sort: run.since ? 'updated' : 'created', direction: run.since ? 'desc' : 'asc' } };
  return requestWithRetries(() => deps.github.request(route, { owner: target.owner, repo: target.repo, ...query, per_page: PER_PAGE, page, ...(run.since && phase !== 'pulls' ? { since: run.since } : {}) }), deps);
}

async function requestWithRetries<T>(send: () => Promise<T>, deps: BackfillDeps): Promise<T> {
  const sleep = deps.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const verdict = retryVerdict(error, attempt, { ...(deps.retry ?? DEFAULT_RETRY), ...(deps.now ? { now: deps.now } : {}) });
      if (!verdict.retry) throw error;
      await sleep(verdict.delayMs);
    }
  }
}

/** The issue as the index stores it (the app's own mapping), or nothing when its body holds no race. */
function indexed(target: BackfillTarget, item: IssuePayload, deps: BackfillDeps, races: AnalysedRace[] = analyse(item.body ?? '', deps.engine)): IndexedIssue[] {
  const input = issueInput({ ...target, number: item.number }, item, target.private);
  if (races.length === 0) return [];
  return [indexedIssue(input, item, races.map((race) => ({ ...race.signature, report: storedReport(race.report) })), undefined, deps.engine)];
}

/** Pauses until the reset when fewer than the reserve of requests are left. */
async function waitForRateLimit(headers: ListResponse['headers'], deps: BackfillDeps, now: () => number): Promise<void> {
  const remaining = Number(headers['x-ratelimit-remaining']);
  const reset = Number(headers['x-ratelimit-reset']);
  if (!Number.isFinite(remaining) || !Number.isFinite(reset) || remaining > (deps.rateLimitReserve ?? 100)) return;
  const waitMs = reset * 1000 - now() + 1000;
  if (waitMs > 0) await (deps.waitForReset ?? deps.sleep ?? sleepFor)(waitMs);
}

/** Page numbers from GitHub's `Link` header. */
function parseLink(header: string | number | undefined): { next?: number; last?: number } {
  const pages: { next?: number; last?: number } = {};
  for (const part of String(header ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="(next|last)"/.exec(part);
    if (!match) continue;
    const page = Number(new URL(match[1]!).searchParams.get('page'));
    if (Number.isInteger(page) && page > 0) pages[match[2] as 'next' | 'last'] = page;
  }
  return pages;
}
