/**
 * Replays a history of issues through the app's own code path, in filing order, into a fresh
 * in-memory database: engine -> index candidates and ownership history -> decide. Each issue
 * sees only the issues filed before it, as the bot would have, had it been installed from the
 * start, and each earlier issue with the labels the corpus gives it, as maintainers left them.
 *
 * Steps are handed to `onStep` one at a time and not kept, so a history of any length replays
 * in bounded memory: the index holds the signatures, the caller what it wants of each step.
 */
import { analyse, restoredReport, signStored, storedReport, type AnalysedRace, type EngineOptions } from '../race/index.js';
import { KyselyRaceIndex, openDatabase, type Candidate } from '../store/index.js';
import { engineOptions, type Config } from '../triage/config.js';
import { decide } from '../triage/decide.js';
import { ownershipSettings } from '../triage/labels.js';
import { candidateLimit, learnedLabels } from '../triage/learned-labels.js';
import { issuePackages } from '../triage/ownership-evidence.js';
import { ReplayedOwnership } from './replayed-ownership.js';
import type { DuplicateLine, LabelDecision, SkippedLabel } from '../triage/types.js';
import { inFilingOrder, type CorpusIssue } from './corpus.js';

/** A replay has one installation; repositories are kept apart as the app keeps them. */
const INSTALLATION_ID = 1;

/** What the bot would have said on one issue. */
export interface ReplayStep {
  issue: CorpusIssue;
  races: AnalysedRace[];
  /** Earlier issues the index returned, best first (at least as many as the comment lists). */
  candidates: Candidate[];
  duplicates: DuplicateLine[];
  labels: LabelDecision[];
  /** Labels considered and not applied, with the reason. */
  skippedLabels: SkippedLabel[];
}

export interface ReplayOptions {
  configError?: string;
  /** Candidates to ask the index for per issue, when more than the comment needs (eval's threshold sweep). */
  candidates?: number;
  /** Called after each issue with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What a replay did, for the closing summary line. */
export interface ReplaySummary {
  issues: number;
  /** Issues with at least one race. */
  withRaces: number;
  races: number;
  /** Likely duplicates listed, over all issues. */
  duplicatesListed: number;
  /** Labels the bot would have applied, over all issues. */
  labelsApplied: number;
}

/**
 * A repository's labels, as far as the corpus shows them: the labels its issues carry. A
 * repository whose issues carry none is taken to have unknown labels, so none is filtered out.
 */
export function labelsByRepo(issues: CorpusIssue[]): Map<string, string[]> {
  const labels = new Map<string, Set<string>>();
  for (const issue of issues) {
    const set = labels.get(issue.repo) ?? new Set<string>();
    for (const label of issue.labels) set.add(label);
    labels.set(issue.repo, set);
  }
  return new Map([...labels].filter(([, set]) => set.size > 0).map(([repo, set]) => [repo, [...set]]));
}

export async function replay(
  issues: CorpusIssue[],
  config: Config,
  onStep: (step: ReplayStep) => void | Promise<void>,
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const engine = engineOptions(config);
  const repoLabels = labelsByRepo(issues);
  const limit = Math.max(candidateLimit(config), options.candidates ?? 0);
  const summary: ReplaySummary = { issues: 0, withRaces: 0, races: 0, duplicatesListed: 0, labelsApplied: 0 };
  const ordered = inFilingOrder(issues);
  const database = await openDatabase({ sqlitePath: ':memory:' });
  const index = new KyselyRaceIndex(database.db);
  const ownership = new ReplayedOwnership(ownershipSettings(config));
  try {
    for (const issue of ordered) {
      const races = issueRaces(issue, engine);
      const signatures = races.map((r) => r.signature);
      const candidates =
        races.length === 0
          ? []
          : await index.candidates({ installationId: INSTALLATION_ID, repo: issue.repo, races: signatures, excludeNumber: issue.number, limit });
      const ownershipModel = config.learned_ownership.enabled ? ownership.model(issue.repo) : undefined;
      const decision = decide({
        issue: { ...issue, installationId: INSTALLATION_ID, private: false, labels: [] },
        races,
        candidates,
        config,
        repoLabels: repoLabels.get(issue.repo) ?? null,
        learnedLabels: learnedLabels(candidates, config),
        ...(ownershipModel ? { ownershipModel } : {}),
        ...(options.configError ? { configError: options.configError } : {}),
      });
      const updatedAt = issue.createdAt ?? new Date(0).toISOString();
      const { packages } = issuePackages(issue.body, config, issue.repo, races);
      if (packages.length > 0) ownership.add(issue.repo, { number: issue.number, filedAt: updatedAt, packages, labels: issue.labels });
      if (races.length > 0) {
        await index.upsertIssue({
          installationId: INSTALLATION_ID,
          repo: issue.repo,
          number: issue.number,
          title: issue.title,
          state: issue.state,
          stateReason: issue.stateReason,
          labels: issue.labels,
          fixingPr: null,
          private: false,
          updatedAt,
          ...(issue.createdAt ? { createdAt: issue.createdAt } : {}),
          races: races.map((race) => ({ ...race.signature, report: storedReport(race.report) })),
          engine,
        });
      }
      summary.issues++;
      summary.withRaces += races.length > 0 ? 1 : 0;
      summary.races += races.length;
      summary.duplicatesListed += decision.duplicates.length;
      summary.labelsApplied += decision.labels.length;
      await onStep({ issue, races, candidates, duplicates: decision.duplicates, labels: decision.labels, skippedLabels: decision.skippedLabels });
      options.onProgress?.(summary.issues, ordered.length);
    }
    return summary;
  } finally {
    await index.close();
  }
}

/** The issue's races: read from its body, or, for a history read from the index, signed again from the stored frames. */
function issueRaces(issue: CorpusIssue, engine: EngineOptions): AnalysedRace[] {
  if (!issue.reports) return analyse(issue.body, engine);
  return issue.reports.map((stored) => ({ report: restoredReport(stored, engine), signature: signStored(stored, engine) }));
}

/** `1,204 issues (873 with races, 911 races), 146 duplicates listed, 1,650 labels applied`. */
export function summaryLine(summary: ReplaySummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(summary.issues)} issues (${n(summary.withRaces)} with races, ${n(summary.races)} races), ${n(summary.duplicatesListed)} duplicates listed, ${n(summary.labelsApplied)} labels applied`;
}
