/**
 * What the pairs people and the history taught mean for one issue's comment. Pure: the shell
 * loads the pairs (by issue number) and the fixes, these functions say what to list.
 *
 * - Confirmed duplicates are transitive: A = B and B = C lists C on A, each with who confirmed
 *   the link that reached it.
 * - `not-dup` beats any score: the other issue is never listed, on this issue nor on the other
 *   issues of its race (its confirmed duplicates and the issues with the same signature).
 * - `same-fix` is evidence only: shown, never a confirmation.
 */
import type { IssueFix, IssuePair, IssueSummary, PairSource } from './types.js';

/** Most issues a confirmed group spans: a chain of confirmations cannot grow a comment without bound. */
export const MAX_CONFIRMED = 20;

export interface ConfirmedDuplicate {
  number: number;
  /** Who confirmed the link that reached it. */
  source: PairSource;
  /** The issue as the index knows it; absent for an issue without a race in the index. */
  summary?: IssueSummary;
}

/** What the shell hands `decide` about the issue's pairs. */
export interface PairKnowledge {
  /** The issue's confirmed duplicates, nearest first (see `confirmedGroup`). */
  confirmed: ConfirmedDuplicate[];
  /** Issues never listed here (see `excludedIssues`). */
  excluded: number[];
  /** Other issues closed by a pull request that also closed this one. */
  sameFix: { number: number; pr: number }[];
  /** Merged fixes of this issue and of the issues it may list. */
  fixes: IssueFix[];
}

/**
 * The issues confirmed the same as `start`, following confirmed-dup pairs either way,
 * breadth first (nearest first), each with the source of the pair that reached it.
 */
export function confirmedGroup(start: number, pairs: readonly IssuePair[]): Map<number, PairSource> {
  const edges = new Map<number, { to: number; source: PairSource }[]>();
  for (const pair of pairs) {
    if (pair.kind !== 'confirmed-dup') continue;
    edges.set(pair.issue, [...(edges.get(pair.issue) ?? []), { to: pair.other, source: pair.source }]);
    edges.set(pair.other, [...(edges.get(pair.other) ?? []), { to: pair.issue, source: pair.source }]);
  }
  const group = new Map<number, PairSource>();
  const seen = new Set([start]);
  for (let frontier = [start]; frontier.length > 0 && group.size < MAX_CONFIRMED; ) {
    const next: number[] = [];
    for (const number of frontier) {
      for (const { to, source } of edges.get(number) ?? []) {
        if (seen.has(to) || group.size >= MAX_CONFIRMED) continue;
        seen.add(to);
        group.set(to, source);
        next.push(to);
      }
    }
    frontier = next;
  }
  return group;
}

/**
 * Issues never listed for an issue: those a person said are not duplicates of it, or of any
 * issue of its race (`members`: its confirmed duplicates and the issues with its signature).
 * A `not-dup` said on issue A about N hides N from A's race; N's own comment hides A.
 */
export function excludedIssues(self: number, members: readonly number[], pairs: readonly IssuePair[]): number[] {
  const race = new Set([self, ...members]);
  const excluded = new Set<number>();
  for (const pair of pairs) {
    if (pair.kind !== 'not-dup') continue;
    if (race.has(pair.issue)) excluded.add(pair.other);
    if (pair.other === self) excluded.add(pair.issue);
  }
  excluded.delete(self);
  return [...excluded].sort((a, b) => a - b);
}

/** Other issues a merged pull request closed together with `self`. */
export function sameFixOf(self: number, pairs: readonly IssuePair[]): { number: number; pr: number }[] {
  return pairs
    .filter((p) => p.kind === 'same-fix' && (p.issue === self || p.other === self) && p.source.kind === 'pull-request')
    .map((p) => ({ number: p.issue === self ? p.other : p.issue, pr: (p.source as { number: number }).number }))
    .sort((a, b) => a.number - b.number);
}

/** The latest merged fix of an issue, if any. */
export function latestFix(number: number, fixes: readonly IssueFix[]): IssueFix | undefined {
  return fixes.filter((f) => f.issue === number).sort((a, b) => b.mergedAt.localeCompare(a.mergedAt) || b.pr - a.pr)[0];
}

/** How the comment credits a confirmation. */
export function sourceText(source: PairSource): string {
  switch (source.kind) {
    case 'command':
      return `confirmed by @${source.user}`;
    case 'closed-as-duplicate':
      return source.user ? `confirmed: closed as a duplicate by @${source.user}` : 'confirmed: closed as a duplicate';
    case 'pull-request':
      return `fixed by the same pull request #${source.number}`;
  }
}
