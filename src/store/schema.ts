/**
 * Row types of the index tables, for Kysely's typed queries. Columns use only types both
 * backends store alike: booleans as 0/1 integers, lists as JSON text. PostgreSQL returns
 * `bigint` columns as strings, so integer reads go through `Number`.
 */
import type { Generated } from 'kysely';

/** One row per repository seen, so the big tables carry a small integer, not two strings. */
export interface ReposTable {
  id: Generated<number>;
  installation_id: number;
  /** `owner/name`, lower-cased. */
  name: string;
}

export interface IssuesTable {
  id: Generated<number>;
  repo_id: number;
  number: number;
  title: string;
  state: string;
  state_reason: string | null;
  /** JSON array of label names. */
  labels: string;
  fixing_pr: number | null;
  /** 0 or 1. */
  private: number;
  /** GitHub's `updated_at`, as received. */
  updated_at: string;
  /** `updated_at` in epoch milliseconds: what "newest write wins" compares. */
  updated_ms: number;
}

export interface RacesTable {
  id: Generated<number>;
  issue_id: number;
  repo_id: number;
  fingerprint: string;
  /** 0 or 1. */
  partial: number;
  /** The engine's `RaceSignature`, as JSON. */
  signature: string;
}

/**
 * The inverted index: one row per (repository, engine index key, issue). Keys are stored as
 * a 48-bit hash: a collision only adds a candidate that scoring then ranks low.
 */
export interface RaceKeysTable {
  repo_id: number;
  key_hash: number;
  issue_id: number;
}

export interface IndexTables {
  repos: ReposTable;
  issues: IssuesTable;
  races: RacesTable;
  race_keys: RaceKeysTable;
}
