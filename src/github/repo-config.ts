/**
 * The repository's config in force: the file's text from GitHub (cached), read by the
 * triage core's parser. A bad file is logged and its error kept for the comment footer;
 * the defaults are used meanwhile.
 *
 * With `_extends`, each file is checked on its own (so a mistake is named with its own file
 * and line), then the files are merged key by key, the nearest winning, as Probot's
 * `context.config` merges them.
 */
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { DEFAULT_CONFIG, parseConfig, type Config } from '../triage/config.js';
import type { ConfigSource, ConfigText } from './config-source.js';
import type { GitHub, RepoRef } from './types.js';

export interface RepoConfig {
  config: Config;
  /** Names file, line and reason; absent when the files are fine or missing. */
  configError?: string;
}

export async function loadRepoConfig(
  octokit: GitHub,
  ref: RepoRef,
  source: ConfigSource,
  log: Logger,
  options: { revalidate?: boolean; allowStale?: boolean } = {},
): Promise<RepoConfig> {
  const { files, problem } = await source.load(octokit, ref, options);
  const parsed = files.map((file) => ({ file, ...parseConfig(file.text, file.fileName) }));
  const config = parsed.length === 1 ? parsed[0]!.config : merge(parsed);
  const errors = [...parsed.map((p) => p.error), problem].filter((e): e is string => e !== undefined);
  if (errors.length === 0) return { config };
  const configError = errors.join('; ');
  log.warn({ repo: `${ref.owner}/${ref.repo}`, configError }, 'config problem');
  return { config, configError };
}

/** The defaults, then each file's own keys from the farthest base to the nearest file. */
function merge(parsed: { file: ConfigText; config: Config }[]): Config {
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const { file, config } of [...parsed].reverse()) {
    for (const key of topLevelKeys(file.text)) {
      if (key !== '_extends' && key in config) merged[key] = config[key as keyof Config];
    }
  }
  return merged as Config;
}

function topLevelKeys(text: string): string[] {
  try {
    const value: unknown = parse(text, { maxAliasCount: 100 });
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  } catch {
    return []; // the parser has already reported it; this file contributes the defaults
  }
}
