/**
 * Replays a history of issues through the app's own code path, in filing order, into a fresh
 * in-memory index: engine -> index candidates -> learned labels -> decide. Each issue sees only
 * the issues filed before it, as the bot would have, had it been installed from the start.
 */
import { analyse, type AnalysedRace } from '../race/index.js';
import { openIndex, type Candidate } from '../store/index.js';
import { engineOptions, type Config } from '../triage/config.js';
import { decide } from '../triage/decide.js';
import { candidateLimit, learnedLabels } from '../triage/learned-labels.js';
import type { DuplicateLine, LabelDecision } from '../triage/types.js';
import { inFilingOrder, type CorpusIssue } from './corpus.js';

/** A replay has one installation; repositories are kept apart as the app keeps them. */
const INSTALLATION_ID = 1;

/** What the bot would have said on one issue. */
export interface ReplayStep {
  issue: CorpusIssue;
  races: AnalysedRace[];
  /** Earlier issues the index returned, best first. */
  candidates: Candidate[];
  duplicates: DuplicateLine[];
  labels: LabelDecision[];
}

/**
 * A repository's labels, as far as the corpus shows them: the labels its issues carry. A
 * repository whose issues carry none is taken to have unknown labels, so none is filtered out.
 */
function labelsByRepo(issues: CorpusIssue[]): Map<string, string[]> {
  const labels = new Map<string, Set<string>>();
  for (const issue of issues) {
    const set = labels.get(issue.repo) ?? new Set<string>();
    for (const label of issue.labels) set.add(label);
    labels.set(issue.repo, set);
  }
  return new Map([...labels].filter(([, set]) => set.size > 0).map(([repo, set]) => [repo, [...set]]));
}

export async function replay(issues: CorpusIssue[], config: Config, configError?: string): Promise<ReplayStep[]> {
  const options = engineOptions(config);
  const repoLabels = labelsByRepo(issues);
  const index = await openIndex({ sqlitePath: ':memory:' });
  try {
    const steps: ReplayStep[] = [];
    for (const issue of inFilingOrder(issues)) {
      const races = analyse(issue.body, options);
      const signatures = races.map((r) => r.signature);
      const candidates =
        races.length === 0
          ? []
          : await index.candidates({
              installationId: INSTALLATION_ID,
              repo: issue.repo,
              races: signatures,
              excludeNumber: issue.number,
              limit: candidateLimit(config),
            });
      const decision = decide({
        issue: { ...issue, installationId: INSTALLATION_ID, private: false, labels: [] },
        races,
        candidates,
        config,
        repoLabels: repoLabels.get(issue.repo) ?? null,
        learnedLabels: learnedLabels(candidates, config),
        ...(configError ? { configError } : {}),
      });
      steps.push({ issue, races, candidates, duplicates: decision.duplicates, labels: decision.labels });
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
          updatedAt: issue.createdAt ?? new Date(0).toISOString(),
          ...(issue.createdAt ? { createdAt: issue.createdAt } : {}),
          races: signatures,
        });
      }
    }
    return steps;
  } finally {
    await index.close();
  }
}
