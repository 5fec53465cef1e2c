/**
 * `race-triage triage --corpus FILE`: what the bot would have said on each issue of a
 * repository's history, replayed in filing order.
 */
import type { Command } from 'commander';
import type { DuplicateLine, LabelDecision } from '../triage/types.js';
import { loadConfig } from './config.js';
import { replayProgress } from './progress.js';
import { readCorpus } from './read-corpus.js';
import { replay, summaryLine, type ReplayStep } from './replay.js';

/** `--json` output: one per issue, in filing order. Documented in docs/cli.md; keep it stable. */
export interface TriageOutput {
  repo: string;
  number: number;
  title: string;
  races: { fingerprint: string; title: string; partial: boolean }[];
  /** Likely duplicates among earlier issues, best first. */
  duplicates: { number: number; title: string; state: string; score: number; exact: boolean }[];
  labels: { name: string; reason: string; source: LabelDecision['source'] }[];
}

export function triageOutput(step: ReplayStep): TriageOutput {
  return {
    repo: step.issue.repo,
    number: step.issue.number,
    title: step.issue.title,
    races: step.races.map(({ signature: s }) => ({ fingerprint: s.fingerprint, title: s.title, partial: s.partial })),
    duplicates: step.duplicates.map((d) => ({
      number: d.number,
      title: d.title,
      state: d.state,
      score: Math.round(d.score * 1000) / 1000,
      exact: d.exact,
    })),
    labels: step.labels.map(({ name, reason, source }) => ({ name, reason, source })),
  };
}

function duplicateText(d: DuplicateLine): string {
  const match = d.exact ? 'same signature' : `${Math.round(d.score * 100)}% similar`;
  return `#${d.number} (${match}, ${d.state}) ${d.title}`;
}

export function describeStep(step: ReplayStep): string {
  const lines = [`#${step.issue.number} ${step.issue.title}`];
  if (step.races.length === 0) return `${lines[0]}\n  no race report`;
  for (const { signature } of step.races) {
    lines.push(`  race        ${signature.title}  ${signature.fingerprint}${signature.partial ? ' (partial)' : ''}`);
  }
  const list = (name: string, items: string[]) =>
    items.forEach((item, i) => lines.push(`  ${(i === 0 ? name : '').padEnd(11)} ${item}`));
  if (step.duplicates.length === 0) lines.push('  duplicates  none among earlier issues');
  list('duplicates', step.duplicates.map(duplicateText));
  list('labels', step.labels.map((l) => `${l.name}: ${l.reason}`));
  return lines.join('\n');
}

/** One level of two-space indentation, so the streamed array reads like `JSON.stringify(all, null, 2)`. */
function indent(json: string): string {
  return json.replace(/^/gm, '  ');
}

export function registerTriage(program: Command): void {
  program
    .command('triage')
    .description('replay a history of issues in filing order and print what the bot would have said on each')
    .requiredOption('--corpus <file>', 'issues as a JSON array or JSON Lines (GitHub REST or `gh issue list --json` shape)')
    .option('--config <file>', 'the repository\'s .github/race-triage.yml')
    .option('--json', 'print the stable JSON schema documented in docs/cli.md')
    .action(async (opts: { corpus: string; config?: string; json?: boolean }) => {
      const { config, error } = await loadConfig(opts.config);
      const progress = replayProgress('triage');
      // Written as it goes: a long history never sits in memory as text.
      let first = true;
      const write = (text: string) => process.stdout.write(text);
      if (opts.json) write('[');
      const summary = await replay(
        await readCorpus(opts.corpus),
        config,
        (step) => {
          write(opts.json ? `${first ? '\n' : ',\n'}${indent(JSON.stringify(triageOutput(step), null, 2))}` : `${first ? '' : '\n\n'}${describeStep(step)}`);
          first = false;
        },
        { ...(error ? { configError: error } : {}), onProgress: progress.update },
      );
      progress.stop();
      write(opts.json ? `${first ? '' : '\n'}]\n` : '\n');
      process.stderr.write(`race-triage: ${summaryLine(summary)}\n`);
    });
}
