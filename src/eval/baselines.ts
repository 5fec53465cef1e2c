/**
 * The two baselines race-triage is measured against, scored in the same run. Pure.
 * (a) Top frame: two issues match when the first significant frame of their first access is
 *     the same. It is what a simple "same crash site" matcher does.
 * (b) TF-IDF cosine over the whole issue text: what generic "similar issues" bots do.
 */
import type { RankedDuplicate } from './metrics.js';

/** An issue as the baselines see it. */
export interface BaselineIssue {
  number: number;
  repo: string;
  /** Title and body. */
  text: string;
  /** Normalised key of the first significant frame of the first access; null without a race. */
  topFrame: string | null;
}

/**
 * For each issue, the earlier issues of the same repository with the same top frame, newest
 * first. Each match is a claim of the same race, so it counts as `exact`.
 */
export function topFrameRankings(issues: BaselineIssue[]): RankedDuplicate[][] {
  return issues.map((query, i) =>
    query.topFrame === null
      ? []
      : issues
          .slice(0, i)
          .filter((e) => e.repo === query.repo && e.topFrame === query.topFrame)
          .reverse()
          .map((e) => ({ number: e.number, score: 1, exact: true })),
  );
}

/** Words of two letters or more; numbers and addresses carry no meaning across issues. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z0-9_]+/g) ?? [];
}

/**
 * For each issue, every earlier issue of the same repository with a positive cosine similarity of
 * TF-IDF vectors, best first. Document frequencies count only the issues filed up to the query,
 * as a bot running at the time would have seen them; the IDF is smoothed as in scikit-learn
 * (ln((1 + n) / (1 + df)) + 1), so words every issue shares still weigh a little. No claim is `exact`.
 */
export function tfIdfRankings(issues: BaselineIssue[]): RankedDuplicate[][] {
  const termCounts = issues.map((issue) => {
    const counts = new Map<string, number>();
    for (const token of tokenize(issue.text)) counts.set(token, (counts.get(token) ?? 0) + 1);
    return counts;
  });
  const documentFrequency = new Map<string, number>();
  return issues.map((query, i) => {
    for (const term of termCounts[i]!.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    const documents = i + 1;
    const vector = (counts: Map<string, number>) => {
      const weights = new Map<string, number>();
      let norm = 0;
      for (const [term, tf] of counts) {
        const w = tf * (Math.log((1 + documents) / (1 + documentFrequency.get(term)!)) + 1);
        weights.set(term, w);
        norm += w * w;
      }
      return { weights, norm: Math.sqrt(norm) };
    };
    const q = vector(termCounts[i]!);
    if (q.norm === 0) return [];
    const ranked: RankedDuplicate[] = [];
    for (let j = 0; j < i; j++) {
      if (issues[j]!.repo !== query.repo) continue;
      const d = vector(termCounts[j]!);
      if (d.norm === 0) continue;
      let dot = 0;
      for (const [term, w] of q.weights) dot += w * (d.weights.get(term) ?? 0);
      if (dot > 0) ranked.push({ number: issues[j]!.number, score: dot / (q.norm * d.norm), exact: false });
    }
    return ranked.sort((a, b) => b.score - a.score);
  });
}
