/**
 * Scores race-triage and the two baselines on one replayed history, in one pass, overall and
 * one repository at a time (one repository with many issues must not hide the others). Pure:
 * the replay (engine -> index -> decide) happens in the CLI; this module only compares. Every
 * method sees only the issues filed before the one it is judging.
 */
import { learnLabels, type Neighbour } from '../triage/learned-labels.js';
import { tfIdfRankings, topFrameRankings } from './baselines.js';
import {
  bestThreshold,
  duplicateMetrics,
  labelMetrics,
  thresholdRows,
  type DuplicateMetrics,
  type LabelScore,
  type RankedDuplicate,
  type ThresholdRow,
} from './metrics.js';

/** One issue of the history, with what race-triage said about it. */
export interface EvalIssue {
  repo: string;
  number: number;
  /** Title and body, for the TF-IDF baseline. */
  text: string;
  /** Ground truth: earlier issues of the same race; null when unknown (or when the issue's text shows no race). */
  duplicateOf: number[] | null;
  /** Ground truth: earlier look-alikes that report a different race. */
  notDuplicateOf: number[];
  /** Ground truth: the labels maintainers applied. */
  labels: string[];
  /** First significant frame of the first access of the first race, for the top-frame baseline. */
  topFrame: string | null;
  /** The likely duplicates race-triage listed, best first. */
  duplicates: RankedDuplicate[];
  /** What race-triage would have listed at each of the settings' `thresholds`. */
  listedAt: RankedDuplicate[][];
  /** Labels race-triage's path rules (and race label) applied. */
  ruleLabels: string[];
  /** Labels learned from the earlier issues the index returned. */
  learnedLabels: string[];
}

export interface EvalSettings {
  /** Most duplicates a method lists per issue (the config's `max_duplicates`). */
  listed: number;
  /** Learned-label vote: k, minimum support, and which labels are scored and learned. */
  neighbours: number;
  minSupport: number;
  managed: (label: string) => boolean;
  /** Thresholds of the sweep, ascending; `listedAt` holds one listing per threshold. */
  thresholds: number[];
  /** Recall the recommended threshold must keep. */
  minRecall: number;
}

export interface MethodDuplicates {
  method: string;
  metrics: DuplicateMetrics;
}

export interface MethodLabels {
  method: string;
  scores: LabelScore[];
}

export interface RepositoryReport {
  repo: string;
  issues: number;
  duplicates: MethodDuplicates[];
}

export interface EvalReport {
  issues: number;
  duplicates: MethodDuplicates[];
  /** The same figures per repository, when the history holds more than one. */
  repositories: RepositoryReport[];
  /** race-triage's listings at each swept threshold. */
  thresholds: ThresholdRow[];
  /** The threshold with the best precision at recall of at least `minRecall`; undefined when none reaches it. */
  recommended?: ThresholdRow;
  labels: MethodLabels[];
}

const METHODS = ['race-triage', 'top frame', 'TF-IDF'] as const;

export function evaluate(issues: EvalIssue[], settings: EvalSettings): EvalReport {
  const baselineInput = issues.map(({ number, repo, text, topFrame }) => ({ number, repo, text, topFrame }));
  const rankings: Record<(typeof METHODS)[number], RankedDuplicate[][]> = {
    'race-triage': issues.map((i) => i.duplicates),
    'top frame': topFrameRankings(baselineInput),
    'TF-IDF': tfIdfRankings(baselineInput),
  };
  const cases = (method: (typeof METHODS)[number], only?: string) =>
    issues.flatMap((issue, i) =>
      only !== undefined && issue.repo !== only
        ? []
        : [{ truth: issue.duplicateOf, notDuplicates: issue.notDuplicateOf, ranked: rankings[method][i]!.slice(0, settings.listed) }],
    );
  const duplicates = (only?: string): MethodDuplicates[] =>
    METHODS.map((method) => ({ method, metrics: duplicateMetrics(cases(method, only)) }));

  const repos = [...new Set(issues.map((i) => i.repo))].sort();
  const thresholds = thresholdRows(
    issues.map((i) => ({ truth: i.duplicateOf, notDuplicates: i.notDuplicateOf })),
    settings.thresholds,
    settings.thresholds.map((_, t) => issues.map((i) => i.listedAt[t] ?? [])),
  );

  const labelsByIssue = new Map(issues.map((issue) => [`${issue.repo}#${issue.number}`, issue.labels]));
  const voted = (ranked: RankedDuplicate[][]) =>
    ranked.map((list, i) => {
      const neighbours: Neighbour[] = list.map((r) => ({
        number: r.number,
        score: r.score,
        labels: labelsByIssue.get(`${issues[i]!.repo}#${r.number}`) ?? [],
      }));
      return learnLabels(neighbours, settings).map((l) => l.name);
    });
  const labels = (method: string, predicted: string[][]): MethodLabels => ({
    method,
    scores: labelMetrics(
      issues.map((issue, i) => ({ truth: issue.labels, predicted: predicted[i]! })),
      settings.managed,
    ),
  });

  const recommended = bestThreshold(thresholds, settings.minRecall);
  return {
    issues: issues.length,
    duplicates: duplicates(),
    repositories: repos.length > 1 ? repos.map((repo) => ({ repo, issues: issues.filter((i) => i.repo === repo).length, duplicates: duplicates(repo) })) : [],
    thresholds,
    ...(recommended ? { recommended } : {}),
    labels: [
      labels('path rules', issues.map((i) => i.ruleLabels)),
      labels('learned', issues.map((i) => i.learnedLabels)),
      labels('rules + learned', issues.map((i) => [...i.ruleLabels, ...i.learnedLabels])),
      labels('top frame kNN', voted(rankings['top frame'])),
      labels('TF-IDF kNN', voted(rankings['TF-IDF'])),
    ],
  };
}
