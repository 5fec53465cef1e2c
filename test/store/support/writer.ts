/**
 * A second process writing to the index:
 * `tsx writer.ts <options-json> <first> <step> <count> <start-at-epoch-ms>`
 * waits for the given instant (so two writers open the index together, migrations
 * included), then upserts the contended issue once per version first, first+step, ...
 */
import { openIndex } from '../../../src/store/index.js';
import { corpusIssues } from './corpus.js';
import { versionOf } from './versions.js';

const [optionsJson = '{}', first = '1', step = '2', count = '10', startAt = '0'] = process.argv.slice(2);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const index = await openIndex(JSON.parse(optionsJson));
const corpus = corpusIssues();
for (let i = 0, v = Number(first); i < Number(count); i++, v += Number(step)) {
  await index.upsertIssue(versionOf(v, corpus));
}
await index.close();
