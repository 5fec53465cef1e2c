/**
 * The triage decision contract: given an issue's races, the index's candidates and the
 * repository's config, decide what the bot says and which labels it sets. Pure, so the
 * app and the offline replay (`race-triage triage`) share one code path.
 */
import type { RaceSignature } from '../race/types.js';

export type IssueState = 'open' | 'closed';

/** What the triage needs to know of an earlier issue (the index stores it with its races). */
export interface IssueSummary {
  installationId: number;
  /** `owner/name`, lower-cased. */
  repo: string;
  number: number;
  title: string;
  state: IssueState;
  /** GitHub's `state_reason`: `completed`, `not_planned`, `duplicate`, `reopened` or null. */
  stateReason: string | null;
  labels: string[];
  /** Number of the PR that fixed it, when known. */
  fixingPr: number | null;
  /** True for an issue of a private repository: never shown to another repository. */
  private: boolean;
  /** GitHub's `updated_at`, ISO 8601. The newest write wins. */
  updatedAt: string;
  /** GitHub's `created_at`, ISO 8601: when the race was first reported in this issue. Absent when unknown. */
  createdAt?: string;
}

/** How one race of the issue being triaged matched a race of an earlier issue, side by side. */
export interface RaceMatchExplanation {
  /** Index of the race in the issue being triaged. */
  race: number;
  /** The side pairs compared; one pair when either report shows a single side. */
  sides: {
    /** Index of the side in this issue's race signature, and in the earlier one's. */
    side: number;
    otherSide: number;
    /** Keys of the frames both show, top first; `renamed` ones matched by their parts. */
    same: string[];
    renamed: string[];
    /** Frames of this side, and of the earlier one, that could be compared, of those shown. */
    compared: [number, number];
    shown: [number, number];
  }[];
  /** One of the two reports shows one side only, so the other side could not be compared. */
  oneSided: boolean;
}

/** One earlier issue that shares or resembles the query's races. */
export interface Candidate {
  issue: IssueSummary;
  /** Issue similarity in [0,1] (engine's `issueSimilarity`). */
  score: number;
  /** True when a full (non-partial) fingerprint is shared exactly. */
  exact: boolean;
  /** Fingerprints shared exactly (full or partial). */
  sharedFingerprints: string[];
  /** The races of the earlier issue, for explanations and learned labels. */
  races: RaceSignature[];
  /** Why it matched: per race of the issue being triaged, the frames shared and what was compared. */
  explanation?: RaceMatchExplanation[];
}

/** The issue being triaged, as the webhook payload (or a corpus line) gives it. */
export interface IssueInput {
  installationId: number;
  /** `owner/name`, lower-cased. */
  repo: string;
  number: number;
  title: string;
  body: string;
  state: IssueState;
  /** Labels on the issue now, whoever added them. */
  labels: string[];
  private: boolean;
  /** GitHub's `created_at`: when the issue was filed (to tell a race seen again after its fix). */
  createdAt?: string | null;
}

/** One likely duplicate as the comment lists it. */
export interface DuplicateLine {
  number: number;
  /** `owner/name` when it lives in a sibling repository; absent for the same repository. */
  repo?: string;
  title: string;
  state: IssueState;
  stateReason: string | null;
  /** Issue similarity in [0,1]. */
  score: number;
  /** Same full signature. */
  exact: boolean;
  fixingPr: number | null;
  /** When the fixing pull request was merged (ISO 8601), when known. */
  fixedAt?: string;
  /** A person (or the history) confirmed it: `confirmed by @alice`. Listed first. */
  confirmedBy?: string;
  /** Confirmed, but the index holds no race of it: only its number is known. */
  unindexed?: true;
  /** Why it matched, when the index said. */
  explanation?: RaceMatchExplanation[];
}

/** The issue reports a race again after the fix of an earlier issue with it was merged. */
export interface Regression {
  /** The earlier issue. */
  number: number;
  repo?: string;
  pr: number;
  fixedAt: string;
}

/** One label the bot would apply, and why. */
export interface LabelDecision {
  name: string;
  /** In words, for the comment: `4 of 5 racing frames are in pkg/executor`. */
  reason: string;
  /**
   * `race` the race label, `rule` a path rule of the config, `owners` an OWNERS file,
   * `ownership` learned from the history, `learned` the nearest past races' vote, `default`
   * the top-level directory.
   */
  source: 'race' | 'rule' | 'owners' | 'ownership' | 'learned' | 'default';
}

/** A label the bot considered and did not apply, and why (shown folded, to help tune the config). */
export interface SkippedLabel {
  name: string;
  /** In words: `the repository has no label component/foo`, `only 40% of the racing frames agree`. */
  reason: string;
}

/** What the bot records about itself in the comment's hidden marker. */
export interface MarkerData {
  /** Marker format version. */
  v: 1;
  /** Fingerprints of the races in the issue. */
  fingerprints: string[];
  /** Labels the bot itself added: the only ones it may later remove. */
  labels: string[];
  /** Duplicates listed, with scores, for tooling. */
  duplicates: { number: number; score: number; exact: boolean }[];
  /** Labels the bot had added and a person removed: never added again. Absent means none. */
  declined?: string[];
}

/**
 * What people (or the repository's history) said about two issues: `confirmed-dup` they report
 * the same race, `not-dup` they do not (whatever the score), `same-fix` one merged pull request
 * closed both (evidence, not a confirmation: one PR may fix several races).
 */
export type PairKind = 'confirmed-dup' | 'not-dup' | 'same-fix';

/** Where a pair came from: a `/race` command, an issue closed as a duplicate, a merged pull request. */
export type PairSource =
  | { kind: 'command'; user: string }
  | { kind: 'closed-as-duplicate'; user?: string }
  | { kind: 'pull-request'; number: number };

/**
 * One pair of issues of a repository, by number (never by fingerprint, so it survives signing
 * the races again). `issue` is the one the decision was made on (the one closed as a duplicate
 * of `other`); `same-fix` pairs are symmetric and stored with `issue < other`.
 */
export interface IssuePair {
  issue: number;
  other: number;
  kind: PairKind;
  source: PairSource;
  /** When it was recorded (ISO 8601). */
  at: string;
}

/** An issue closed by a merged pull request. */
export interface IssueFix {
  issue: number;
  pr: number;
  /** When the pull request was merged (ISO 8601). */
  mergedAt: string;
}
