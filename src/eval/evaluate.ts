/**
 * Scores race-triage and the two baselines on one replayed history, in one pass. Pure: the
 * replay (engine -> index -> decide) happens in the CLI; this module only compares.
 * Every method sees only the issues filed before the one it is judging.
 */
import { learnLabels, type Neighbour } from '../triage/learned-labels.js';
import { tfIdfRankings, topFrameRankings } from './baselines.js';
import { duplicateMetrics, labelMetrics, type DuplicateMetrics, type LabelScore, type RankedDuplicate } from './metrics.js';

/** One issue of the history, with what race-triage said about it. */
export interface EvalIssue {
  repo: string;
  number: number;
  /** Title and body, for the TF-IDF baseline. */
  text: string;
  /** Ground truth: earlier issues it duplicates; null when unknown. */
  duplicateOf: number[] | null;
  /** Ground truth: the labels maintainers applied. */
  labels: string[];
  /** First significant frame of the first access of the first race, for the top-frame baseline. */
  topFrame: string | null;
  /** The likely duplicates race-triage listed, best first. */
  duplicates: RankedDuplicate[];
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
}

export interface MethodDuplicates {
  method: string;
  metrics: DuplicateMetrics;
}

export interface MethodLabels {
  method: string;
  scores: LabelScore[];
}

export interface EvalReport {
  issues: number;
  duplicates: MethodDuplicates[];
  labels: MethodLabels[];
}

export function evaluate(issues: EvalIssue[], settings: EvalSettings): EvalReport {
  const baselineInput = issues.map(({ number, repo, text, topFrame }) => ({ number, repo, text, topFrame }));
  const byTopFrame = topFrameRankings(baselineInput);
  const byTfIdf = tfIdfRankings(baselineInput);

  const duplicates = (method: string, rankings: RankedDuplicate[][]): MethodDuplicates => ({
    method,
    metrics: duplicateMetrics(
      issues.map((issue, i) => ({ truth: issue.duplicateOf, ranked: rankings[i]!.slice(0, settings.listed) })),
    ),
  });

  const labelsByIssue = new Map(issues.map((issue) => [`${issue.repo}#${issue.number}`, issue.labels]));
  const voted = (rankings: RankedDuplicate[][]) =>
    rankings.map((ranked, i) => {
      const neighbours: Neighbour[] = ranked.map((r) => ({
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

  return {
    issues: issues.length,
    duplicates: [
      duplicates('race-triage', issues.map((i) => i.duplicates)),
      duplicates('top frame', byTopFrame),
      duplicates('TF-IDF', byTfIdf),
    ],
    labels: [
      labels('path rules', issues.map((i) => i.ruleLabels)),
      labels('learned', issues.map((i) => i.learnedLabels)),
      labels('rules + learned', issues.map((i) => [...i.ruleLabels, ...i.learnedLabels])),
      labels('top frame kNN', voted(byTopFrame)),
      labels('TF-IDF kNN', voted(byTfIdf)),
    ],
  };
}
