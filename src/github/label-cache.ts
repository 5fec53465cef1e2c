/**
 * The repository's label names, cached per repository for a while: the bot applies only
 * labels that exist (unless config lets it create them), and listing them on every event
 * would double the calls per issue.
 */
import type { GitHub, RepoRef } from './types.js';

interface Entry {
  fetchedAt: number;
  names: Set<string>;
}

export interface LabelCacheOptions {
  ttlMs?: number;
  maxRepos?: number;
  now?: () => number;
}

export class LabelCache {
  readonly #ttlMs: number;
  readonly #maxRepos: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Entry>();

  constructor(options: LabelCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#maxRepos = options.maxRepos ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async list(octokit: GitHub, ref: RepoRef): Promise<string[]> {
    const key = keyOf(ref);
    const cached = this.#cache.get(key);
    if (cached && this.#now() - cached.fetchedAt < this.#ttlMs) return [...cached.names];
    const labels = await octokit.paginate('GET /repos/{owner}/{repo}/labels', {
      owner: ref.owner,
      repo: ref.repo,
      per_page: 100,
    });
    const names = new Set(labels.map((label) => label.name));
    this.#cache.delete(key);
    this.#cache.set(key, { fetchedAt: this.#now(), names });
    if (this.#cache.size > this.#maxRepos) this.#cache.delete(this.#cache.keys().next().value as string);
    return [...names];
  }

  /** Adding a missing label to an issue creates it on GitHub; remember that without refetching. */
  remember(ref: RepoRef, names: string[]): void {
    const cached = this.#cache.get(keyOf(ref));
    for (const name of names) cached?.names.add(name);
  }
}

function keyOf(ref: RepoRef): string {
  return `${ref.installationId}:${ref.owner}/${ref.repo}`.toLowerCase();
}
