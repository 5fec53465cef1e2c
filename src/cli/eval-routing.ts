/**
 * The routing part of `race-triage eval`: replays a corpus with the config as given (learned
 * ownership as the app runs it), and scores beside it what learned ownership votes before
 * its precision check, hand-written path rules (`--rules`), and three kNN label votes: over
 * race-triage's own nearest races (`learned_labels`), over the top-frame baseline's and over
 * the TF-IDF baseline's neighbours. Every method sees only the issues filed before the one
 * it labels.
 */
import { tfIdfRankings, topFrameRankings, type BaselineIssue } from '../eval/baselines.js';
import { routingScores, type RoutingCase, type RoutingScore } from '../eval/ownership-eval.js';
import { analyse } from '../race/index.js';
import { engineOptions, type Config } from '../triage/config.js';
import { existingLabels, ownershipSettings, proposeLabels } from '../triage/labels.js';
import { labelMatcher, learnLabels } from '../triage/learned-labels.js';
import { issuePackages, racePackages } from '../triage/ownership-evidence.js';
import type { RankedDuplicate } from '../eval/metrics.js';
import type { CorpusIssue } from './corpus.js';
import { labelsByRepo, replay, type ReplayStep } from './replay.js';
import { ReplayedOwnership } from './replayed-ownership.js';

export const DEFAULT_ROUTING_FAMILIES = ['sig/*'];

export const METHODS = {
  triage: 'race-triage',
  ungated: 'learned ownership, no precision check',
  rules: 'path rules',
  raceKnn: 'race kNN (learned_labels)',
  topFrameKnn: 'top frame kNN',
  tfIdfKnn: 'TF-IDF kNN',
} as const;

export interface RoutingReport {
  /** The file whose path rules were scored, if any. */
  rules: string | null;
  scores: RoutingScore[];
}

/** What routing keeps of one replayed issue: enough to vote with the kNN baselines afterwards. */
interface RoutedStep {
  repo: string;
  truth: string[];
  readable: boolean;
  triage: string[];
  ungated: string[];
  rules: string[];
  /** race-triage's most similar earlier races. */
  neighbours: RankedDuplicate[];
}

export async function routingReport(
  issues: CorpusIssue[],
  config: Config,
  families: string[],
  rules?: { name: string; config: Config },
): Promise<RoutingReport> {
  const knownLabels = labelsByRepo(issues);
  const labelsByIssue = new Map(issues.map((i) => [`${i.repo}#${i.number}`, i.labels]));
  const baseline: BaselineIssue[] = [];
  const steps: RoutedStep[] = [];
  const ungated = ungatedOwnership(config);
  await replay(issues, config, (step) => {
    baseline.push({
      number: step.issue.number,
      repo: step.issue.repo,
      text: `${step.issue.title}\n${step.issue.body}`,
      topFrame: step.races[0]?.report.accesses[0]?.frames.find((f) => f.significant)?.key ?? null,
    });
    steps.push({
      repo: step.issue.repo,
      truth: step.issue.labels,
      readable: step.races.length > 0,
      triage: step.labels.map((l) => l.name),
      ungated: ungated(step),
      rules: rules ? ruleLabels(step, rules.config, knownLabels.get(step.issue.repo) ?? null) : [],
      neighbours: step.candidates.map((c) => ({ number: c.issue.number, score: c.score, exact: c.exact })),
    });
  });
  const byTopFrame = topFrameRankings(baseline);
  const byTfIdf = tfIdfRankings(baseline);

  const methods: string[] = [METHODS.triage, METHODS.ungated, ...(rules ? [METHODS.rules] : []), METHODS.raceKnn, METHODS.topFrameKnn, METHODS.tfIdfKnn];
  const scores = families.flatMap((family) => {
    const knn = (ranked: RankedDuplicate[], repo: string) =>
      learnLabels(
        ranked.slice(0, config.max_duplicates).map((r) => ({ number: r.number, score: r.score, labels: labelsByIssue.get(`${repo}#${r.number}`) ?? [] })),
        { neighbours: config.learned_labels.neighbours, minSupport: config.learned_labels.min_support, managed: labelMatcher([family]) },
      ).map((l) => l.name);
    const cases: RoutingCase[] = steps.map((step, i) => ({
      truth: step.truth,
      readable: step.readable,
      predicted: {
        [METHODS.triage]: step.triage,
        [METHODS.ungated]: step.ungated,
        [METHODS.rules]: step.rules,
        [METHODS.raceKnn]: knn(step.neighbours, step.repo),
        [METHODS.topFrameKnn]: knn(byTopFrame[i]!, step.repo),
        [METHODS.tfIdfKnn]: knn(byTfIdf[i]!, step.repo),
      },
    }));
    return routingScores(cases, methods, family);
  });
  return { rules: rules?.name ?? null, scores };
}

/** What learned ownership votes on each issue from the issues filed before it, with its precision check turned off. */
function ungatedOwnership(config: Config): (step: ReplayStep) => string[] {
  const ownership = new ReplayedOwnership({ ...ownershipSettings(config), minPrecision: 0 });
  return ({ issue, races }) => {
    const labels = races.length === 0 ? [] : ownership.model(issue.repo).labels(racePackages(races, config, issue.repo)).applied.map((l) => l.name);
    const { packages } = issuePackages(issue.body, config, issue.repo, races);
    if (packages.length > 0) ownership.add(issue.repo, { number: issue.number, filedAt: issue.createdAt ?? '', packages, labels: issue.labels });
    return labels;
  };
}

/**
 * The labels the path rules of `rules` give the issue's races, among the labels the
 * repository has. The races are read with the rules file's own settings (`ignore_frames`).
 */
function ruleLabels(step: ReplayStep, rules: Config, repoLabels: string[] | null): string[] {
  const { proposed } = proposeLabels(analyse(step.issue.body, engineOptions(rules)), rules, { repo: step.issue.repo });
  const { applicable } = existingLabels(proposed.filter((l) => l.source === 'rule'), repoLabels, rules.create_labels);
  return applicable.map((l) => l.name);
}

const figure = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

/** The routing figures as Markdown, one table per family, ready for docs/accuracy.md. */
export function formatRouting(report: RoutingReport): string {
  const lines: string[] = [];
  for (const family of [...new Set(report.scores.map((s) => s.family))]) {
    const scores = report.scores.filter((s) => s.family === family);
    const first = scores[0]!;
    if (first.routed === 0) continue;
    lines.push(
      `Routing by ${family}: ${first.routed} issues routed by the maintainers (${first.routedReadable} with a race report race-triage reads), ${first.unrouted} not routed.`,
      '',
      '| method | precision | coverage | coverage of readable | unrouted labelled |',
      '|---|---|---|---|---|',
      ...scores.map(
        (s) =>
          `| ${s.method === METHODS.rules && report.rules ? `${s.method} (${report.rules})` : s.method} | ${figure(s.precision)} (${s.agreeing} of ${s.labelledRouted}) | ${figure(s.coverage)} (${s.labelledRouted} of ${s.routed}) | ${figure(s.coverageReadable)} | ${s.unroutedLabelled} of ${s.unrouted} |`,
      ),
      '',
    );
  }
  return lines.join('\n').trimEnd();
}
