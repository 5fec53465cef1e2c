/**
 * `race-triage eval` at scale: a history of N issues replayed through the app's path (engine,
 * in-memory index, decide) and scored with both baselines, in this process, with the time and
 * the peak resident memory. The same run times a baseline that only analyses every body, so
 * the figures say what the index, the decision and the scoring cost on top of reading.
 *
 *   npm run bench:eval                 # 10,000 issues
 *   npm run bench:eval -- --issues 5400
 *
 * The history is made of the real bodies of the public corpora: each body is given variants
 * (its function names suffixed, so each variant is a race of its own), and each variant is
 * filed three times, so a third of the issues have earlier duplicates. Every issue is in one
 * repository, the worst case for the per-repository baselines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CorpusIssue } from '../src/cli/corpus.js';
import { replay } from '../src/cli/replay.js';
import { evaluate, type EvalIssue } from '../src/eval/evaluate.js';
import { analyse } from '../src/race/index.js';
import { DEFAULT_CONFIG } from '../src/triage/config.js';
import { listDuplicates } from '../src/triage/decide.js';
import { labelMatcher, learnedLabels } from '../src/triage/learned-labels.js';

const { values: args } = parseArgs({
  options: {
    issues: { type: 'string', default: '10000' },
    corpora: { type: 'string', default: resolve(process.cwd(), '../shared/corpus/public') },
  },
});
const N = Number(args.issues);
const REPEATS = 3;

function bodies(dir: string): string[] {
  const files = [
    ...readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'real-dups')).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, 'real-dups', f)),
  ];
  return files
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean))
    .map((line) => (JSON.parse(line) as { body?: string | null }).body ?? '')
    .filter((body) => analyse(body).length > 0);
}

/** The body as a different race: every function name on a frame line gets the variant's suffix. */
function variant(body: string, v: number): string {
  if (v === 0) return body;
  return body
    .replace(/(\w+)(\(\)\s*$)/gm, `$1V${v}$2`)
    .replace(/^(\s*#\d+\s+(?:0x[0-9a-f]+ in )?)([A-Za-z_][\w:]*)/gm, `$1$2V${v}`);
}

function history(sources: string[]): CorpusIssue[] {
  return Array.from({ length: N }, (_, i) => {
    const source = i % sources.length;
    const v = Math.floor(i / (sources.length * REPEATS));
    const copy = Math.floor(i / sources.length) % REPEATS;
    const first = (v * REPEATS) * sources.length + source + 1;
    return {
      repo: 'acme/big',
      number: i + 1,
      title: `DATA RACE ${source}/${v}`,
      body: variant(sources[source]!, v),
      state: 'open',
      stateReason: null,
      labels: [],
      createdAt: null,
      duplicateOf: copy === 0 ? [] : Array.from({ length: copy }, (_, c) => first + c * sources.length),
      notDuplicateOf: null,
      showsRace: null,
    };
  });
}

let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const sources = bodies(args.corpora);
const issues = history(sources);
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

const baselineStart = performance.now();
let races = 0;
for (const issue of issues) races += analyse(issue.body).length;
const baselineMs = performance.now() - baselineStart;

peakRss = process.memoryUsage().rss;
const config = { ...DEFAULT_CONFIG, learned_labels: { ...DEFAULT_CONFIG.learned_labels, enabled: true } };
const thresholds = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9];
const started = performance.now();
const kept: EvalIssue[] = [];
await replay(
  issues,
  config,
  (step) => {
    const input = { ...step.issue, installationId: 1, private: false, labels: [] };
    kept.push({
      repo: step.issue.repo,
      number: step.issue.number,
      text: `${step.issue.title}\n${step.issue.body}`,
      duplicateOf: step.issue.duplicateOf,
      notDuplicateOf: [],
      labels: [],
      topFrame: step.races[0]?.report.accesses[0]?.frames.find((f) => f.significant)?.key ?? null,
      duplicates: step.duplicates.map(({ number, score, exact }) => ({ number, score, exact })),
      listedAt: thresholds.map((duplicate) =>
        listDuplicates(input, step.candidates, { ...config, thresholds: { ...config.thresholds, duplicate } }).map(({ number, score, exact }) => ({ number, score, exact })),
      ),
      ruleLabels: step.labels.map((l) => l.name),
      learnedLabels: learnedLabels(step.candidates, config).map((l) => l.name),
    });
  },
  { candidates: 10 },
);
const replayMs = performance.now() - started;
const report = evaluate(kept, { listed: 5, neighbours: 5, minSupport: 3, managed: labelMatcher(['sig/*']), thresholds, minRecall: 0.9 });
const totalMs = performance.now() - started;
clearInterval(sample);

const m = report.duplicates[0]!.metrics;
console.log(`eval over ${N.toLocaleString('en-US')} issues (${sources.length} real bodies, ${races.toLocaleString('en-US')} races), one repository`);
console.log('');
console.log('| step | time | per issue |');
console.log('|---|---|---|');
console.log(`| baseline: analyse every body | ${(baselineMs / 1000).toFixed(2)} s | ${(baselineMs / N).toFixed(3)} ms |`);
console.log(`| replay: analyse, index, candidates, decide | ${(replayMs / 1000).toFixed(2)} s | ${(replayMs / N).toFixed(3)} ms |`);
console.log(`| scoring: metrics, both baselines, threshold sweep | ${((totalMs - replayMs) / 1000).toFixed(2)} s | ${((totalMs - replayMs) / N).toFixed(3)} ms |`);
console.log(`| eval in all | ${(totalMs / 1000).toFixed(2)} s | ${(totalMs / N).toFixed(3)} ms (${(totalMs / baselineMs).toFixed(1)}x the baseline) |`);
console.log('');
console.log(`peak RSS ${mb(peakRss)}; ${m.queries.toLocaleString("en-US")} issues with an earlier copy, recall@5 ${m.recall5?.toFixed(2)} (a check that the run did real work)`);
