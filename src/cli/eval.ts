/**
 * `race-triage eval --corpus FILE...`: replay each corpus as `triage` does, then score the
 * duplicates and labels against the ground truth it carries (`duplicate_of`, maintainers'
 * labels), next to two baselines, in one table. Gates (`--min-recall1`, `--max-wrong-exact`)
 * make CI fail when accuracy regresses.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { evaluate, type EvalIssue, type EvalReport } from '../eval/evaluate.js';
import type { DuplicateMetrics, LabelScore } from '../eval/metrics.js';
import type { Config } from '../triage/config.js';
import { labelMatcher, learnedLabels } from '../triage/learned-labels.js';
import { loadConfig } from './config.js';
import { readCorpus } from './read-corpus.js';
import { replay, type ReplayStep } from './replay.js';
import { UsageError } from './read-source.js';

export const DEFAULT_LABEL_FAMILIES = ['sig/*', 'component/*'];

interface EvalOptions {
  corpus: string[];
  config?: string;
  labels: string;
  minRecall1?: string;
  maxWrongExact?: string;
  json?: boolean;
}

/** What eval measured on one corpus file. */
export interface CorpusReport extends EvalReport {
  corpus: string;
}

/** The config with learned labels on: eval scores them whether or not the repository uses them yet. */
function withLearning(config: Config): Config {
  return { ...config, learned_labels: { ...config.learned_labels, enabled: true } };
}

function evalIssue(step: ReplayStep, config: Config): EvalIssue {
  const { issue, races, duplicates, labels, candidates } = step;
  return {
    repo: issue.repo,
    number: issue.number,
    text: `${issue.title}\n${issue.body}`,
    duplicateOf: issue.duplicateOf,
    labels: issue.labels,
    topFrame: races[0]?.report.accesses[0]?.frames.find((f) => f.significant)?.key ?? null,
    duplicates: duplicates.map(({ number, score, exact }) => ({ number, score, exact })),
    ruleLabels: labels.filter((l) => l.source !== 'learned').map((l) => l.name),
    learnedLabels: learnedLabels(candidates, config).map((l) => l.name),
  };
}

const figure = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
const percent = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);

function duplicateRow(method: string, m: DuplicateMetrics): string {
  const wrong = m.exactClaims === 0 ? 'none claimed' : `${percent(m.wrongExact)} of ${m.exactClaims}`;
  return `| ${method} | ${figure(m.recall1)} | ${figure(m.recall3)} | ${figure(m.mrr)} | ${wrong} | ${percent(m.falseAlarms)} |`;
}

const precisionRecall = (s: LabelScore | undefined) => `${figure(s?.precision ?? null)} / ${figure(s?.recall ?? null)}`;

/** The report as Markdown tables, ready to paste into docs/accuracy.md. */
export function formatReport(report: CorpusReport): string {
  const m = report.duplicates[0]!.metrics;
  const lines = [`## ${report.corpus}: ${report.issues} issues`, ''];
  if (m.queries + m.originals === 0) {
    lines.push('No duplicate ground truth (`duplicate_of`) in this corpus.');
  } else {
    lines.push(
      `Duplicates: ${m.queries} issues with earlier duplicates, ${m.originals} without.`,
      '',
      '| method | recall@1 | recall@3 | MRR | wrong "exact" | false alarms |',
      '|---|---|---|---|---|---|',
      ...report.duplicates.map((d) => duplicateRow(d.method, d.metrics)),
    );
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

/** Gate failures, one line each; empty when every gate holds. */
export function gateFailures(reports: CorpusReport[], minRecall1?: number, maxWrongExact?: number): string[] {
  const failures: string[] = [];
  for (const report of reports) {
    const m = report.duplicates[0]!.metrics;
    if (minRecall1 !== undefined && m.recall1 !== null && m.recall1 < minRecall1) {
      failures.push(`${report.corpus}: recall@1 ${figure(m.recall1)} is below --min-recall1 ${minRecall1}`);
    }
    if (maxWrongExact !== undefined && m.wrongExact !== null && m.wrongExact > maxWrongExact) {
      failures.push(`${report.corpus}: wrong "exact" share ${figure(m.wrongExact)} is above --max-wrong-exact ${maxWrongExact}`);
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

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('score duplicates and labels against a corpus\'s ground truth, next to two baselines')
    .requiredOption('--corpus <files...>', 'corpora with `duplicate_of` and maintainers\' labels (JSON array or JSON Lines)')
    .option('--config <file>', 'the repository\'s .github/race-triage.yml')
    .option('--labels <patterns>', 'label families to score, comma-separated', DEFAULT_LABEL_FAMILIES.join(','))
    .option('--min-recall1 <x>', 'exit 1 when race-triage\'s recall@1 on any corpus is below x')
    .option('--max-wrong-exact <x>', 'exit 1 when the share of wrong "exact" claims on any corpus is above x')
    .option('--json', 'print the figures as JSON')
    .action(async (opts: EvalOptions) => {
      const minRecall1 = fraction(opts.minRecall1, '--min-recall1');
      const maxWrongExact = fraction(opts.maxWrongExact, '--max-wrong-exact');
      const loaded = await loadConfig(opts.config);
      const config = withLearning(loaded.config);
      const settings = {
        listed: config.max_duplicates,
        neighbours: config.learned_labels.neighbours,
        minSupport: config.learned_labels.min_support,
        managed: labelMatcher(opts.labels.split(',').map((p) => p.trim()).filter(Boolean)),
      };
      const reports: CorpusReport[] = [];
      for (const path of opts.corpus) {
        const steps = await replay(await readCorpus(path), config, loaded.error);
        reports.push({ corpus: basename(path), ...evaluate(steps.map((s) => evalIssue(s, config)), settings) });
      }
      process.stdout.write(
        opts.json ? `${JSON.stringify(reports, null, 2)}\n` : `${reports.map(formatReport).join('\n\n')}\n`,
      );
      const failures = gateFailures(reports, minRecall1, maxWrongExact);
      for (const failure of failures) process.stderr.write(`race-triage: gate failed: ${failure}\n`);
      if (failures.length > 0) process.exitCode = 1;
    });
}
