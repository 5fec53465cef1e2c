/**
 * A second process writing to the index: `tsx writer.ts <options-json> <first> <step> <count>`
 * upserts the contended issue once per version first, first+step, ... (see versions.ts).
 */
import { openIndex } from '../../../src/store/index.js';
import { corpusIssues } from './corpus.js';
import { versionOf } from './versions.js';

const [optionsJson = '{}', first = '1', step = '2', count = '10'] = process.argv.slice(2);
const index = await openIndex(JSON.parse(optionsJson));
const corpus = corpusIssues();
for (let i = 0, v = Number(first); i < Number(count); i++, v += Number(step)) {
  await index.upsertIssue(versionOf(v, corpus));
}
await index.close();
