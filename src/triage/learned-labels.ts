/**
 * Labels learned from how a repository's maintainers label: the labels carried by the most
 * similar earlier race issues, by vote. Pure. Off unless `learned_labels.enabled` is set.
 */
import type { Candidate } from './types.js';
import type { Config } from './config.js';
import { labelMatcher } from './label-patterns.js';
import type { LabelDecision } from './types.js';

/** An earlier issue, as far as voting needs it. */
export interface Neighbour {
  number: number;
  /** Issue similarity in [0,1]. */
  score: number;
  labels: string[];
}

export interface VoteSettings {
  /** How many of the most similar earlier issues vote (k). */
  neighbours: number;
  /** Fewest voters that must carry a label before it is suggested. */
  minSupport: number;
  /** Labels that may be learned; others (`type/bug`, `affects-7.5`) describe a report, not the code. */
  managed: (label: string) => boolean;
}

/**
 * Earlier issues less similar than this do not vote: a race that shares only a frame or two
 * with this one says little about who owns it.
 */
export const MIN_VOTER_SIMILARITY = 0.3;

/** How many voter numbers a reason names before it says `...`. */
const NAMED_VOTERS = 3;

/**
 * The labels that at least `minSupport` of the `neighbours` most similar earlier issues carry,
 * and more than half of them (a split vote suggests nothing). Best supported first.
 */
export function learnLabels(candidates: Neighbour[], settings: VoteSettings): LabelDecision[] {
  const voters = candidates
    .filter((c) => c.score >= MIN_VOTER_SIMILARITY)
    .sort((a, b) => b.score - a.score)
    .slice(0, settings.neighbours);
  const carriers = new Map<string, number[]>();
  for (const voter of voters) {
    for (const label of new Set(voter.labels)) {
      if (settings.managed(label)) carriers.set(label, [...(carriers.get(label) ?? []), voter.number]);
    }
  }
  return [...carriers]
    .filter(([, numbers]) => numbers.length >= settings.minSupport && numbers.length * 2 > voters.length)
    .sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))
    .map(([name, numbers]) => ({ name, source: 'learned' as const, reason: voteReason(name, numbers, voters.length) }));
}

function voteReason(label: string, numbers: number[], voters: number): string {
  const named = numbers.slice(0, NAMED_VOTERS).map((n) => `#${n}`);
  if (numbers.length > NAMED_VOTERS) named.push('...');
  const past = voters === 1 ? 'the most similar past race' : `the ${voters} most similar past races`;
  return `${numbers.length} of ${past} (${named.join(', ')}) carry ${label}`;
}

export { labelMatcher };

/**
 * The label families a config manages: `sig/*` for a rule that applies `sig/execution`, the
 * default component prefix, and plain names for labels without a `/`.
 */
export function managedLabelFamilies(config: Config): string[] {
  const families = new Set<string>();
  for (const labels of Object.values(config.label_rules)) {
    for (const label of labels) families.add(label.includes('/') ? `${label.slice(0, label.indexOf('/') + 1)}*` : label);
  }
  if (config.default_component_prefix) families.add(`${config.default_component_prefix}*`);
  return [...families].sort();
}

/** The labels the config's `learned_labels` settings learn from the index's candidates; none when off. */
export function learnedLabels(candidates: Candidate[], config: Config): LabelDecision[] {
  const { enabled, neighbours, min_support } = config.learned_labels;
  if (!enabled) return [];
  return learnLabels(
    candidates.map((c) => ({ number: c.issue.number, score: c.score, labels: c.issue.labels })),
    { neighbours, minSupport: min_support, managed: labelMatcher(managedLabelFamilies(config)) },
  );
}

/** How many candidates to ask the index for: enough to list duplicates and, when on, to vote. */
export function candidateLimit(config: Config): number {
  return Math.max(config.max_duplicates, config.learned_labels.enabled ? config.learned_labels.neighbours : 0);
}
