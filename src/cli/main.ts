#!/usr/bin/env node
/**
 * The `race-triage` command: the app's core without a server. Exit codes: 0 done, 1 an `eval`
 * gate failed or a `backfill` was stopped, 2 the command line or an input file could not be used.
 */
import { Command, CommanderError } from 'commander';
import { engineOptions } from '../triage/config.js';
import { registerAnalyze } from './analyze.js';
import { registerBackfill } from './backfill.js';
import { loadConfig } from './config.js';
import { CorpusError } from './corpus.js';
import { registerEval } from './eval.js';
import { UsageError } from './read-source.js';
import { registerTriage } from './triage.js';
import { packageVersion } from './version.js';

const program = new Command()
  .name('race-triage')
  .description('Read data-race reports in issues, fingerprint the racing pair, find earlier issues with the same race.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .exitOverride();

registerAnalyze(program, async (configPath) => engineOptions((await loadConfig(configPath)).config));
registerTriage(program);
registerEval(program);
registerBackfill(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof UsageError || err instanceof CorpusError) {
    process.stderr.write(`race-triage: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}
