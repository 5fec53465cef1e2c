/**
 * `race-triage eval --corpus PATH...`: replay each corpus as `triage` does, then score the
 * duplicates and labels against the ground truth it carries (`duplicate_of`, hard negatives,
 * maintainers' labels), next to two baselines, overall and per repository, with a sweep of
 * duplicate thresholds. Gates make CI fail when accuracy regresses.
 *
 * `race-triage eval --index OWNER/REPO --installation ID` replays the repository's history as
 * the app's index holds it and scores it against the pairs its maintainers recorded
 * (`/race dup`, `/race not-dup`, issues closed as duplicates), so the threshold sweep shows
 * what `thresholds.duplicate` their own decisions call for.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { evaluate, type EvalIssue, type EvalReport } from '../eval/evaluate.js';
import type { DuplicateMetrics, LabelScore, ThresholdRow } from '../eval/metrics.js';
import type { Config } from '../triage/config.js';
import { listDuplicates } from '../triage/decide.js';
import { labelMatcher, learnedLabels } from '../triage/learned-labels.js';
import { IssuePairs, KyselyRaceIndex, openDatabase, type IssuePairsDatabase } from '../store/index.js';
import { loadConfig } from './config.js';
import type { CorpusIssue } from './corpus.js';
import { indexHistory } from './index-history.js';
import { DEFAULT_ROUTING_FAMILIES, formatRouting, routingReport, type RoutingReport } from './eval-routing.js';
import { replayProgress } from './progress.js';
import { readCorpus } from './read-corpus.js';
import { UsageError } from './read-source.js';
import { replay, summaryLine, type ReplayStep } from './replay.js';

export const DEFAULT_LABEL_FAMILIES = ['sig/*', 'component/*'];
/** Duplicate thresholds swept, so a maintainer can set `thresholds.duplicate` from evidence. */
export const SWEPT_THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
/** Recall the recommended threshold must keep. */
export const RECOMMENDED_MIN_RECALL = 0.9;
/** Candidates asked of the index per issue: enough for listings at the lowest swept threshold. */
const SWEEP_CANDIDATES = 10;

interface EvalOptions {
  corpus?: string[];
  index?: string;
  installation?: string;
  config?: string;
  labels: string;
  routing: string;
  rules?: string;
  minRecall1?: string;
  minRecall5?: string;
  maxWrongExact?: string;
  maxHardNegatives?: string;
  json?: boolean;
}

/** What eval measured on one corpus (a file, or a directory of files). */
export interface CorpusReport extends EvalReport {
  corpus: string;
  routing?: RoutingReport;
}

/** The config with learned labels on: eval scores them whether or not the repository uses them yet. */
function withLearning(config: Config): Config {
  return { ...config, learned_labels: { ...config.learned_labels, enabled: true } };
}

/**
 * What eval keeps of one replayed issue. Ground truth counts only issues whose text shows a
 * race, where the corpus says which do: an issue that only links to a log is neither asked
 * about nor expected to be found.
 */
function evalIssue(step: ReplayStep, config: Config, noRaceText: Set<string>): EvalIssue {
  const { issue, races, duplicates, labels, candidates } = step;
  const shows = (number: number) => !noRaceText.has(`${issue.repo}#${number}`);
  const input = { ...issue, installationId: 1, private: false, labels: [] };
  const compact = (list: { number: number; score: number; exact: boolean }[]) => list.map(({ number, score, exact }) => ({ number, score, exact }));
  return {
    repo: issue.repo,
    number: issue.number,
    text: `${issue.title}\n${issue.body}`,
    duplicateOf: issue.duplicateOf === null || !shows(issue.number) ? null : issue.duplicateOf.filter(shows),
    notDuplicateOf: issue.notDuplicateOf ?? [],
    labels: issue.labels,
    topFrame: races[0]?.report.accesses[0]?.frames.find((f) => f.significant)?.key ?? null,
    duplicates: compact(duplicates),
    listedAt: SWEPT_THRESHOLDS.map((duplicate) =>
      races.length === 0 ? [] : compact(listDuplicates(input, candidates, { ...config, thresholds: { ...config.thresholds, duplicate } })),
    ),
    ruleLabels: labels.filter((l) => l.source !== 'learned' && l.source !== 'ownership').map((l) => l.name),
    learnedLabels: learnedLabels(candidates, config).map((l) => l.name),
  };
}

const figure = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
const percent = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);

function duplicateRow(method: string, m: DuplicateMetrics, hardNegatives: boolean): string {
  const wrong = m.exactClaims === 0 ? 'none claimed' : `${percent(m.wrongExact)} of ${m.exactClaims}`;
  const negatives = hardNegatives ? ` ${m.hardNegativesListed} of ${m.hardNegatives} | ${m.hardNegativesExact} |` : '';
  return `| ${method} | ${figure(m.recall1)} | ${figure(m.recall5)} | ${figure(m.mrr)} | ${wrong} | ${percent(m.falseAlarms)} |${negatives}`;
}

const precisionRecall = (s: LabelScore | undefined) => `${figure(s?.precision ?? null)} / ${figure(s?.recall ?? null)}`;

function thresholdLine(row: ThresholdRow): string {
  return `| ${row.threshold.toFixed(2)} | ${figure(row.precision)} | ${figure(row.recall)} | ${row.listed} | ${row.hardNegativesListed} |`;
}

/** The report as Markdown tables, ready to paste into docs/accuracy.md. */
export function formatReport(report: CorpusReport, configured: number): string {
  const m = report.duplicates[0]!.metrics;
  const repositories = report.repositories.length > 0 ? `, ${report.repositories.length} repositories` : '';
  const lines = [`## ${report.corpus}: ${report.issues} issues${repositories}`, ''];
  const negatives = m.hardNegatives > 0;
  if (m.queries + m.originals === 0) {
    lines.push('No duplicate ground truth (`duplicate_of`) in this corpus.');
  } else {
    lines.push(
      `Duplicates: ${m.queries} issues with earlier duplicates, ${m.originals} without${negatives ? `, ${m.hardNegatives} hard negatives` : ''}.`,
      '',
      `| method | recall@1 | recall@5 | MRR | wrong "exact" | false alarms |${negatives ? ' hard negatives listed | "exact" on them |' : ''}`,
      `|---|---|---|---|---|---|${negatives ? '---|---|' : ''}`,
      ...report.duplicates.map((d) => duplicateRow(d.method, d.metrics, negatives)),
    );
    if (report.repositories.length > 0) {
      lines.push(
        '',
        'Per repository (race-triage / top frame / TF-IDF):',
        '',
        '| repository | issues | queries | recall@1 | recall@5 | hard negatives listed |',
        '|---|---|---|---|---|---|',
        ...report.repositories.map((r) => {
          const [ours, top, tfidf] = r.duplicates.map((d) => d.metrics) as [DuplicateMetrics, DuplicateMetrics, DuplicateMetrics];
          const triple = (f: (x: DuplicateMetrics) => number | null) => [ours, top, tfidf].map((x) => figure(f(x))).join(' / ');
          const listed = [ours, top, tfidf].map((x) => `${x.hardNegativesListed}`).join(' / ');
          return `| ${r.repo} | ${r.issues} | ${ours.queries} | ${triple((x) => x.recall1)} | ${triple((x) => x.recall5)} | ${ours.hardNegatives === 0 ? '-' : `${listed} of ${ours.hardNegatives}`} |`;
        }),
      );
    }
    if (m.queries > 0) {
      lines.push(
        '',
        `Duplicate thresholds (\`thresholds.duplicate\`, now ${configured}): precision and recall of race-triage's listings.`,
        '',
        '| threshold | precision | recall | listed | hard negatives listed |',
        '|---|---|---|---|---|',
        ...report.thresholds.map(thresholdLine),
        '',
        report.recommended
          ? `Best precision at recall of at least ${RECOMMENDED_MIN_RECALL}: threshold ${report.recommended.threshold.toFixed(2)} (precision ${figure(report.recommended.precision)}, recall ${figure(report.recommended.recall)}).`
          : `No swept threshold keeps recall at ${RECOMMENDED_MIN_RECALL} or more.`,
      );
    }
  }
  const truth = report.labels[0]!.scores.find((s) => s.label === 'all')!;
  const allLabels = [...new Set(report.labels.flatMap((l) => l.scores.map((s) => s.label)))].sort(
    (a, b) => Number(a === 'all') - Number(b === 'all') || a.localeCompare(b),
  );
  // Without maintainers' labels in the scored families there is nothing to judge labels by.
  if (truth.truePositives + truth.falseNegatives > 0) {
    lines.push(
      '',
      `Labels, precision / recall (${report.labels.map((l) => l.method).join(', ')}):`,
      '',
      `| label | ${report.labels.map((l) => l.method).join(' | ')} |`,
      `|---|${report.labels.map(() => '---|').join('')}`,
      ...allLabels.map(
        (label) =>
          `| ${label} | ${report.labels.map((l) => precisionRecall(l.scores.find((s) => s.label === label))).join(' | ')} |`,
      ),
    );
  }
  return lines.join('\n');
}

export interface Gates {
  minRecall1?: number;
  minRecall5?: number;
  maxWrongExact?: number;
  maxHardNegatives?: number;
}

/** Gate failures, one line each; empty when every gate holds. */
export function gateFailures(reports: CorpusReport[], gates: Gates): string[] {
  const failures: string[] = [];
  for (const report of reports) {
    const m = report.duplicates[0]!.metrics;
    if (gates.minRecall1 !== undefined && m.recall1 !== null && m.recall1 < gates.minRecall1) {
      failures.push(`${report.corpus}: recall@1 ${figure(m.recall1)} is below --min-recall1 ${gates.minRecall1}`);
    }
    if (gates.minRecall5 !== undefined && m.recall5 !== null && m.recall5 < gates.minRecall5) {
      failures.push(`${report.corpus}: recall@5 ${figure(m.recall5)} is below --min-recall5 ${gates.minRecall5}`);
    }
    if (gates.maxWrongExact !== undefined && m.wrongExact !== null && m.wrongExact > gates.maxWrongExact) {
      failures.push(`${report.corpus}: wrong "exact" share ${figure(m.wrongExact)} is above --max-wrong-exact ${gates.maxWrongExact}`);
    }
    if (gates.maxHardNegatives !== undefined && m.hardNegativesListed > gates.maxHardNegatives) {
      failures.push(`${report.corpus}: ${m.hardNegativesListed} hard negatives listed, more than --max-hard-negatives ${gates.maxHardNegatives}`);
    }
  }
  return failures;
}

function fraction(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x) || x < 0 || x > 1) throw new UsageError(`${option} must be a number from 0 to 1, not '${value}'`);
  return x;
}

function count(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isInteger(x) || x < 0) throw new UsageError(`${option} must be a whole number, not '${value}'`);
  return x;
}

/** Issues the corpus says show no race (`groups.json` members without race text). */
function withoutRaceText(issues: CorpusIssue[]): Set<string> {
  return new Set(issues.filter((i) => i.showsRace === false).map((i) => `${i.repo}#${i.number}`));
}

interface EvalSource {
  name: string;
  read: () => Promise<CorpusIssue[]>;
}

/** What to replay: the corpora named, or a repository's history in the app's index. */
async function evalSources(opts: EvalOptions): Promise<EvalSource[]> {
  if (opts.index === undefined) {
    if (!opts.corpus?.length) throw new UsageError('name what to score: --corpus PATH..., or --index OWNER/REPO --installation ID');
    return opts.corpus.map((path) => ({ name: basename(path.replace(/\/+$/, '')), read: () => readCorpus(path) }));
  }
  if (opts.corpus?.length) throw new UsageError('--corpus and --index are two ways to name what to score: give one');
  const repo = opts.index.toLowerCase();
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new UsageError(`"${opts.index}" is not a repository: write owner/name`);
  const installationId = Number(opts.installation);
  if (!Number.isSafeInteger(installationId) || installationId <= 0) {
    throw new UsageError(`--index needs --installation, the app's installation id on ${repo} (a positive number)`);
  }
  return [
    {
      name: repo,
      read: async () => {
        const database = await openDatabase();
        const index = new KyselyRaceIndex(database.db);
        try {
          const pairs = await new IssuePairs(database.db.withTables<IssuePairsDatabase>()).ofRepository({ installationId, repo });
          const history = await indexHistory(index, pairs, installationId, repo);
          if (history.issues.length === 0) throw new UsageError(`the index holds no issue of ${repo} under installation ${installationId}: run the backfill first`);
          process.stderr.write(
            `race-triage: ${repo}: ${history.issues.length} indexed issues, ${history.confirmed} confirmed duplicate pairs and ${history.notDuplicates} not-duplicate pairs recorded\n`,
          );
          return history.issues;
        } finally {
          await index.close();
        }
      },
    },
  ];
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('score duplicates and labels against a corpus\'s ground truth, next to two baselines')
    .option('--corpus <paths...>', 'corpora with `duplicate_of` and maintainers\' labels: JSON array or JSON Lines files, or directories of them with a groups.json')
    .option('--index <repository>', 'instead, the history of owner/name in the app\'s index (DATABASE_URL or RACE_TRIAGE_DATA_DIR), scored against the pairs its maintainers recorded')
    .option('--installation <id>', 'the installation whose index --index reads')
    .option('--config <file>', 'the repository\'s .github/race-triage.yml')
    .option('--labels <patterns>', 'label families to score, comma-separated', DEFAULT_LABEL_FAMILIES.join(','))
    .option('--routing <patterns>', 'label families to score routing for, comma-separated', DEFAULT_ROUTING_FAMILIES.join(','))
    .option('--rules <file>', 'a .github/race-triage.yml whose label_rules are scored beside, as hand-written path rules')
    .option('--min-recall1 <x>', 'exit 1 when race-triage\'s recall@1 on any corpus is below x')
    .option('--min-recall5 <x>', 'exit 1 when race-triage\'s recall@5 on any corpus is below x')
    .option('--max-wrong-exact <x>', 'exit 1 when the share of wrong "exact" claims on any corpus is above x')
    .option('--max-hard-negatives <n>', 'exit 1 when race-triage lists more than n hard negatives in any corpus')
    .option('--json', 'print the figures as JSON')
    .action(async (opts: EvalOptions) => {
      const gates: Gates = {
        ...(opts.minRecall1 === undefined ? {} : { minRecall1: fraction(opts.minRecall1, '--min-recall1') }),
        ...(opts.minRecall5 === undefined ? {} : { minRecall5: fraction(opts.minRecall5, '--min-recall5') }),
        ...(opts.maxWrongExact === undefined ? {} : { maxWrongExact: fraction(opts.maxWrongExact, '--max-wrong-exact') }),
        ...(opts.maxHardNegatives === undefined ? {} : { maxHardNegatives: count(opts.maxHardNegatives, '--max-hard-negatives') }),
      };
      const loaded = await loadConfig(opts.config);
      const config = withLearning(loaded.config);
      const settings = {
        listed: config.max_duplicates,
        neighbours: config.learned_labels.neighbours,
        minSupport: config.learned_labels.min_support,
        managed: labelMatcher(opts.labels.split(',').map((p) => p.trim()).filter(Boolean)),
        thresholds: SWEPT_THRESHOLDS,
        minRecall: RECOMMENDED_MIN_RECALL,
      };
      const rules = opts.rules === undefined ? undefined : { name: basename(opts.rules), config: (await loadConfig(opts.rules)).config };
      const routingFamilies = opts.routing.split(',').map((p) => p.trim()).filter(Boolean);
      const sources = await evalSources(opts);
      const reports: CorpusReport[] = [];
      for (const { name, read } of sources) {
        const corpus = await read();
        const noRaceText = withoutRaceText(corpus);
        const issues: EvalIssue[] = [];
        const progress = replayProgress(`eval ${name}`);
        const summary = await replay(corpus, config, (step) => void issues.push(evalIssue(step, config, noRaceText)), {
          ...(loaded.error ? { configError: loaded.error } : {}),
          candidates: SWEEP_CANDIDATES,
          onProgress: progress.update,
        });
        progress.stop();
        // Routing is scored with the config as given (learned ownership as the app runs it), where the corpus routes at all.
        const routed = labelMatcher(routingFamilies);
        // Routing reads the bodies, which the index does not keep.
        const fromBodies = corpus.every((i) => !i.reports);
        const routing = fromBodies && corpus.some((i) => i.labels.some(routed)) ? await routingReport(corpus, loaded.config, routingFamilies, rules) : undefined;
        reports.push({ corpus: name, ...evaluate(issues, settings), ...(routing ? { routing } : {}) });
        process.stderr.write(`race-triage: ${name}: ${summaryLine(summary)}\n`);
      }
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(reports, null, 2)}\n`
          : `${reports.map((r) => [formatReport(r, loaded.config.thresholds.duplicate), r.routing ? formatRouting(r.routing) : ''].filter(Boolean).join('\n\n')).join('\n\n')}\n`,
      );
      const failures = gateFailures(reports, gates);
      for (const failure of failures) process.stderr.write(`race-triage: gate failed: ${failure}\n`);
      if (failures.length > 0) process.exitCode = 1;
    });
}
