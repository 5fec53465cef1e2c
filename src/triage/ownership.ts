/**
 * Who owns which code, learned from the repository's own history: the labels maintainers
 * gave to earlier issues, credited to the packages those issues are about. Per package, not
 * per race: a new race in `ddl/ingest` is routed like the earlier issues in `ddl/ingest`,
 * or, when that package has no history, like those in `ddl`.
 *
 * A label is applied only at a precision the history itself defends. The history is
 * replayed in filing order, each routed issue voted on from the issues filed before it,
 * and the bot speaks only when votes as strong as the present one named the maintainers'
 * label often enough: (right + 1) / (votes + 2) >= `minPrecision`, the rule of succession,
 * so a short record of successes is not mistaken for a reliable one. Pure.
 */
import { isForbiddenLabel } from './forbidden-labels.js';
import { labelMatcher } from './label-patterns.js';
import type { PackageWeight } from './ownership-evidence.js';
import type { LabelDecision, SkippedLabel } from './types.js';

/** What the history holds of one issue. */
export interface OwnershipRecord {
  number: number;
  /** When it was filed, ISO 8601. An unreadable or out-of-order date is taken as the previous issue's. */
  filedAt: string;
  /** Its packages, from its races or its stack trace (`issuePackages`). */
  packages: PackageWeight[];
  /** The labels it carries now, as maintainers left them. */
  labels: string[];
}

export interface OwnershipSettings {
  /** Label families that are learned (`sig/*`); a label in none of them is ignored. */
  families: readonly string[];
  /** Precision the replayed history must defend before a label is applied. */
  minPrecision: number;
  /** Days after which an issue's say counts half: teams and label names change. */
  halfLifeDays: number;
}

export interface OwnershipOutcome {
  applied: LabelDecision[];
  abstained: SkippedLabel[];
}

/** Nodes of a package path named in a reason. */
const NAMED_NODES = 2;
const DAY_MS = 86_400_000;

interface LabelTally {
  mass: number;
  /** Distinct routed issues carrying the label, and the last one counted (issues are added one at a time). */
  issues: number;
  last: number;
}

/** What one package directory (and everything below it) has seen in one label family. */
interface PackageNode {
  /** Recency-weighted share of routed issues credited here. */
  mass: number;
  /** Distinct routed issues credited here. */
  issues: number;
  /** The same issues, each counted by the share of its evidence that lies here (at most 1). */
  effective: number;
  last: number;
  lastEvidence: number;
  labels: Map<string, LabelTally>;
}

/** One family's vote on a set of packages. */
interface Vote {
  label: string;
  /** Share of the packages' weight that votes for `label`, recent issues weighing more. */
  share: number;
  /**
   * The vote's own estimate that it is right: (share x n + 1) / (n + 2), where n is how many
   * earlier issues stand behind the voting packages, each counted by how much of its evidence
   * lies there (an issue that only passed through as a caller counts little).
   */
  strength: number;
  /** The package nodes that voted, heaviest first. */
  nodes: { path: string; weight: number; carrying: number; routed: number }[];
}

/** A replayed vote: how strong it was and whether it named the maintainers' label. */
interface Check {
  strength: number;
  right: boolean;
}

/** One label family's learned ownership. Adding an issue and voting cost the same whatever the history's size. */
class FamilyModel {
  readonly nodes = new Map<string, PackageNode>();
  readonly checks: Check[] = [];

  add(number: number, packages: PackageWeight[], labels: string[], recency: number): void {
    for (const p of packages) {
      for (const path of ancestors(p)) {
        let node = this.nodes.get(path);
        if (!node) this.nodes.set(path, (node = { mass: 0, issues: 0, effective: 0, last: Number.NaN, lastEvidence: 0, labels: new Map() }));
        if (node.last !== number) {
          node.issues++;
          node.last = number;
          node.lastEvidence = 0;
        }
        const evidence = node.lastEvidence + p.weight;
        node.effective += Math.min(1, evidence) - Math.min(1, node.lastEvidence);
        node.lastEvidence = evidence;
        node.mass += p.weight * recency;
        for (const label of labels) {
          let tally = node.labels.get(label);
          if (!tally) node.labels.set(label, (tally = { mass: 0, issues: 0, last: Number.NaN }));
          tally.mass += p.weight * recency;
          if (tally.last !== number) {
            tally.issues++;
            tally.last = number;
          }
        }
      }
    }
  }

  /** The best label for these packages, or undefined when none of them has history here. */
  vote(packages: PackageWeight[]): Vote | undefined {
    const total = packages.reduce((sum, p) => sum + p.weight, 0);
    const used: { path: string; node: PackageNode; weight: number }[] = [];
    for (const p of packages) {
      const path = ancestors(p).find((a) => this.nodes.has(a));
      if (path) used.push({ path, node: this.nodes.get(path)!, weight: p.weight });
    }
    if (used.length === 0 || total <= 0) return undefined;
    const scores = new Map<string, number>();
    for (const { node, weight } of used) {
      for (const [label, tally] of node.labels) scores.set(label, (scores.get(label) ?? 0) + (weight * tally.mass) / node.mass);
    }
    const [label, score] = [...scores].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    const byPath = new Map<string, { path: string; weight: number; carrying: number; routed: number }>();
    let usedWeight = 0;
    let behind = 0;
    for (const { path, node, weight } of used) {
      usedWeight += weight;
      behind += weight * node.effective;
      const entry = byPath.get(path) ?? { path, weight: 0, carrying: node.labels.get(label)?.issues ?? 0, routed: node.issues };
      entry.weight += weight;
      byPath.set(path, entry);
    }
    const share = Math.min(1, score / total);
    const n = behind / usedWeight;
    return {
      label,
      share,
      strength: (share * n + 1) / (n + 2),
      nodes: [...byPath.values()].sort((a, b) => b.weight - a.weight || a.path.localeCompare(b.path)),
    };
  }

  /**
   * Whether the replayed record defends acting on a vote of this strength. The bot acts on
   * votes at least as strong as a threshold; a threshold is defended when the replayed votes
   * at or above it were right often enough: (right + 1) / (votes + 2) >= `minPrecision`. The
   * vote is defended when some threshold at or below its strength is: the lowest one is named.
   * Otherwise the threshold that came closest is named.
   */
  defence(strength: number, minPrecision: number): Defence {
    const eps = 1e-12;
    const sorted = [...this.checks].sort((a, b) => b.strength - a.strength);
    const estimate = (r: { right: number; votes: number }) => (r.right + 1) / (r.votes + 2);
    // One pass from the strongest check down: the record at each threshold is a running count.
    let right = 0;
    let votes = 0;
    while (votes < sorted.length && sorted[votes]!.strength >= strength - eps) right += Number(sorted[votes++]!.right);
    let lowest: Defence | undefined;
    let closest: Defence = { threshold: strength, right, votes, defended: false };
    const consider = (threshold: number) => {
      const record = { threshold, right, votes, defended: false };
      if (minPrecision <= 0 || estimate(record) + eps >= minPrecision) lowest = { ...record, defended: true };
      else if (estimate(record) > estimate(closest) + eps || (estimate(record) >= estimate(closest) - eps && votes > closest.votes)) closest = record;
    };
    consider(strength);
    while (votes < sorted.length) {
      const threshold = sorted[votes]!.strength;
      while (votes < sorted.length && sorted[votes]!.strength >= threshold - eps) right += Number(sorted[votes++]!.right);
      consider(threshold);
    }
    return lowest ?? closest;
  }
}

interface Defence {
  /** The vote strength from which on the bot acts (or would come closest to acting). */
  threshold: number;
  right: number;
  votes: number;
  defended: boolean;
}

/**
 * The labels learned ownership gives an issue with these packages, and why, or why not.
 * `history` is every issue the repository's index knows, in any order; `exclude` (the issue
 * itself) is left out.
 */
export function ownershipLabels(
  packages: PackageWeight[],
  history: readonly OwnershipRecord[],
  settings: OwnershipSettings,
  exclude?: number,
): OwnershipOutcome {
  return OwnershipModel.learn(history.filter((r) => r.number !== exclude), settings).labels(packages);
}

/**
 * Learned ownership, kept up to date one issue at a time: `learn` replays a history, `add`
 * replays one more issue filed after all the others (what a replay in filing order does,
 * without learning the whole history again for every issue), `labels` votes.
 */
export class OwnershipModel {
  readonly #families = new Map<string, FamilyModel>();
  readonly #familyOf: (label: string) => string | undefined;
  readonly #halfLife: number;
  #origin: number | undefined;
  #lastFiled = Number.NEGATIVE_INFINITY;
  #lastNumber = Number.NEGATIVE_INFINITY;

  private constructor(private readonly settings: OwnershipSettings) {
    this.#familyOf = familyMatcher(settings.families);
    this.#halfLife = Math.max(1, settings.halfLifeDays) * DAY_MS;
  }

  /** The model of a history in any order (filing order is the issue number). */
  static learn(history: readonly OwnershipRecord[], settings: OwnershipSettings): OwnershipModel {
    const model = new OwnershipModel(settings);
    for (const record of [...history].sort((a, b) => a.number - b.number)) model.add(record);
    return model;
  }

  /**
   * Replays one more issue: voted on from the issues before it (a check of the model against
   * the maintainers), then added. False, and nothing learned, when it is not numbered after
   * every issue added so far: then the history must be learned again in order.
   */
  add(record: OwnershipRecord): boolean {
    if (record.number <= this.#lastNumber) return false;
    this.#lastNumber = record.number;
    if (record.packages.length === 0) return true;
    const parsed = Date.parse(record.filedAt);
    // An issue is never older than one filed before it.
    const filed = Math.max(Number.isNaN(parsed) ? this.#lastFiled : parsed, this.#lastFiled);
    this.#lastFiled = filed;
    this.#origin ??= Number.isFinite(filed) ? filed : 0;
    // Weights grow with time instead of decaying with age: shares are ratios, so this is the same.
    const recency = Number.isFinite(filed) ? 2 ** ((filed - this.#origin) / this.#halfLife) : 1;

    const byFamily = new Map<string, string[]>();
    for (const label of new Set(record.labels)) {
      const family = this.#familyOf(label);
      if (family && !isForbiddenLabel(label)) byFamily.set(family, [...(byFamily.get(family) ?? []), label]);
    }
    for (const [family, labels] of byFamily) {
      let model = this.#families.get(family);
      if (!model) this.#families.set(family, (model = new FamilyModel()));
      const vote = model.vote(record.packages);
      if (vote) model.checks.push({ strength: vote.strength, right: labels.includes(vote.label) });
      model.add(record.number, record.packages, labels, recency);
    }
    return true;
  }

  /** The labels these packages get, and why, or why not. */
  labels(packages: PackageWeight[]): OwnershipOutcome {
    return familyLabels(packages, this.#families, this.settings);
  }
}

function familyLabels(packages: PackageWeight[], families: ReadonlyMap<string, FamilyModel>, settings: OwnershipSettings): OwnershipOutcome {
  const applied: LabelDecision[] = [];
  const abstained: SkippedLabel[] = [];
  for (const [family, model] of families) {
    const vote = model.vote(packages);
    if (!vote) {
      if (packages.length > 0) abstained.push({ name: family, reason: `no earlier issue labelled ${family} is about ${packageList(packages)}` });
      continue;
    }
    const defence = model.defence(vote.strength, settings.minPrecision);
    const evidence = `${voteText(vote)} (${percent(vote.share)} of the vote, confidence ${percent(vote.strength)})`;
    if (defence.defended) {
      const record = defence.votes > 0 ? `; replayed in filing order, ${recordText(defence)}` : '';
      applied.push({ name: vote.label, source: 'ownership', reason: evidence + record });
    } else {
      abstained.push({ name: vote.label, reason: `${evidence}, but ${undefendedText(defence, settings.minPrecision)}` });
    }
  }
  return { applied, abstained };
}

/** The family pattern a label belongs to, the first that matches. */
function familyMatcher(patterns: readonly string[]): (label: string) => string | undefined {
  const matchers = patterns.map((p) => ({ pattern: p, matches: labelMatcher([p]) }));
  return (label) => matchers.find((m) => m.matches(label))?.pattern;
}

/**
 * A package and the directories above it, deepest first, up to its top-level directory
 * (`executor/sortexec`, `executor`), or for a dependency up to its module root.
 */
function ancestors(p: PackageWeight): string[] {
  const parts = p.package.split('/').filter(Boolean);
  const prefix = p.module ? `${p.module}/` : '';
  const out: string[] = [];
  for (let n = parts.length; n >= 1; n--) out.push(prefix + parts.slice(0, n).join('/'));
  if (p.module) out.push(p.module);
  return out;
}

function voteText(vote: Vote): string {
  const [first, ...rest] = vote.nodes.filter((n) => n.carrying > 0).slice(0, NAMED_NODES);
  const issues = (n: number) => (n === 1 ? 'issue' : 'issues');
  const head =
    first!.routed === 1
      ? `the one earlier routed issue in ${first!.path} was labelled ${vote.label}`
      : `${first!.carrying} of the ${first!.routed} earlier routed ${issues(first!.routed)} in ${first!.path} ${first!.carrying === 1 ? 'was' : 'were'} labelled ${vote.label}`;
  const tail = rest.map((n) => `, ${n.carrying} of ${n.routed} in ${n.path}`).join('');
  return head + tail;
}

function recordText(defence: Defence): string {
  return `this repository's votes of confidence ${percent(defence.threshold)} or more: ${defence.right} of ${defence.votes} ${defence.right === 1 ? 'was' : 'were'} right`;
}

function undefendedText(defence: Defence, minPrecision: number): string {
  const needed = percent(minPrecision);
  if (defence.votes === 0) return `no earlier vote in this repository can be replayed to check it yet (${needed} precision needed)`;
  // (k + 1) / (k + 2) >= p takes k >= (2p - 1) / (1 - p) right votes in a row; no record shows 100%.
  const inARow = minPrecision >= 1 ? 'no record is enough' : `${Math.max(0, Math.ceil((2 * minPrecision - 1) / (1 - minPrecision) - 1e-9))} in a row are needed`;
  return defence.right === defence.votes
    ? `replayed in filing order, ${recordText(defence)}: too few to show ${needed} precision (${inARow})`
    : `replayed in filing order, ${recordText(defence)} (${needed} precision needed)`;
}

function packageList(packages: PackageWeight[]): string {
  const names = packages.slice(0, 3).map((p) => (p.module ? `${p.module}/${p.package}` : p.package));
  return packages.length > 3 ? `${names.join(', ')}, ...` : names.join(', ');
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
