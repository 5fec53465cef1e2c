/** Reads a corpus file, printing a warning on standard error for each entry it skips. */
import { parseCorpus, type CorpusIssue } from './corpus.js';
import { readSource } from './read-source.js';

export async function readCorpus(path: string): Promise<CorpusIssue[]> {
  const { issues, warnings } = parseCorpus(await readSource(path), path);
  for (const warning of warnings) process.stderr.write(`race-triage: warning: ${warning}\n`);
  return issues;
}
