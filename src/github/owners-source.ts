/**
 * A repository's prow-style OWNERS files, read from its default branch and parsed into label
 * rules (src/triage/owners-files.ts). One recursive tree request finds them; only files
 * named `OWNERS` are fetched, by blob SHA, so a file that did not change is never fetched
 * twice. The rules are cached per repository until a push to the default branch (see
 * `pushed`), or at most `maxAgeMs` (a push another replica handled, a webhook GitHub lost).
 *
 * Reading them never stops triage: a failure is logged, the rules read before (or none) are
 * used, and the read is tried again after `retryMs`. A repository without OWNERS files costs
 * one tree request per push that comes before a race issue.
 */
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import { NO_OWNERS_RULES, parseOwnersFiles, type OwnersFile, type OwnersRules } from '../triage/owners-files.js';
import type { GitHub, RepoRef } from './types.js';

/** OWNERS files fetched at most per repository, the shallowest first: one request each. */
export const MAX_OWNERS_FETCHES = 300;
/** Blob requests under way at once. */
const PARALLEL_FETCHES = 8;

export interface OwnersSourceOptions {
  /** Longest time rules are used without reading the tree again. */
  maxAgeMs?: number;
  /** Wait after a failed read before the next try. */
  retryMs?: number;
  maxFiles?: number;
  maxRepos?: number;
  now?: () => number;
}

interface Entry {
  /** Until when the rules are used as they are (a push ends it sooner). */
  freshUntil: number;
  /** OWNERS path -> its blob SHA and text, as last read. */
  files: Map<string, { sha: string; text: string }>;
  rules: OwnersRules;
}

interface TreeEntry {
  path?: string;
  type?: string;
  sha?: string;
}

export class OwnersSource {
  readonly #maxAgeMs: number;
  readonly #retryMs: number;
  readonly #maxFiles: number;
  readonly #now: () => number;
  readonly #cache: LRUCache<string, Entry>;
  /** Reads under way: jobs of one repository that need the rules at once share one read. */
  readonly #reading = new Map<string, Promise<Entry>>();
  /** Pushes seen per repository: a read that a push overtook is used, but not trusted as fresh. */
  readonly #pushes = new Map<string, number>();

  constructor(options: OwnersSourceOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 6 * 60 * 60_000;
    this.#retryMs = options.retryMs ?? 10 * 60_000;
    this.#maxFiles = options.maxFiles ?? MAX_OWNERS_FETCHES;
    this.#now = options.now ?? Date.now;
    this.#cache = new LRUCache({ max: options.maxRepos ?? 1_000 });
  }

  /** The label rules of the repository's OWNERS files on `branch` (its default branch). */
  async load(octokit: GitHub, ref: RepoRef, branch: string, log: Logger, signal?: AbortSignal): Promise<OwnersRules> {
    const key = keyOf(ref);
    const cached = this.#cache.get(key);
    if (cached && this.#now() < cached.freshUntil) return cached.rules;
    // Another job's read: its result will do. If it failed (that job may have been cut short), read anew.
    const shared = await this.#reading.get(key)?.catch(() => undefined);
    if (shared) return shared.rules;

    const about = { repo: `${ref.owner}/${ref.repo}`, branch };
    const pushes = this.#pushes.get(key) ?? 0;
    const reading = this.#read(octokit, ref, branch, cached, log, about);
    this.#reading.set(key, reading);
    try {
      const entry = await reading;
      if ((this.#pushes.get(key) ?? 0) !== pushes) entry.freshUntil = 0;
      this.#cache.set(key, entry);
      return entry.rules;
    } catch (error) {
      if (signal?.aborted) throw error;
      log.warn({ ...about, err: error }, 'could not read the OWNERS files; triage goes on with the rules read before, if any');
      const rules = cached?.rules ?? NO_OWNERS_RULES;
      this.#cache.set(key, { freshUntil: this.#now() + this.#retryMs, files: cached?.files ?? new Map(), rules });
      return rules;
    } finally {
      if (this.#reading.get(key) === reading) this.#reading.delete(key);
    }
  }

  /** A push to the default branch: the next triage reads the OWNERS files again. */
  pushed(ref: RepoRef): void {
    const key = keyOf(ref);
    this.#pushes.set(key, (this.#pushes.get(key) ?? 0) + 1);
    const cached = this.#cache.get(key);
    if (cached) cached.freshUntil = 0;
  }

  async #read(octokit: GitHub, ref: RepoRef, branch: string, cached: Entry | undefined, log: Logger, about: Record<string, unknown>): Promise<Entry> {
    const tree = await listTree(octokit, ref, branch);
    if (tree.truncated) log.warn({ ...about, listed: tree.entries.length }, 'the repository tree is too large for one listing; OWNERS files beyond it are not read');
    const owners = tree.entries
      .filter((e): e is Required<TreeEntry> => e.type === 'blob' && typeof e.path === 'string' && typeof e.sha === 'string' && isOwnersFile(e.path))
      .sort((a, b) => depth(a.path) - depth(b.path) || a.path.localeCompare(b.path));
    if (owners.length > this.#maxFiles) {
      log.warn({ ...about, found: owners.length, read: this.#maxFiles }, `more OWNERS files than race-triage reads; only the ${this.#maxFiles} nearest the root are used`);
    }
    const wanted = owners.slice(0, this.#maxFiles);
    const files = new Map<string, { sha: string; text: string }>();
    for (let i = 0; i < wanted.length; i += PARALLEL_FETCHES) {
      const batch = wanted.slice(i, i + PARALLEL_FETCHES);
      const texts = await Promise.all(
        batch.map(async (e) => {
          const known = cached?.files.get(e.path);
          return known?.sha === e.sha ? known.text : readBlob(octokit, ref, e.sha);
        }),
      );
      batch.forEach((e, j) => files.set(e.path, { sha: e.sha, text: texts[j]! }));
    }
    const read: OwnersFile[] = [...files].map(([path, { text }]) => ({ path, text }));
    const rules = read.length === 0 ? NO_OWNERS_RULES : parseOwnersFiles(read);
    if (rules.problems.length > 0) log.warn({ ...about, problems: rules.problems.slice(0, 20) }, 'some OWNERS files could not be read; their labels are not used');
    if (read.length > 0) log.info({ ...about, files: read.length, rules: rules.rules.length }, 'OWNERS files read');
    return { freshUntil: this.#now() + this.#maxAgeMs, files, rules };
  }
}

/** The branch's tree, every level; an empty repository or a missing branch has none. */
async function listTree(octokit: GitHub, ref: RepoRef, branch: string): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      owner: ref.owner,
      repo: ref.repo,
      tree_sha: branch,
      recursive: '1',
    });
    return { entries: Array.isArray(data.tree) ? (data.tree as TreeEntry[]) : [], truncated: data.truncated === true };
  } catch (error) {
    const status = (error as { status?: number }).status;
    // 409: the repository is empty; 404: no such branch (renamed since the event was sent).
    if (status === 404 || status === 409) return { entries: [], truncated: false };
    throw error;
  }
}

async function readBlob(octokit: GitHub, ref: RepoRef, sha: string): Promise<string> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner: ref.owner, repo: ref.repo, file_sha: sha });
  return data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : String(data.content ?? '');
}

/** Prow's file name: `OWNERS` in any directory (`OWNERS_ALIASES` holds no labels). */
function isOwnersFile(path: string): boolean {
  return path === 'OWNERS' || path.endsWith('/OWNERS');
}

function depth(path: string): number {
  return path.split('/').length;
}

function keyOf(ref: RepoRef): string {
  return `${ref.installationId}:${ref.owner}/${ref.repo}`.toLowerCase();
}
