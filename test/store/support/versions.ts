/** The versions of one contended issue that concurrent writers race to store. */
import type { IndexedIssue } from '../../../src/store/types.js';
import { asIndexed, type CorpusIssue } from './corpus.js';

export const CONTENDED = { installationId: 7, repo: 'pingcap/tidb', number: 1 };

/** Version v: its own title and races, updated v seconds after 2024-01-01. */
export function versionOf(version: number, corpus: CorpusIssue[]): IndexedIssue {
  const source = corpus[version % corpus.length]!;
  return asIndexed(source, {
    ...CONTENDED,
    title: `version ${version}`,
    updatedAt: new Date(Date.UTC(2024, 0, 1) + version * 1000).toISOString(),
  });
}
