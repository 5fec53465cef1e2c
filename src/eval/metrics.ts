/**
 * Accuracy metrics over a replayed history. Pure: cases in, figures out.
 */

/** One earlier issue a method names for a query issue, best first. */
export interface RankedDuplicate {
  number: number;
  score: number;
  /** The method claims the same race, not just a resemblance. */
  exact: boolean;
}

/** What a method said about one issue, next to the maintainers' ground truth. */
export interface DuplicateCase {
  /** Earlier issues this one duplicates; `null` when the corpus does not know. */
  truth: number[] | null;
  /** Earlier issues known to report a different race that looks alike (hard negatives). */
  notDuplicates?: number[];
  ranked: RankedDuplicate[];
}

export interface DuplicateMetrics {
  /** Issues with at least one known earlier duplicate. */
  queries: number;
  /** Share of queries whose first listed issue is a true duplicate. */
  recall1: number | null;
  /** Share of queries with a true duplicate among the first five listed. */
  recall5: number | null;
  /** Mean of 1/rank of the first true duplicate (0 when none is listed). */
  mrr: number | null;
  /** "Same race" claims made on issues with known ground truth. */
  exactClaims: number;
  /** Share of those claims that name an issue that is not a duplicate; null when no claim was made. */
  wrongExact: number | null;
  /** Issues known to have no earlier duplicate. */
  originals: number;
  /** Share of those for which something was listed anyway: the noise a maintainer sees. */
  falseAlarms: number | null;
  /** Hard negatives: pairs of issues known to report different races that look alike. */
  hardNegatives: number;
  /** Hard negatives whose later issue lists the earlier one. */
  hardNegativesListed: number;
  /** Hard negatives listed with a "same race" claim. */
  hardNegativesExact: number;
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export function duplicateMetrics(cases: DuplicateCase[]): DuplicateMetrics {
  let queries = 0, hits1 = 0, hits5 = 0, reciprocal = 0;
  let exactClaims = 0, wrongExact = 0, originals = 0, falseAlarms = 0;
  let hardNegatives = 0, hardNegativesListed = 0, hardNegativesExact = 0;
  for (const { truth, notDuplicates = [], ranked } of cases) {
    hardNegatives += notDuplicates.length;
    for (const negative of notDuplicates) {
      const listed = ranked.find((r) => r.number === negative);
      if (listed) hardNegativesListed++;
      if (listed?.exact) hardNegativesExact++;
    }
    if (truth === null) continue;
    const isDuplicate = new Set(truth);
    for (const r of ranked) {
      if (!r.exact) continue;
      exactClaims++;
      if (!isDuplicate.has(r.number)) wrongExact++;
    }
    if (truth.length === 0) {
      originals++;
      if (ranked.length > 0) falseAlarms++;
      continue;
    }
    queries++;
    const rank = ranked.findIndex((r) => isDuplicate.has(r.number)) + 1;
    if (rank === 1) hits1++;
    if (rank >= 1 && rank <= 5) hits5++;
    if (rank >= 1) reciprocal += 1 / rank;
  }
  return {
    queries,
    recall1: share(hits1, queries),
    recall5: share(hits5, queries),
    mrr: share(reciprocal, queries),
    exactClaims,
    wrongExact: share(wrongExact, exactClaims),
    originals,
    falseAlarms: share(falseAlarms, originals),
    hardNegatives,
    hardNegativesListed,
    hardNegativesExact,
  };
}

/** Listed duplicates at one threshold, over every issue with known ground truth. */
export interface ThresholdRow {
  threshold: number;
  /** Share of listed issues that are true duplicates; null when nothing was listed. */
  precision: number | null;
  /** Share of queries with a true duplicate listed. */
  recall: number | null;
  listed: number;
  hardNegativesListed: number;
}

/** Precision and recall of the listings a threshold gives: `listedAt[i][c]` is case c's listing at `thresholds[i]`. */
export function thresholdRows(
  cases: Pick<DuplicateCase, 'truth' | 'notDuplicates'>[],
  thresholds: number[],
  listedAt: RankedDuplicate[][][],
): ThresholdRow[] {
  return thresholds.map((threshold, i) => {
    let listed = 0, correct = 0, queries = 0, found = 0, negatives = 0;
    cases.forEach(({ truth, notDuplicates = [] }, c) => {
      const ranked = listedAt[i]![c]!;
      negatives += ranked.filter((r) => notDuplicates.includes(r.number)).length;
      if (truth === null) return;
      const isDuplicate = new Set(truth);
      listed += ranked.length;
      correct += ranked.filter((r) => isDuplicate.has(r.number)).length;
      if (truth.length > 0) {
        queries++;
        if (ranked.some((r) => isDuplicate.has(r.number))) found++;
      }
    });
    return { threshold, precision: share(correct, listed), recall: share(found, queries), listed, hardNegativesListed: negatives };
  });
}

/** The threshold with the best precision among those with recall at least `minRecall` (the lowest on ties); undefined when none reaches it. */
export function bestThreshold(rows: ThresholdRow[], minRecall: number): ThresholdRow | undefined {
  let best: ThresholdRow | undefined;
  for (const row of rows) {
    if (row.recall === null || row.recall < minRecall || row.precision === null) continue;
    if (!best || row.precision > best.precision!) best = row;
  }
  return best;
}

/** Labels maintainers applied and labels a method applied, for one issue. */
export interface LabelCase {
  truth: string[];
  predicted: string[];
}

export interface LabelScore {
  label: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number | null;
  recall: number | null;
}

/**
 * Per-label precision and recall over the labels `managed` accepts, plus their micro-average
 * (labelled `all`). Labels outside the managed families are ignored on both sides.
 */
export function labelMetrics(cases: LabelCase[], managed: (label: string) => boolean): LabelScore[] {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const count = (label: string) => {
    let c = counts.get(label);
    if (!c) counts.set(label, (c = { tp: 0, fp: 0, fn: 0 }));
    return c;
  };
  for (const { truth, predicted } of cases) {
    const actual = new Set(truth.filter(managed));
    const said = new Set(predicted.filter(managed));
    for (const label of said) {
      if (actual.has(label)) count(label).tp++;
      else count(label).fp++;
    }
    for (const label of actual) if (!said.has(label)) count(label).fn++;
  }
  const score = (label: string, c: { tp: number; fp: number; fn: number }): LabelScore => ({
    label,
    truePositives: c.tp,
    falsePositives: c.fp,
    falseNegatives: c.fn,
    precision: share(c.tp, c.tp + c.fp),
    recall: share(c.tp, c.tp + c.fn),
  });
  const total = { tp: 0, fp: 0, fn: 0 };
  for (const c of counts.values()) {
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
  }
  return [
    ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([label, c]) => score(label, c)),
    score('all', total),
  ];
}
