/**
 * The CLI reads the same `.github/race-triage.yml` the app reads, from a path. Like the app,
 * a file it cannot use is reported (on standard error, naming file and line) and the defaults
 * are used.
 */
import { DEFAULT_CONFIG, parseConfig, type Config } from '../triage/config.js';
import { readSource } from './read-source.js';

export interface LoadedConfig {
  config: Config;
  /** The parser's message for a bad or partly ignored file, as the app would show it. */
  error?: string;
}

export async function loadConfig(path: string | undefined): Promise<LoadedConfig> {
  if (path === undefined) return { config: DEFAULT_CONFIG };
  const loaded = parseConfig(await readSource(path), path);
  if (loaded.error) process.stderr.write(`race-triage: warning: ${loaded.error}\n`);
  return loaded;
}
