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
  /** JSON of the engine options the repository's races were last signed with; null before any. */
  engine_options: string | null;
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
  /** When the fixing PR was merged (ISO 8601); null while unknown. */
  fixed_at: string | null;
  /** 0 or 1. */
  private: number;
  /** GitHub's `updated_at`, as received. */
  updated_at: string;
  /** `updated_at` in epoch milliseconds: what "newest write wins" compares. */
  updated_ms: number;
  /** GitHub's `created_at`, as received; null for issues indexed before it was recorded. */
  created_at: string | null;
  /** `created_at` in epoch milliseconds, for date ranges and ordering. */
  created_ms: number | null;
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
  /** The comment that reported the race; null for the issue body. */
  comment_id: number | null;
  /** The engine's `StoredReport` (frames as printed), as JSON; null for races stored before it was kept. */
  report: string | null;
}

/**
 * The inverted index: one row per (repository, engine index key, issue). Keys are stored as
 * a 48-bit hash: a collision only adds a candidate that scoring then ranks low.
 */
export interface RaceKeysTable {
  repo_id: number;
  key_hash: number;
  issue_id: number;
  /**
   * 48-bit hash of the key's context in the issue's first race through it (the engine's
   * `keyContexts`): how many different races pass through a frame is counted from these.
   * Null when the context is unknown (a one-sided report's top frame) and for older rows.
   */
  context: number | null;
}

/** Facts about the index as a whole (`signature_version`: the engine version that signed its races). */
export interface IndexMetaTable {
  name: string;
  value: string;
}

export interface IndexTables {
  repos: ReposTable;
  issues: IssuesTable;
  races: RacesTable;
  race_keys: RaceKeysTable;
  index_meta: IndexMetaTable;
}
