/**
 * Finds the raw text of `.github/race-triage.yml`: the repository's own file first, then the
 * owner's `.github` repository (the lookup Probot's `context.config` does). The text is
 * fetched raw, not parsed, so the config parser can name the line of a mistake.
 *
 * Each repository's answer is cached: within `freshMs` no request is made at all; after that
 * the file is revalidated with its ETag, and GitHub's 304 costs no rate limit. "No config" is
 * cached the same way, so repositories without a file don't pay a request per event.
 */
import type { GitHub, RepoRef } from './types.js';

export const CONFIG_PATH = '.github/race-triage.yml';

/** A config file found on GitHub. `fileName` names it in error messages. */
export interface ConfigText {
  text: string;
  fileName: string;
}

interface FileState {
  etag?: string;
  text: string | null;
}

interface CacheEntry {
  checkedAt: number;
  files: Map<string, FileState>;
  result: ConfigText | null;
}

export interface ConfigSourceOptions {
  /** How long an answer is used without asking GitHub again. */
  freshMs?: number;
  /** Most repositories remembered; the oldest is forgotten first. */
  maxRepos?: number;
  now?: () => number;
}

export class ConfigSource {
  readonly #freshMs: number;
  readonly #maxRepos: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: ConfigSourceOptions = {}) {
    this.#freshMs = options.freshMs ?? 60_000;
    this.#maxRepos = options.maxRepos ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The config text in force for a repository, or null when neither place has one. */
  async load(octokit: GitHub, ref: RepoRef, { revalidate = false } = {}): Promise<ConfigText | null> {
    const key = `${ref.installationId}:${ref.owner}/${ref.repo}`.toLowerCase();
    const cached = this.#cache.get(key);
    if (cached && !revalidate && this.#now() - cached.checkedAt < this.#freshMs) return cached.result;

    const files = cached?.files ?? new Map<string, FileState>();
    const places = [{ owner: ref.owner, repo: ref.repo }];
    if (ref.repo.toLowerCase() !== '.github') places.push({ owner: ref.owner, repo: '.github' });

    let result: ConfigText | null = null;
    for (const place of places) {
      const fileName = `${place.owner}/${place.repo}/${CONFIG_PATH}`;
      const state = await fetchFile(octokit, place.owner, place.repo, files.get(fileName));
      files.set(fileName, state);
      if (state.text !== null) {
        result = { text: state.text, fileName };
        break;
      }
    }
    this.#cache.delete(key);
    this.#cache.set(key, { checkedAt: this.#now(), files, result });
    if (this.#cache.size > this.#maxRepos) this.#cache.delete(this.#cache.keys().next().value as string);
    return result;
  }
}

/** One conditional GET of the raw file: 304 keeps what we had, 404 means "no file". */
async function fetchFile(octokit: GitHub, owner: string, repo: string, known: FileState | undefined): Promise<FileState> {
  const headers: Record<string, string> = { accept: 'application/vnd.github.raw' };
  if (known?.etag) headers['if-none-match'] = known.etag;
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path: CONFIG_PATH,
      headers,
    });
    const data: unknown = response.data;
    const text =
      typeof data === 'string' ? data : data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : null;
    // A directory at that path, or anything else that is not a file, counts as no config.
    return { etag: response.headers.etag, text };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 304 && known) return known;
    if (status === 404) return { text: null };
    throw error;
  }
}
