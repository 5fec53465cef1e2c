/**
 * Backfill: reads a repository's existing issues and fills the race index, so the first new
 * race after installation already finds its duplicates. It never comments or labels.
 *
 * One listing request per 100 issues (`state=all`, oldest first, so pages stay put while new
 * issues arrive), nothing else: the bar's total comes from the first page's `Link: last`.
 * After every page the next page number is saved, so a stopped run resumes there; a finished
 * run records its start time and the next run only reads issues updated since.
 */
import { analyse, type EngineOptions } from '../race/index.js';
import type { IndexedIssue, RaceIndex } from '../store/types.js';
import type { BackfillCheckpoints, Checkpoint } from './jobs/checkpoints.js';
import { DEFAULT_RETRY, retryVerdict, type RetryOptions } from './jobs/retry-policy.js';
import { indexedIssue, issueInput } from './triage-issue.js';
import type { IssuePayload } from './types.js';

export const PER_PAGE = 100;

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

/** Any Octokit (installation, token or plain) can list issues. */
export interface IssueLister {
  request(route: 'GET /repos/{owner}/{repo}/issues', parameters: Record<string, unknown>): Promise<ListResponse>;
}

export interface BackfillProgress {
  /** Issues and pull requests read so far by this call. */
  scanned: number;
  /** Issues with races written to the index so far in this run, pages read before a resume included. */
  indexed: number;
  /** Issues and pull requests this call will read (an estimate until the last page); undefined when unknown. */
  total?: number;
  page: number;
}

export interface BackfillDeps {
  github: IssueLister;
  index: RaceIndex;
  checkpoints: BackfillCheckpoints;
  engine?: EngineOptions;
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
  const resumed = saved?.nextPage !== undefined;
  const run: Checkpoint = resumed
    ? { ...saved! }
    : { ...(saved?.since ? { since: saved.since } : {}), nextPage: 1, runStartedAt: new Date(now()).toISOString(), indexed: 0 };
  await deps.checkpoints.save(target.installationId, repoKey, run);

  const firstPage = run.nextPage!;
  const progress: BackfillProgress = { scanned: 0, indexed: run.indexed, page: firstPage };
  let pages = 0;
  for (;;) {
    const response = await listPage(target, run, deps);
    pages++;
    const items = Array.isArray(response.data) ? (response.data as IssuePayload[]) : [];
    const issues = items.filter((item) => item.pull_request === undefined).flatMap((item) => indexed(target, item, deps));
    // One transaction per page: far fewer round trips than one per issue.
    if (issues.length > 0) await deps.index.upsertIssues(issues);
    progress.scanned += items.length;
    progress.indexed += issues.length;
    const links = parseLink(response.headers.link);
    // Pages left in this run times 100: an upper bound until the last page says exactly.
    if (links.last !== undefined) progress.total = (links.last - firstPage + 1) * PER_PAGE;
    run.indexed = progress.indexed;
    if (links.next === undefined) {
      progress.total = progress.scanned;
      // Finished: the next run reads only what changed since this one began.
      await deps.checkpoints.save(target.installationId, repoKey, { since: run.runStartedAt!, indexed: run.indexed });
      deps.onProgress?.({ ...progress });
      return { scanned: progress.scanned, indexed: progress.indexed, pages, resumed, finished: true };
    }
    run.nextPage = links.next;
    progress.page = links.next;
    await deps.checkpoints.save(target.installationId, repoKey, run);
    deps.onProgress?.({ ...progress });
    if (pages === deps.maxPages) return { scanned: progress.scanned, indexed: progress.indexed, pages, resumed, finished: false };
    await waitForRateLimit(response.headers, deps, now);
  }
}

async function listPage(target: BackfillTarget, run: Checkpoint, deps: BackfillDeps): Promise<ListResponse> {
  const sleep = deps.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.github.request('GET /repos/{owner}/{repo}/issues', {
        owner: target.owner,
        repo: target.repo,
        state: 'all',
        sort: 'created',
        direction: 'asc',
        per_page: PER_PAGE,
        page: run.nextPage,
        ...(run.since ? { since: run.since } : {}),
      });
    } catch (error) {
      const verdict = retryVerdict(error, attempt, { ...(deps.retry ?? DEFAULT_RETRY), ...(deps.now ? { now: deps.now } : {}) });
      if (!verdict.retry) throw error;
      await sleep(verdict.delayMs);
    }
  }
}

/** The issue as the index stores it (the app's own mapping), or nothing when its body holds no race. */
function indexed(target: BackfillTarget, item: IssuePayload, deps: BackfillDeps): IndexedIssue[] {
  const input = issueInput({ ...target, number: item.number }, item, target.private);
  const races = analyse(input.body, deps.engine);
  if (races.length === 0) return [];
  return [indexedIssue(input, item, races.map((race) => race.signature), undefined)];
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
