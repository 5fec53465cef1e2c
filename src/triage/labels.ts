/**
 * Which labels an issue's races call for, and how to get from the labels it has to those.
 * A wrong component label sends work to the wrong team, so component labels are voted on
 * by the racing frames of both sides and the bot abstains when they disagree.
 */
import type { AnalysedRace, Frame } from '../race/types.js';
import type { Config } from './config.js';
import { globMatcher } from './glob.js';
import type { LabelDecision, MarkerData, SkippedLabel } from './types.js';

/** Significant frames per side that vote; deeper frames say little about ownership. */
const VOTING_FRAMES = 5;
/** Abstentions listed in the comment, closest first. */
const MAX_ABSTENTIONS = 3;
/** Top-level directories that are never a component of the project (Go standard library). */
const STANDARD_LIBRARY = new Set([
  'runtime', 'sync', 'testing', 'reflect', 'fmt', 'os', 'io', 'net', 'time', 'context', 'sort',
  'strings', 'bytes', 'strconv', 'errors', 'math', 'encoding', 'container', 'bufio', 'syscall',
]);

/**
 * Labels the issue should carry, before checking which exist in the repository.
 * `repo` (`owner/name`) tells the project's own frames from its dependencies' frames.
 */
export function proposeLabels(races: AnalysedRace[], config: Config, learned: LabelDecision[] = [], repo = ''): {
  proposed: LabelDecision[];
  abstained: SkippedLabel[];
} {
  if (races.length === 0) return { proposed: [], abstained: [] };
  const proposed: LabelDecision[] = [];
  if (config.race_label) {
    const reports = races.length === 1 ? 'a data-race report' : `${races.length} data-race reports`;
    proposed.push({ name: config.race_label, reason: `the issue holds ${reports}`, source: 'race' });
  }
  const { agreed, abstained } = voteComponents(races, config, ownModule(config, repo));
  proposed.push(...agreed);
  if (config.learned_labels.enabled) proposed.push(...learned.map((l) => ({ ...l, source: 'learned' as const })));
  return { proposed: uniqueByName(proposed), abstained };
}

interface Tally {
  weight: number;
  frames: number;
  sides: Set<string>;
  /** What the frames matched: a rule's glob, or the top-level directory. */
  via: Set<string>;
  source: 'rule' | 'default';
}

/**
 * Every racing side votes with its top significant frames (1, 1/2, 1/3, ... of a vote,
 * normalised so each side and each race weighs the same). A label is applied when its
 * share of the vote reaches `thresholds.component_agreement`.
 */
function voteComponents(
  races: AnalysedRace[],
  config: Config,
  isOwnModule: (module: string) => boolean,
): { agreed: LabelDecision[]; abstained: SkippedLabel[] } {
  const labelsOf = frameLabeller(config, isOwnModule);
  const tallies = new Map<string, Tally>();
  let totalFrames = 0;
  races.forEach((race, r) => {
    const sides = race.report.accesses
      .map((a) => a.frames.filter((f) => f.significant).slice(0, VOTING_FRAMES))
      .filter((frames) => frames.length > 0);
    sides.forEach((frames, s) => {
      const raw = frames.map((_, i) => 1 / (i + 1));
      const sum = raw.reduce((a, b) => a + b, 0);
      frames.forEach((frame, i) => {
        totalFrames++;
        const weight = raw[i]! / sum / sides.length / races.length;
        for (const { label, via, source } of labelsOf(frame)) {
          const t = tallies.get(label) ?? { weight: 0, frames: 0, sides: new Set(), via: new Set(), source };
          t.weight += weight;
          t.frames++;
          t.sides.add(`${r}:${s}`);
          t.via.add(via);
          tallies.set(label, t);
        }
      });
    });
  });

  const threshold = config.thresholds.component_agreement;
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

/**
 * Whether a frame's module is the project itself: the repository's GitHub module, a
 * configured module prefix, a module named like the repository (the vanity path
 * `go.etcd.io/etcd` of etcd-io/etcd), or no module at all. With no repository known,
 * every frame counts as the project's.
 */
function ownModule(config: Config, repo: string): (module: string) => boolean {
  if (!repo) return () => true;
  const name = repo.slice(repo.indexOf('/') + 1).toLowerCase();
  const own = new Set(['', `github.com/${repo.toLowerCase()}`, ...config.module_prefixes.map((p) => p.replace(/\/+$/, '').toLowerCase())]);
  return (module) => {
    const m = module.toLowerCase();
    return own.has(m) || m.slice(m.lastIndexOf('/') + 1) === name;
  };
}

/**
 * The component labels one frame votes for: from the rules, or else from its top-level
 * directory. A dependency's frame matches rules by its module path (`tikv/client-go/**`
 * or `github.com/tikv/client-go/**`) and never yields a default component label.
 */
function frameLabeller(
  config: Config,
  isOwnModule: (module: string) => boolean,
): (frame: Frame) => { label: string; via: string; source: 'rule' | 'default' }[] {
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
    if (!dir || dir.includes('.') || STANDARD_LIBRARY.has(dir)) return [];
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
 * spells them); `repoLabels === null` means the list is unknown and nothing is filtered.
 */
export function existingLabels(
  proposed: LabelDecision[],
  repoLabels: string[] | null,
  createLabels: boolean,
): { applicable: LabelDecision[]; missing: SkippedLabel[] } {
  if (repoLabels === null || createLabels) return { applicable: proposed, missing: [] };
  const spelling = new Map(repoLabels.map((l) => [l.toLowerCase(), l]));
  const applicable: LabelDecision[] = [];
  const missing: SkippedLabel[] = [];
  for (const label of proposed) {
    const name = spelling.get(label.name.toLowerCase());
    if (name) applicable.push({ ...label, name });
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
