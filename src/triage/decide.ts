/**
 * The triage decision: from an issue's races, the index's candidates and the repository's
 * config, what the bot says and which labels it sets. Pure, so the app and the offline
 * replay share one code path and every decision can be reproduced.
 */
import type { AnalysedRace } from '../race/types.js';
import type { Candidate } from './types.js';
import { renderComment, renderNoRaceComment } from './comment.js';
import type { Config } from './config.js';
import type { Effect, LabelMemory } from './effects.js';
import { existingLabels, labelChanges, proposeLabels } from './labels.js';
import type { OwnersRules } from './owners-files.js';
import type { OwnershipModel, OwnershipRecord } from './ownership.js';
import { latestFix, sourceText, type PairKnowledge } from './pairs.js';
import type { DuplicateLine, IssueInput, LabelDecision, MarkerData, Regression, SkippedLabel } from './types.js';

export interface DecideInput {
  issue: IssueInput;
  /** The issue's races (engine `analyse` on the body, with `engineOptions(config)`). */
  races: AnalysedRace[];
  /** Earlier issues from the index, any order. */
  candidates: Candidate[];
  config: Config;
  /** The repository's label names; null when unknown (then no label is filtered out). */
  repoLabels: string[] | null;
  /** What the bot remembers of its earlier work on this issue (its state, or its comment's marker). */
  previous?: Pick<MarkerData, 'labels' | 'declined'> & Partial<MarkerData>;
  /** The bot has a comment on the issue to keep up to date. Default: `previous` is given. */
  commented?: boolean;
  /** The config file's problem, from `parseConfig`, shown in the comment footer. */
  configError?: string;
  /** Suggestions from past issues' labels; used only when `learned_labels.enabled`. */
  learnedLabels?: LabelDecision[];
  /** A race's dashboard page, linked from the comment (see `CommentInput`). */
  raceUrl?: (fingerprint: string) => string;
  /**
   * The repository's ownership history: every indexed issue's packages and labels (the store's
   * `ownership_history`). Absent: no label is learned from history.
   */
  ownershipHistory?: readonly OwnershipRecord[];
  /**
   * Or the ownership already learned from the issues filed before this one, with the config's
   * `learned_ownership` settings (`ownershipSettings`): what a replay in filing order keeps.
   */
  ownershipModel?: OwnershipModel;
  /** The repository's OWNERS files, parsed with `parseOwnersFiles`. Absent: none. */
  owners?: OwnersRules;
  /** What people and the history taught about the issue's pairs (`pairs.ts`). Absent: nothing. */
  pairs?: PairKnowledge;
}

export interface Decision {
  /** Likely duplicates listed in the comment, in the order shown: confirmed ones first. */
  duplicates: DuplicateLine[];
  /** The race was fixed in an earlier issue and is reported here after the fix was merged. */
  regression?: Regression;
  /** Labels that apply, each with its reason (including ones the issue already has). */
  labels: LabelDecision[];
  /** Labels considered and not applied, with the reason. */
  skippedLabels: SkippedLabel[];
  labelsToAdd: string[];
  /** Only labels the bot added itself (per `previous`) that no longer apply. */
  labelsToRemove: string[];
  /** The comment to create or update in place; null means post nothing and leave any earlier comment. */
  comment: string | null;
  /** What the comment's hidden marker records. */
  marker: MarkerData;
  /** What the bot remembers after this decision. */
  memory: LabelMemory;
  /** The changes to make, in order; none on GitHub under `dry_run`. */
  effects: Effect[];
}

/**
 * Quiet by design: an issue without races gets nothing (unless the bot commented before:
 * then that comment says the race is gone and the bot's labels go). An issue with races
 * gets a comment only when it says something a maintainer can act on: likely duplicates,
 * or a component label routing the issue to a team. The race label alone is set silently.
 */
export function decide(input: DecideInput): Decision {
  const { issue, races, config, previous } = input;
  const commented = input.commented ?? previous !== undefined;
  const duplicates = races.length > 0 ? listWithPairs(issue, input.candidates, config, input.pairs) : [];
  const regression = races.length > 0 ? regressionOf(issue, duplicates) : undefined;
  const sameFix = races.length > 0 ? (input.pairs?.sameFix ?? []) : [];

  const own = new Set((previous?.labels ?? []).map((l) => l.toLowerCase()));
  const { proposed, abstained } = proposeLabels(races, config, {
    repo: issue.repo,
    issueNumber: issue.number,
    personLabels: issue.labels.filter((l) => !own.has(l.toLowerCase())),
    ...(input.ownershipHistory ? { ownershipHistory: input.ownershipHistory } : {}),
    ...(input.ownershipModel ? { ownershipModel: input.ownershipModel } : {}),
    ...(input.owners ? { owners: input.owners } : {}),
    ...(input.learnedLabels ? { learned: input.learnedLabels } : {}),
  });
  const { applicable, missing } = existingLabels(proposed, input.repoLabels, config.create_labels);
  const changes = labelChanges(applicable, issue.labels, previous);
  const marker: MarkerData = {
    v: 1,
    fingerprints: races.map((r) => r.signature.fingerprint),
    labels: changes.own.labels,
    duplicates: duplicates.map((d) => ({ number: d.number, score: Math.round(d.score * 1000) / 1000, exact: d.exact })),
    ...(changes.own.declined ? { declined: changes.own.declined } : {}),
  };
  const skippedLabels = [...changes.refused, ...missing, ...abstained];

  let comment: string | null = null;
  if (races.length === 0) {
    if (commented) comment = renderNoRaceComment(marker, changes.labelsToRemove, input.configError);
  } else if (commented || duplicates.length > 0 || regression || sameFix.length > 0 || changes.applied.some((l) => l.source !== 'race')) {
    comment = renderComment({
      repo: issue.repo,
      races,
      duplicates,
      ...(regression ? { regression } : {}),
      ...(sameFix.length > 0 ? { sameFix } : {}),
      labels: changes.applied,
      skippedLabels,
      marker,
      ...(input.configError ? { configError: input.configError } : {}),
      ...(input.raceUrl ? { raceUrl: input.raceUrl } : {}),
    });
  }

  const github: Effect[] = config.dry_run
    ? []
    : [
        ...(changes.labelsToAdd.length > 0 ? [{ kind: 'add-labels' as const, labels: changes.labelsToAdd }] : []),
        ...(changes.labelsToRemove.length > 0 ? [{ kind: 'remove-labels' as const, labels: changes.labelsToRemove }] : []),
        ...(comment ? [{ kind: 'comment' as const, body: comment }] : []),
      ];
  return {
    duplicates,
    ...(regression ? { regression } : {}),
    labels: changes.applied,
    skippedLabels,
    labelsToAdd: changes.labelsToAdd,
    labelsToRemove: changes.labelsToRemove,
    comment,
    marker,
    memory: { labels: marker.labels, declined: marker.declined ?? [] },
    // The index first: a run cut short after it still finds the issue known. Labels before the
    // comment, whose marker copies the bot's labels.
    effects: [{ kind: 'index', races: races.map((r) => r.signature) }, ...github],
  };
}

/**
 * The likely duplicates with what people taught: confirmed duplicates first (whatever their
 * score), issues said not to be duplicates never, and each listed issue's merged fix.
 */
function listWithPairs(issue: IssueInput, candidates: Candidate[], config: Config, pairs: PairKnowledge | undefined): DuplicateLine[] {
  if (!pairs) return listDuplicates(issue, candidates, config);
  const repo = issue.repo.toLowerCase();
  const here = (c: Candidate) => c.issue.repo.toLowerCase() === repo && c.issue.installationId === issue.installationId;
  const excluded = new Set(pairs.excluded);
  const confirmedNumbers = new Set(pairs.confirmed.map((c) => c.number));
  const byNumber = new Map(candidates.filter(here).map((c) => [c.issue.number, c]));
  const confirmed: DuplicateLine[] = pairs.confirmed
    .filter((c) => c.number !== issue.number && !excluded.has(c.number) && !(c.summary?.private && c.summary.repo.toLowerCase() !== repo))
    .map((c) => {
      const candidate = byNumber.get(c.number);
      const summary = candidate?.issue ?? c.summary;
      const line: DuplicateLine = summary
        ? {
            number: c.number,
            title: summary.title,
            state: summary.state,
            stateReason: summary.stateReason,
            score: candidate ? Math.min(1, Math.max(0, candidate.score)) : 0,
            exact: candidate?.exact ?? false,
            fixingPr: summary.fixingPr,
            ...(candidate?.explanation ? { explanation: candidate.explanation } : {}),
          }
        : { number: c.number, title: '', state: 'open', stateReason: null, score: 0, exact: false, fixingPr: null, unindexed: true };
      return { ...line, confirmedBy: sourceText(c.source) };
    });
  const scored = listDuplicates(
    issue,
    candidates.filter((c) => !(here(c) && (excluded.has(c.issue.number) || confirmedNumbers.has(c.issue.number)))),
    config,
  );
  return [...confirmed, ...scored].map((line) => {
    const fix = line.repo ? undefined : latestFix(line.number, pairs.fixes);
    return fix ? { ...line, fixingPr: fix.pr, fixedAt: fix.mergedAt } : line;
  });
}

/**
 * A race reported again after its fix: an issue listed with the same signature (or confirmed
 * the same) was fixed by a pull request merged before this issue was filed. The latest such fix.
 */
function regressionOf(issue: IssueInput, duplicates: DuplicateLine[]): Regression | undefined {
  if (!issue.createdAt) return undefined;
  const filed = Date.parse(issue.createdAt);
  return duplicates
    .filter((d) => (d.exact || d.confirmedBy) && d.fixingPr !== null && d.fixedAt && Date.parse(d.fixedAt) < filed)
    .sort((a, b) => b.fixedAt!.localeCompare(a.fixedAt!))
    .map((d) => ({ number: d.number, ...(d.repo ? { repo: d.repo } : {}), pr: d.fixingPr!, fixedAt: d.fixedAt! }))[0];
}

/**
 * Candidates worth naming: above the threshold (or the same signature), never the issue
 * itself, only from this repository or configured siblings of the same installation, never
 * a private repository's issue in another repository. Open issues first, then the closest.
 */
export function listDuplicates(issue: IssueInput, candidates: Candidate[], config: Config): DuplicateLine[] {
  const repo = issue.repo.toLowerCase();
  const allowed = new Set([repo, ...config.siblings]);
  const seen = new Set<string>();
  return candidates
    .filter(({ issue: c, score, exact }) => {
      const cRepo = c.repo.toLowerCase();
      const id = `${cRepo}#${c.number}`;
      if (seen.has(id) || !Number.isFinite(score)) return false;
      seen.add(id);
      return (
        c.installationId === issue.installationId &&
        allowed.has(cRepo) &&
        !(cRepo === repo && c.number === issue.number) &&
        !(c.private && cRepo !== repo) &&
        (exact || score >= config.thresholds.duplicate)
      );
    })
    .sort(
      (a, b) =>
        Number(b.issue.state === 'open') - Number(a.issue.state === 'open') ||
        Number(b.exact) - Number(a.exact) ||
        b.score - a.score ||
        a.issue.number - b.issue.number,
    )
    .slice(0, config.max_duplicates)
    .map(({ issue: c, score, exact, explanation }) => ({
      number: c.number,
      ...(c.repo.toLowerCase() !== repo ? { repo: c.repo.toLowerCase() } : {}),
      title: c.title,
      state: c.state,
      stateReason: c.stateReason,
      score: Math.min(1, Math.max(0, score)),
      exact,
      fixingPr: c.fixingPr,
      ...(explanation ? { explanation } : {}),
    }));
}
