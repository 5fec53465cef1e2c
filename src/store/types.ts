/**
 * The race index contract. Both backends (SQLite, PostgreSQL) implement it and one
 * contract test suite runs against both. The index is a cache of what GitHub holds:
 * backfill can always rebuild it.
 */
import type { StoredReport } from '../race/stored-report.js';
import type { EngineOptions, RaceSignature } from '../race/types.js';
import type { Candidate, IssueState, IssueSummary } from '../triage/types.js';

export type { Candidate, IssueState, IssueSummary };

/** Where an issue lives. Candidates never cross installations. */
export interface IssueRef {
  installationId: number;
  /** `owner/name`, lower-cased. */
  repo: string;
  number: number;
}

/** One race of an issue as the index keeps it: its signature, where it was reported, what was printed. */
export interface IndexedRace extends RaceSignature {
  /** The comment that reported it; absent for the issue's body. */
  commentId?: number;
  /** The report with its frames as printed, so the race can be signed again (absent for races stored before it was kept). */
  report?: StoredReport;
}

/** One issue as the index knows it. */
export interface IndexedIssue extends IssueSummary {
  races: IndexedRace[];
  /** The engine options the races were signed with (the repository's config), kept for signing them again. */
  engine?: EngineOptions;
}

export interface CandidateQuery {
  installationId: number;
  repo: string;
  /** Other repositories of the same installation whose issues may be matched (from config). */
  siblings?: string[];
  races: RaceSignature[];
  /** The issue being triaged: never its own candidate. */
  excludeNumber?: number;
  /** Most candidates to return, best first. */
  limit: number;
}

export interface UpsertOptions {
  /** Replace only the races of the issue's body, keeping those of its comments (backfill reads comments apart). */
  keepCommentRaces?: boolean;
}

export interface RaceIndex {
  /** Insert or replace an issue and its races. An older `updatedAt` than the stored one is ignored. */
  upsertIssue(issue: IndexedIssue): Promise<void>;
  /** `upsertIssue` for many issues in one transaction (backfill, rebuilds): far fewer round trips. */
  upsertIssues(issues: IndexedIssue[], options?: UpsertOptions): Promise<void>;
  /**
   * Replace the races one comment of an indexed issue reported (none: it reports none now).
   * Returns false when the issue is not in the index. A newer `updatedAt` is recorded.
   */
  replaceCommentRaces(ref: IssueRef, commentId: number, races: IndexedRace[], updatedAt: string): Promise<boolean>;
  /** Forget an issue (deleted or transferred away). */
  removeIssue(ref: IssueRef): Promise<void>;
  /** Record a close or reopen. An older `updatedAt` than the stored one is ignored. */
  setState(ref: IssueRef, state: IssueState, stateReason: string | null, updatedAt: string): Promise<void>;
  getIssue(ref: IssueRef): Promise<IndexedIssue | undefined>;
  /** A repository's issues by number, after `afterNumber`, at most `limit`, races with their frames: its history, a page at a time. */
  issuesPage(installationId: number, repo: string, afterNumber: number, limit: number): Promise<IndexedIssue[]>;
  /** Exact fingerprint matches first, then issues sharing significant frames, scored; best first. */
  candidates(query: CandidateQuery): Promise<Candidate[]>;
  close(): Promise<void>;
}
