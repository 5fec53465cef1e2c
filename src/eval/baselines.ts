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
 * first, at most `limit`. Each match is a claim of the same race, so it counts as `exact`.
 */
export function topFrameRankings(issues: BaselineIssue[], limit = 20): RankedDuplicate[][] {
  const earlier = new Map<string, number[]>();
  return issues.map((query) => {
    if (query.topFrame === null) return [];
    const key = `${query.repo}\n${query.topFrame}`;
    const same = earlier.get(key) ?? [];
    const ranked = same.slice(-limit).reverse().map((number) => ({ number, score: 1, exact: true }));
    earlier.set(key, [...same.slice(-limit + 1), query.number]);
    return ranked;
  });
}

/** Words of two letters or more; numbers and addresses carry no meaning across issues. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z0-9_]+/g) ?? [];
}

/** Below this many issues a repository is scored exactly: every earlier issue sharing a word. */
const EXACT_UP_TO = 500;
/** Above it, candidates come from the query's rarest words, and the best-placed are scored in full. */
const RARE_WORDS = 20;
const SCORED = 100;

interface Document {
  number: number;
  /** Term ids, ascending, and their counts. */
  terms: Int32Array;
  counts: Float64Array;
  /** Norm of the vector with the document frequencies of when the issue was filed. */
  norm: number;
}

interface Repository {
  documents: Document[];
  /** Term id -> issues (by position) holding it. */
  postings: number[][];
  /** Term id -> issues holding it so far. */
  frequency: number[];
}

/**
 * For each issue, the earlier issues of the same repository with the highest cosine similarity
 * of TF-IDF vectors, best first, at most `limit`. Document frequencies count only the issues filed
 * up to the query, as a bot running at the time would have seen them; the IDF is smoothed as in
 * scikit-learn (ln((1 + n) / (1 + df)) + 1), and an earlier issue keeps the vector norm it had
 * when it was filed (a search engine's index does not re-weigh old documents). Past EXACT_UP_TO
 * issues, as search engines do, only issues sharing one of the query's RARE_WORDS rarest words
 * are candidates, and the SCORED best of them by those words are scored in full. No claim is `exact`.
 */
export function tfIdfRankings(issues: BaselineIssue[], limit = 20): RankedDuplicate[][] {
  const ids = new Map<string, number>();
  const byRepo = new Map<string, Repository>();
  return issues.map((query) => {
    let repo = byRepo.get(query.repo);
    if (!repo) byRepo.set(query.repo, (repo = { documents: [], postings: [], frequency: [] }));
    const counts = new Map<number, number>();
    for (const token of tokenize(query.text)) {
      let id = ids.get(token);
      if (id === undefined) ids.set(token, (id = ids.size));
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const terms = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
    const tfs = Float64Array.from(terms, (t) => counts.get(t)!);
    for (const t of terms) repo.frequency[t] = (repo.frequency[t] ?? 0) + 1;
    const n = repo.documents.length + 1;
    const idf = (t: number) => Math.log((1 + n) / (1 + repo!.frequency[t]!)) + 1;
    const weights = Float64Array.from(terms, (t, i) => tfs[i]! * idf(t));
    const norm = Math.hypot(...weights);

    const ranked: RankedDuplicate[] = [];
    if (norm > 0) {
      for (const doc of candidates(repo, terms, weights)) {
        const earlier = repo.documents[doc]!;
        const dot = dotProduct(terms, weights, earlier, idf);
        if (earlier.norm > 0 && dot > 0) ranked.push({ number: earlier.number, score: dot / (norm * earlier.norm), exact: false });
      }
    }
    terms.forEach((t) => (repo!.postings[t] ??= []).push(repo!.documents.length));
    repo.documents.push({ number: query.number, terms, counts: tfs, norm });
    return ranked.sort((a, b) => b.score - a.score || b.number - a.number).slice(0, limit);
  });
}

/** Earlier issues (by position) worth scoring: all that share a word, or, in a long history, the best placed by the rarest words. */
function candidates(repo: Repository, terms: Int32Array, weights: Float64Array): Iterable<number> {
  if (repo.documents.length <= EXACT_UP_TO) {
    const all = new Set<number>();
    for (const t of terms) for (const doc of repo.postings[t] ?? []) all.add(doc);
    return all;
  }
  const rarest = [...terms.keys()].sort((a, b) => repo.frequency[terms[a]!]! - repo.frequency[terms[b]!]!).slice(0, RARE_WORDS);
  const partial = new Map<number, number>();
  for (const i of rarest) for (const doc of repo.postings[terms[i]!] ?? []) partial.set(doc, (partial.get(doc) ?? 0) + weights[i]!);
  return [...partial].sort((a, b) => b[1] - a[1]).slice(0, SCORED).map(([doc]) => doc);
}

/** The query's weights against an earlier issue's counts, both term lists ascending. */
function dotProduct(terms: Int32Array, weights: Float64Array, doc: Document, idf: (t: number) => number): number {
  let dot = 0;
  for (let i = 0, j = 0; i < terms.length && j < doc.terms.length; ) {
    if (terms[i]! < doc.terms[j]!) i++;
    else if (terms[i]! > doc.terms[j]!) j++;
    else {
      dot += weights[i]! * doc.counts[j]! * idf(terms[i]!);
      i++;
      j++;
    }
  }
  return dot;
}
