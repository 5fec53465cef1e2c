/**
 * The ownership history as the app keeps it current: whenever it reads an issue (triage,
 * backfill, a label event, a close) it records the issue's packages, the labels people gave
 * it and when it was filed; every triage reads the repository's history back for learned
 * ownership. Reads are cached per repository and dropped by every write of this process; a
 * short lifetime bounds how long another replica's writes go unseen.
 *
 * Labels race-triage set itself are left out: what is learned is what people decided, and the
 * bot's own guesses must not vote for themselves. A person's label stays in however it came
 * (prow's `/sig` command, for one, adds labels as a bot account).
 */
import { LRUCache } from 'lru-cache';
import type { AnalysedRace } from '../race/types.js';
import type { IssueRef, OwnershipEntry, OwnershipHistory } from '../store/index.js';
import type { Config } from '../triage/config.js';
import { issuePackages } from '../triage/ownership-evidence.js';
import type { OwnershipRecord } from '../triage/ownership.js';

export interface OwnershipIndexOptions {
  /** How long a repository's history is read from memory. */
  ttlMs?: number;
  /** Most issues kept in memory, over all repositories (a repository's history is up to 20,000). */
  maxIssues?: number;
  now?: () => number;
}

/** An issue as the history needs it: its text, its labels as people left them, its times. */
export interface OwnershipIssue {
  body: string;
  /** Labels on the issue, less race-triage's own. */
  labels: readonly string[];
  /** GitHub's `created_at`; `updatedAt` when unknown. */
  createdAt?: string | undefined;
  updatedAt: string;
}

interface Cached {
  at: number;
  records: readonly OwnershipRecord[];
}

export class OwnershipIndex {
  readonly #history: OwnershipHistory;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache: LRUCache<string, Cached>;
  /** Writes per repository: a read that a write overtook is not cached. */
  readonly #writes = new Map<string, number>();

  constructor(history: OwnershipHistory, options: OwnershipIndexOptions = {}) {
    this.#history = history;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#cache = new LRUCache({ maxSize: options.maxIssues ?? 200_000, sizeCalculation: (entry) => entry.records.length + 1 });
  }

  /** The repository's history, in filing order. */
  async list(installationId: number, repo: string): Promise<readonly OwnershipRecord[]> {
    const key = keyOf(installationId, repo);
    const cached = this.#cache.get(key);
    if (cached && this.#now() - cached.at < this.#ttlMs) return cached.records;
    const generation = this.#writes.get(key) ?? 0;
    const records = Object.freeze(await this.#history.list(installationId, repo));
    if ((this.#writes.get(key) ?? 0) === generation) this.#cache.set(key, { at: this.#now(), records });
    return records;
  }

  /**
   * Records what an issue's body says about ownership: its races' packages (`races`, when the
   * caller has analysed the body) or its stack's. A body that shows neither leaves the history.
   */
  async recordIssue(ref: IssueRef, issue: OwnershipIssue, config: Config, races?: AnalysedRace[]): Promise<void> {
    const entry = ownershipEntry(ref, issue, config, races);
    this.#wrote(ref);
    if (entry) await this.#history.record([entry]);
    else await this.#history.remove(ref);
  }

  /** Many issues at once (a backfill page), in one transaction. */
  async recordMany(entries: readonly OwnershipEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) this.#wrote(entry);
    await this.#history.record(entries);
  }

  /** The labels an issue carries now (less race-triage's own); an issue the history does not hold stays absent. */
  async setLabels(ref: IssueRef, labels: readonly string[], updatedAt: string): Promise<void> {
    this.#wrote(ref);
    await this.#history.setLabels(ref, labels, updatedAt);
  }

  async remove(ref: IssueRef): Promise<void> {
    this.#wrote(ref);
    await this.#history.remove(ref);
  }

  #wrote(ref: IssueRef): void {
    const key = keyOf(ref.installationId, ref.repo);
    this.#writes.set(key, (this.#writes.get(key) ?? 0) + 1);
    this.#cache.delete(key);
  }
}

/** The history's entry for an issue, or undefined when its body names no package. */
export function ownershipEntry(ref: IssueRef, issue: OwnershipIssue, config: Config, races?: AnalysedRace[]): OwnershipEntry | undefined {
  const { packages } = issuePackages(issue.body, config, ref.repo, races);
  if (packages.length === 0) return undefined;
  return { ...ref, filedAt: issue.createdAt ?? issue.updatedAt, packages, labels: [...issue.labels], updatedAt: issue.updatedAt };
}

/** Labels on an issue, less those race-triage set itself (compared without regard to case). */
export function peopleLabels(labels: readonly string[], botLabels: readonly string[]): string[] {
  const own = new Set(botLabels.map((l) => l.toLowerCase()));
  return labels.filter((l) => !own.has(l.toLowerCase()));
}

function keyOf(installationId: number, repo: string): string {
  return `${installationId}:${repo.toLowerCase()}`;
}
