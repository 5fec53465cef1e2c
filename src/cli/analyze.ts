/**
 * `race-triage analyze [--json] [FILE|-]...`: the races in each input, as the app sees them.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { analyse, type AnalysedRace, type EngineOptions, type Frame } from '../race/index.js';
import { readSource } from './read-source.js';

/** `--json` output: one per input. The schema is documented in docs/cli.md; keep it stable. */
export interface AnalyzeOutput {
  source: string;
  races: RaceOutput[];
}

export interface RaceOutput {
  fingerprint: string;
  title: string;
  partial: boolean;
  partialReason: string | null;
  test: string | null;
  packages: string[];
  accesses: {
    kind: 'read' | 'write' | 'unknown';
    previous: boolean;
    frames: { function: string; file: string; line: number; significant: boolean }[];
  }[];
}

export function raceOutput({ report, signature }: AnalysedRace): RaceOutput {
  return {
    fingerprint: signature.fingerprint,
    title: signature.title,
    partial: signature.partial,
    partialReason: report.partialReason ?? null,
    test: signature.test ?? report.test ?? null,
    packages: signature.packages,
    accesses: report.accesses.map((a) => ({
      kind: a.kind,
      previous: a.previous,
      frames: a.frames.map((f) => ({ function: f.function, file: f.file, line: f.line, significant: f.significant })),
    })),
  };
}

/** Significant frames shown per access in human output; `--json` has them all. */
const SHOWN_FRAMES = 4;

function frameLine(f: Frame): string {
  const where = f.file ? `  ${basename(f.file)}${f.line ? `:${f.line}` : ''}` : '';
  return `${f.key || f.function}${where}`;
}

/** Human-readable lines for one race, indented under its input. */
export function describeRace(race: AnalysedRace, index: number): string[] {
  const { report, signature } = race;
  const lines = [`  ${index + 1}. ${signature.title}${signature.partial ? '  (partial)' : ''}`];
  const field = (name: string, value: string) => lines.push(`     ${name.padEnd(12)} ${value}`);
  field('fingerprint', signature.fingerprint);
  const test = signature.test ?? report.test;
  if (test) field('test', test);
  if (signature.packages.length) field('packages', signature.packages.join(', '));
  if (report.partialReason) field('partial', report.partialReason);
  for (const access of report.accesses) {
    const who = access.actor ? ` by ${access.actor}` : '';
    lines.push(`     ${access.previous ? 'previous ' : ''}${access.kind}${who}`);
    const significant = access.frames.filter((f) => f.significant);
    for (const f of significant.slice(0, SHOWN_FRAMES)) lines.push(`       ${frameLine(f)}`);
    const more = significant.length - SHOWN_FRAMES;
    const skipped = access.frames.length - significant.length;
    const notes = [more > 0 ? `${more} more` : '', skipped > 0 ? `${skipped} instrumentation or harness frames skipped` : '']
      .filter(Boolean)
      .join(', ');
    if (access.stackLost) lines.push('       [stack lost]');
    if (notes) lines.push(`       (${notes})`);
  }
  return lines;
}

export async function runAnalyze(sources: string[], json: boolean, options: EngineOptions): Promise<string> {
  const inputs = sources.length ? sources : ['-'];
  const texts = await Promise.all(inputs.map(readSource));
  const results = texts.map((text) => analyse(text, options));
  if (json) {
    const output: AnalyzeOutput[] = results.map((races, i) => ({ source: inputs[i]!, races: races.map(raceOutput) }));
    return `${JSON.stringify(output, null, 2)}\n`;
  }
  const blocks = results.map((races, i) => {
    const name = inputs[i] === '-' ? 'stdin' : inputs[i]!;
    const head = `${name}: ${races.length === 0 ? 'no race reports found' : races.length === 1 ? '1 race' : `${races.length} races`}`;
    return [head, ...races.flatMap((race, n) => ['', ...describeRace(race, n)])].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

export function registerAnalyze(program: Command, loadEngineOptions: (configPath?: string) => Promise<EngineOptions>): void {
  program
    .command('analyze')
    .description('print the data races found in each file (or standard input, "-")')
    .argument('[files...]', 'issue bodies or logs; "-" or nothing reads standard input')
    .option('--json', 'print the stable JSON schema documented in docs/cli.md')
    .option('--config <file>', 'a .github/race-triage.yml whose ignore rules and aliases apply')
    .action(async (files: string[], opts: { json?: boolean; config?: string }) => {
      process.stdout.write(await runAnalyze(files, Boolean(opts.json), await loadEngineOptions(opts.config)));
    });
}
