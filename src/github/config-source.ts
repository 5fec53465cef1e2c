/**
 * Finds the raw text of `.github/race-triage.yml`: the repository's own file first, then the
 * owner's `.github` repository, then the files its `_extends` key names (the lookup Probot's
 * `context.config` does). The text is fetched raw, not parsed, so the config parser can name
 * the line of a mistake.
 *
 * Each repository's answer is cached: within `freshMs` no request is made at all; after that
 * the file is revalidated with its ETag, and GitHub's 304 costs no rate limit. "No config" is
 * cached the same way, so repositories without a file don't pay a request per event.
 */
import { parse } from 'yaml';
import type { GitHub, RepoRef } from './types.js';

export const CONFIG_PATH = '.github/race-triage.yml';

/** A config file found on GitHub. `fileName` names it in error messages. */
export interface ConfigText {
  text: string;
  fileName: string;
}

/** The files in force, nearest first: the repository's (or the owner's) file, then what it extends. */
export interface ConfigChain {
  files: ConfigText[];
  /** A broken `_extends` (unknown form, missing file, a loop); the files found so far still apply. */
  problem?: string;
}

/** Probot's `_extends` forms: `repo`, `owner/repo`, either with `:path/to/file.yml`. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;
/** Longest `_extends` chain followed; one shared base is the usual case. */
const MAX_EXTENDS = 3;

interface FileState {
  etag?: string;
  text: string | null;
}

interface CacheEntry {
  checkedAt: number;
  files: Map<string, FileState>;
  result: ConfigChain;
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

  /**
   * The config files in force for a repository; none when neither place has one. `revalidate`
   * asks GitHub even within the fresh window; `allowStale` takes any cached answer, however old.
   */
  async load(octokit: GitHub, ref: RepoRef, { revalidate = false, allowStale = false } = {}): Promise<ConfigChain> {
    const key = `${ref.installationId}:${ref.owner}/${ref.repo}`.toLowerCase();
    const cached = this.#cache.get(key);
    if (cached && !revalidate && (allowStale || this.#now() - cached.checkedAt < this.#freshMs)) return cached.result;

    const known = cached?.files ?? new Map<string, FileState>();
    const get = async (owner: string, repo: string, path: string): Promise<ConfigText | null> => {
      const fileName = `${owner}/${repo}/${path}`;
      const state = await fetchFile(octokit, owner, repo, path, known.get(fileName));
      known.set(fileName, state);
      return state.text === null ? null : { text: state.text, fileName };
    };

    const nearest =
      (await get(ref.owner, ref.repo, CONFIG_PATH)) ??
      (ref.repo.toLowerCase() === '.github' ? null : await get(ref.owner, '.github', CONFIG_PATH));
    const result: ConfigChain = { files: nearest ? [nearest] : [] };
    for (let file = nearest, owner = ref.owner; file && result.files.length <= MAX_EXTENDS; ) {
      const target = extendsTarget(file, owner);
      if (!target) break;
      if ('problem' in target) {
        result.problem = target.problem;
        break;
      }
      const name = `${target.owner}/${target.repo}/${target.path}`;
      if (result.files.some((f) => f.fileName.toLowerCase() === name.toLowerCase())) {
        result.problem = `${file.fileName}: _extends leads back to ${name}; the loop is ignored`;
        break;
      }
      const base = await get(target.owner, target.repo, target.path);
      if (!base) {
        result.problem = `${file.fileName}: _extends names ${name}, which was not found (or the app is not installed there)`;
        break;
      }
      result.files.push(base);
      [file, owner] = [base, target.owner];
    }

    this.#cache.delete(key);
    this.#cache.set(key, { checkedAt: this.#now(), files: known, result });
    if (this.#cache.size > this.#maxRepos) this.#cache.delete(this.#cache.keys().next().value as string);
    return result;
  }
}

/** Where a file's `_extends` points; undefined when it has none. Bad YAML is the parser's to report. */
function extendsTarget(file: ConfigText, owner: string): { owner: string; repo: string; path: string } | { problem: string } | undefined {
  let value: unknown;
  try {
    value = (parse(file.text, { maxAliasCount: 100 }) as Record<string, unknown> | null)?._extends;
  } catch {
    return undefined;
  }
  if (value === undefined || value === null) return undefined;
  const match = typeof value === 'string' ? EXTENDS.exec(value.trim()) : null;
  if (!match) return { problem: `${file.fileName}: _extends must name a repository (name, owner/name, optionally :path.yml)` };
  return { owner: match[1] ?? owner, repo: match[2]!, path: match[3] ?? CONFIG_PATH };
}

/** One conditional GET of the raw file: 304 keeps what we had, 404 means "no file". */
async function fetchFile(octokit: GitHub, owner: string, repo: string, path: string, known: FileState | undefined): Promise<FileState> {
  const headers: Record<string, string> = { accept: 'application/vnd.github.raw' };
  if (known?.etag) headers['if-none-match'] = known.etag;
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path,
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
