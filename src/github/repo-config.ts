/**
 * The repository's config in force: the file's text from GitHub (cached), read by the
 * triage core's parser. A bad file is logged and its error kept for the comment footer;
 * the defaults are used meanwhile.
 */
import type { Logger } from 'pino';
import { parseConfig, type Config } from '../triage/config.js';
import type { ConfigSource } from './config-source.js';
import type { GitHub, RepoRef } from './types.js';

export interface RepoConfig {
  config: Config;
  /** Names file, line and reason; absent when the file is fine or missing. */
  configError?: string;
}

export async function loadRepoConfig(
  octokit: GitHub,
  ref: RepoRef,
  source: ConfigSource,
  log: Logger,
  { revalidate = false } = {},
): Promise<RepoConfig> {
  const found = await source.load(octokit, ref, { revalidate });
  if (!found) return { config: parseConfig('').config };
  const { config, error } = parseConfig(found.text, found.fileName);
  if (error === undefined) return { config };
  log.warn({ repo: `${ref.owner}/${ref.repo}`, configError: error }, 'config problem');
  return { config, configError: error };
}
