/**
 * Reads a corpus: a file, or a directory of files with an optional `groups.json` (hard
 * negatives, members whose text shows no race). Prints a warning on standard error for each
 * entry it skips.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyGroups, parseCorpus, type CorpusIssue } from './corpus.js';
import { readSource, UsageError } from './read-source.js';

const GROUPS_FILE = 'groups.json';

export async function readCorpus(path: string): Promise<CorpusIssue[]> {
  if (path !== '-' && (await isDirectory(path))) return readCorpusDirectory(path);
  return readCorpusFile(path);
}

async function readCorpusFile(path: string): Promise<CorpusIssue[]> {
  const { issues, warnings } = parseCorpus(await readSource(path), path);
  for (const warning of warnings) warn(warning);
  return issues;
}

async function readCorpusDirectory(path: string): Promise<CorpusIssue[]> {
  const names = (await readdir(path)).filter((name) => /\.jsonl?$/.test(name) && name !== GROUPS_FILE).sort();
  if (names.length === 0) throw new UsageError(`'${path}' holds no .jsonl or .json corpus files`);
  const issues: CorpusIssue[] = [];
  for (const name of names) issues.push(...(await readCorpusFile(join(path, name))));
  const groups = join(path, GROUPS_FILE);
  if (await exists(groups)) {
    const problem = applyGroups(issues, await readSource(groups), groups);
    if (problem) warn(problem);
  }
  return issues;
}

function warn(text: string): void {
  process.stderr.write(`race-triage: warning: ${text}\n`);
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
