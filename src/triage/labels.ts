/**
 * Which labels an issue's races call for, and how to get from the labels it has to those.
 * A wrong component label sends work to the wrong team, so component labels are voted on
 * by the racing frames of both sides and the bot abstains when they disagree.
 */
import type { AnalysedRace, Frame } from '../race/types.js';
import type { Config } from './config.js';
import { isStandardLibrary, ownModule, raceSides, weightedFrames } from './frame-weights.js';
import { forbiddenReason, isForbiddenLabel } from './forbidden-labels.js';
import { globMatcher } from './glob.js';
import { labelFamily } from './label-patterns.js';
import { ownersLabels, type OwnersRules } from './owners-files.js';
import { racePackages } from './ownership-evidence.js';
import { ownershipLabels, type OwnershipModel, type OwnershipOutcome, type OwnershipRecord, type OwnershipSettings } from './ownership.js';
import type { LabelDecision, MarkerData, SkippedLabel } from './types.js';

/** Abstentions listed in the comment, closest first. */
const MAX_ABSTENTIONS = 3;

/** What the shell knows beyond the races and the config; every part is optional. */
export interface LabelEvidence {
  /** `owner/name`: tells the project's own frames from its dependencies' frames. */
  repo?: string;
  /** The issue's number: it is left out of its own history. */
  issueNumber?: number;
  /** The labels a person (not the bot) put on the issue: a family a person routed is not routed again by learning. */
  personLabels?: readonly string[];
  /** The repository's ownership history (every indexed issue's packages and labels); absent: nothing is learned. */
  ownershipHistory?: readonly OwnershipRecord[];
  /** Or the ownership already learned from the issues before this one (a replay keeps one up to date). */
  ownershipModel?: OwnershipModel;
  /** The repository's OWNERS files, parsed. */
  owners?: OwnersRules;
  /** The nearest past races' vote (`learned_labels`), used only when that is enabled. */
  learned?: LabelDecision[];
}

/**
 * Where two sources name labels of one family (`sig/*`), the first of this order decides it:
 * what maintainers wrote down (path rules, then OWNERS files) wins over what was learned,
 * and what was learned wins over a guess from the directory name.
 */
const PRECEDENCE: LabelDecision['source'][] = ['race', 'rule', 'owners', 'ownership', 'learned', 'default'];

/**
 * Labels the issue should carry, before checking which exist in the repository. A label
 * race-triage must never set (`severity/*`, `flaky-test`, ...) is dropped whatever named it.
 */
export function proposeLabels(races: AnalysedRace[], config: Config, evidence: LabelEvidence = {}): {
  proposed: LabelDecision[];
  abstained: SkippedLabel[];
} {
  if (races.length === 0) return { proposed: [], abstained: [] };
  const repo = evidence.repo ?? '';
  const isOwn = ownModule(config.module_prefixes, repo);
  const candidates: LabelDecision[] = [];
  if (config.race_label) {
    const reports = races.length === 1 ? 'a data-race report' : `${races.length} data-race reports`;
    candidates.push({ name: config.race_label, reason: `the issue holds ${reports}`, source: 'race' });
  }
  const components = voteFrames(races, frameLabeller(config, isOwn), config.thresholds.component_agreement);
  candidates.push(...components.agreed);
  const abstained = [...components.abstained];

  if (evidence.owners && config.owners_files) {
    const owners = voteFrames(races, ownersLabeller(evidence.owners, isOwn), config.thresholds.component_agreement);
    candidates.push(...owners.agreed);
    abstained.push(...owners.abstained);
  }
  if ((evidence.ownershipHistory || evidence.ownershipModel) && config.learned_ownership.enabled) {
    const learned = learnedOwnership(races, config, evidence);
    candidates.push(...learned.applied);
    abstained.push(...learned.abstained);
  }
  if (config.learned_labels.enabled) candidates.push(...(evidence.learned ?? []).map((l) => ({ ...l, source: 'learned' as const })));

  const { kept, overruled } = byPrecedence(candidates.filter((l) => !isForbiddenLabel(l.name)));
  const forbidden = candidates
    .filter((l) => isForbiddenLabel(l.name))
    .map((l) => ({ name: l.name, reason: forbiddenReason(l.name) }));
  return { proposed: uniqueByName(kept), abstained: [...forbidden, ...overruled, ...abstained] };
}

/** The config's `learned_ownership`, as the model takes it. */
export function ownershipSettings(config: Config): OwnershipSettings {
  return {
    families: config.learned_ownership.families,
    minPrecision: config.learned_ownership.min_precision,
    halfLifeDays: config.learned_ownership.half_life_days,
  };
}

/** Learned ownership's labels, leaving out the families a person has already routed. */
function learnedOwnership(races: AnalysedRace[], config: Config, evidence: LabelEvidence): OwnershipOutcome {
  const settings = ownershipSettings(config);
  const packages = racePackages(races, config, evidence.repo ?? '');
  const outcome = evidence.ownershipModel
    ? evidence.ownershipModel.labels(packages)
    : ownershipLabels(packages, evidence.ownershipHistory ?? [], settings, evidence.issueNumber);
  const routed = new Map((evidence.personLabels ?? []).map((l) => [labelFamily(l), l]));
  const applied: LabelDecision[] = [];
  const abstained = [...outcome.abstained];
  for (const label of outcome.applied) {
    const by = routed.get(labelFamily(label.name));
    if (by === undefined) applied.push(label);
    else abstained.push({ name: label.name, reason: `a person already routed the issue with ${by}; learned from history: ${label.reason}` });
  }
  return { applied, abstained };
}

/** Keeps, per label family, only the labels of the first source in PRECEDENCE that names one. */
function byPrecedence(labels: LabelDecision[]): { kept: LabelDecision[]; overruled: SkippedLabel[] } {
  const rank = (l: LabelDecision) => PRECEDENCE.indexOf(l.source);
  const decidedBy = new Map<string, LabelDecision['source']>();
  for (const label of [...labels].sort((a, b) => rank(a) - rank(b))) {
    const family = labelFamily(label.name);
    if (label.source !== 'race' && !decidedBy.has(family)) decidedBy.set(family, label.source);
  }
  const kept: LabelDecision[] = [];
  const overruled: SkippedLabel[] = [];
  for (const label of labels) {
    const by = decidedBy.get(labelFamily(label.name));
    if (label.source === 'race' || by === undefined || by === label.source) kept.push(label);
    else if (!labels.some((l) => l.source === by && l.name.toLowerCase() === label.name.toLowerCase())) {
      overruled.push({ name: label.name, reason: `${SOURCE_NAMES[by]} decide ${labelFamily(label.name)} labels here (${SOURCE_NAMES[label.source]} said: ${label.reason})` });
    }
  }
  return { kept, overruled };
}

const SOURCE_NAMES: Record<LabelDecision['source'], string> = {
  race: 'the race label',
  rule: 'the label rules',
  owners: 'the OWNERS files',
  ownership: 'the labels learned from history',
  learned: 'the most similar past races',
  default: 'the top-level directories',
};

interface Tally {
  weight: number;
  frames: number;
  sides: Set<string>;
  /** What the frames matched: a rule's glob, an OWNERS file, or the top-level directory. */
  via: Set<string>;
  source: FrameSource;
}

type FrameSource = 'rule' | 'default' | 'owners';
type FrameLabeller = (frame: Frame) => { label: string; via: string; source: FrameSource }[];

/**
 * Every racing side votes with its top significant frames (1, 1/2, 1/3, ... of a vote,
 * normalised so each side and each race weighs the same). A label is applied when its
 * share of the vote reaches `threshold` (`thresholds.component_agreement`).
 */
function voteFrames(
  races: AnalysedRace[],
  labelsOf: FrameLabeller,
  threshold: number,
): { agreed: LabelDecision[]; abstained: SkippedLabel[] } {
  const tallies = new Map<string, Tally>();
  const frames = weightedFrames(raceSides(races));
  for (const { frame, weight, race, side } of frames) {
    for (const { label, via, source } of labelsOf(frame)) {
      const t = tallies.get(label) ?? { weight: 0, frames: 0, sides: new Set(), via: new Set(), source };
      t.weight += weight;
      t.frames++;
      t.sides.add(`${race}:${side}`);
      t.via.add(via);
      tallies.set(label, t);
    }
  }
  const totalFrames = frames.length;

  const agreed: LabelDecision[] = [];
  const abstained: (SkippedLabel & { weight: number })[] = [];
  for (const [name, t] of [...tallies].sort((a, b) => b[1].weight - a[1].weight)) {
    const share = percent(t.weight);
    const sides = t.sides.size > 1 ? 'on both sides' : 'on one side';
    const evidence = `${t.frames} of ${totalFrames} top racing frames, ${sides}, are in ${[...t.via].join(', ')}`;
    if (t.weight + 1e-9 >= threshold) {
      agreed.push({ name, reason: `${evidence}: ${share} agreement`, source: t.source });
    } else {
      const reason = `${evidence}: ${share} agreement is below the ${percent(threshold)} needed`;
      abstained.push({ name, reason, weight: t.weight });
    }
  }
  return { agreed, abstained: abstained.slice(0, MAX_ABSTENTIONS).map(({ name, reason }) => ({ name, reason })) };
}

/** The labels OWNERS files give a frame of the project's own code; `via` names the directory and file. */
function ownersLabeller(owners: OwnersRules, isOwnModule: (module: string) => boolean): FrameLabeller {
  return (frame) => {
    if (!isOwnModule(frame.module) || isStandardLibrary(frame)) return [];
    return ownersLabels(owners, frame.package, frame.file).map(({ label, source }) => ({
      label,
      via: source,
      source: 'owners' as const,
    }));
  };
}

/**
 * The component labels one frame votes for: from the rules, or else from its top-level
 * directory. A dependency's frame matches rules by its module path (`tikv/client-go/**`
 * or `github.com/tikv/client-go/**`) and never yields a default component label.
 */
function frameLabeller(config: Config, isOwnModule: (module: string) => boolean): FrameLabeller {
  const isOwn = (frame: Frame) => isOwnModule(frame.module);
  const paths = (frame: Frame): string[] => {
    if (isOwn(frame)) return [frame.package];
    const full = `${frame.module}/${frame.package}`;
    return [full, full.slice(full.indexOf('/') + 1)];
  };
  const rules = Object.entries(config.label_rules).map(([glob, labels]) => ({ glob, labels, matches: packageMatcher(glob) }));
  if (rules.length > 0) {
    return (frame) =>
      rules
        .filter((rule) => paths(frame).some(rule.matches))
        .flatMap((rule) => rule.labels.map((label) => ({ label, via: rule.glob, source: 'rule' as const })));
  }
  const prefix = config.default_component_prefix;
  if (!prefix) return () => [];
  const containers = new Set(config.container_dirs);
  return (frame) => {
    if (!isOwn(frame)) return [];
    const dir = frame.package.split('/').find((segment) => !containers.has(segment));
    // A dot marks another module's path (github.com/...): not a component of this project.
    if (!dir || dir.includes('.') || isStandardLibrary(frame)) return [];
    return [{ label: `${prefix}${dir}`, via: dir, source: 'default' as const }];
  };
}

/**
 * The engine drops a leading `pkg/` from package paths (TiDB moved `executor` to
 * `pkg/executor`), so a glob written against the source tree, `pkg/executor/**`, matches
 * the package `executor` as well as a package path printed in full.
 */
function packageMatcher(glob: string): (pkg: string) => boolean {
  const written = globMatcher(glob);
  const normalised = glob.startsWith('pkg/') ? globMatcher(glob.slice('pkg/'.length)) : written;
  return (pkg) => written(pkg) || normalised(pkg);
}

/**
 * Keep the labels the repository has (matched case-insensitively, spelled as the repository
 * spells them), or, with `create_labels`, any but a learned one; `repoLabels === null` means
 * the list is unknown and nothing is filtered.
 */
export function existingLabels(
  proposed: LabelDecision[],
  repoLabels: string[] | null,
  createLabels: boolean,
): { applicable: LabelDecision[]; missing: SkippedLabel[] } {
  if (repoLabels === null) return { applicable: proposed, missing: [] };
  const spelling = new Map(repoLabels.map((l) => [l.toLowerCase(), l]));
  const applicable: LabelDecision[] = [];
  const missing: SkippedLabel[] = [];
  for (const label of proposed) {
    const name = spelling.get(label.name.toLowerCase());
    if (name) applicable.push({ ...label, name });
    // A learned label the repository no longer has was renamed or retired: it is never created again.
    else if (label.source === 'ownership') missing.push({ name: label.name, reason: 'learned from earlier issues, but the repository no longer has this label' });
    else if (createLabels) applicable.push(label);
    else missing.push({ name: label.name, reason: 'the repository has no such label (set create_labels: true to create it)' });
  }
  return { applicable, missing };
}

export interface LabelChanges {
  /** Labels that apply now and were not turned down by a person. */
  applied: LabelDecision[];
  /** Applicable labels a person removed earlier, so they are not added again. */
  refused: SkippedLabel[];
  labelsToAdd: string[];
  labelsToRemove: string[];
  /** What the marker records: the bot's own labels, and those people removed. */
  own: Pick<MarkerData, 'labels' | 'declined'>;
}

/**
 * Labels a person added are never removed: only labels the bot recorded as its own (in the
 * previous marker) that no longer apply. A bot label a person removed is never re-added.
 */
export function labelChanges(
  applicable: LabelDecision[],
  issueLabels: string[],
  previous?: Pick<MarkerData, 'labels' | 'declined'>,
): LabelChanges {
  const key = (l: string) => l.toLowerCase();
  const onIssue = new Set(issueLabels.map(key));
  const wanted = new Set(applicable.map((l) => key(l.name)));
  const botBefore = previous?.labels ?? [];
  const declined = uniqueNames([
    ...(previous?.declined ?? []).filter((l) => !onIssue.has(key(l))),
    ...botBefore.filter((l) => !onIssue.has(key(l))),
  ]);
  const isDeclined = new Set(declined.map(key));

  const applied = applicable.filter((l) => !isDeclined.has(key(l.name)));
  const refused = applicable
    .filter((l) => isDeclined.has(key(l.name)))
    .map((l) => ({ name: l.name, reason: 'a person removed it after the bot added it, so it is not added again' }));
  const labelsToAdd = applied.map((l) => l.name).filter((l) => !onIssue.has(key(l)));
  const labelsToRemove = botBefore.filter((l) => onIssue.has(key(l)) && !wanted.has(key(l)));
  const kept = botBefore.filter((l) => onIssue.has(key(l)) && wanted.has(key(l)));
  const own = { labels: uniqueNames([...kept, ...labelsToAdd]), ...(declined.length > 0 ? { declined } : {}) };
  return { applied, refused, labelsToAdd, labelsToRemove, own };
}

function uniqueByName(labels: LabelDecision[]): LabelDecision[] {
  const seen = new Set<string>();
  return labels.filter((l) => !seen.has(l.name.toLowerCase()) && !!seen.add(l.name.toLowerCase()));
}

function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n.toLowerCase()) && !!seen.add(n.toLowerCase()));
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
