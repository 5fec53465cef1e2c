/**
 * Learned ownership benchmark: the work one triage does to label a race from the history,
 * `ownershipLabels` (replay the history in filing order, then vote), on synthetic histories of
 * 1,000 to 20,000 issues (the store reads at most 20,000), against a same-run baseline that only
 * parses the stored rows' JSON, which loading the history costs anyway. Also the Go stack reader
 * on 65,536-character bodies, against splitting the same text into cleaned lines.
 *
 *   npm run bench:ownership
 *   npm run bench:ownership -- --min-ms 500
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { extractGoStacks } from '../src/race/go-stacks.js';
import { cleanLines } from '../src/race/text.js';
import { DEFAULT_CONFIG } from '../src/triage/config.js';
import type { PackageWeight } from '../src/triage/ownership-evidence.js';
import { ownershipLabels, type OwnershipRecord } from '../src/triage/ownership.js';
import { prng } from './prng.js';

const { values: args } = parseArgs({ options: { 'min-ms': { type: 'string', default: '300' } } });
const MIN_MS = Number(args['min-ms']);

const settings = {
  families: DEFAULT_CONFIG.learned_ownership.families,
  minPrecision: DEFAULT_CONFIG.learned_ownership.min_precision,
  halfLifeDays: DEFAULT_CONFIG.learned_ownership.half_life_days,
};

/** 20 top-level directories of 10 packages each, each directory owned by one of 8 teams, 1 in 10 issues mislabelled. */
function history(size: number): OwnershipRecord[] {
  const random = prng(size);
  const pkg = () => `dir${Math.floor(random() * 20)}/pkg${Math.floor(random() * 10)}`;
  return Array.from({ length: size }, (_, i) => {
    const packages: PackageWeight[] = [
      { package: pkg(), weight: 0.5 },
      { package: pkg(), weight: 0.3 },
      { package: pkg(), weight: 0.2 },
    ];
    const team = random() < 0.9 ? Number(packages[0]!.package.slice(3, packages[0]!.package.indexOf('/'))) % 8 : Math.floor(random() * 8);
    const labels = random() < 0.6 ? [`sig/team${team}`, 'type/bug'] : ['type/bug'];
    return { number: i + 1, filedAt: new Date(Date.UTC(2018, 0, 1) + i * 3_600_000).toISOString(), packages, labels };
  });
}

function measure(run: () => void): { median: number; p95: number } {
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < MIN_MS || samples.length < 5) {
    const t = performance.now();
    run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, p95: samples[Math.floor(samples.length * 0.95)]! };
}

const ms = (x: number) => x.toFixed(3).padStart(9);
console.log(`node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`);
console.log('\n| history | ownershipLabels median ms | p95 ms | baseline: parse rows, median ms | ratio |');
console.log('|---:|---:|---:|---:|---:|');
const query: PackageWeight[] = [
  { package: 'dir3/pkg4', weight: 0.6 },
  { package: 'dir3/new', weight: 0.4 },
];
for (const size of [1_000, 5_000, 20_000]) {
  const records = history(size);
  const rows = records.map((r) => ({ packages: JSON.stringify(r.packages), labels: JSON.stringify(r.labels) }));
  const vote = measure(() => ownershipLabels(query, records, settings));
  const parse = measure(() => rows.forEach((r) => (JSON.parse(r.packages), JSON.parse(r.labels))));
  console.log(`| ${size} | ${ms(vote.median)} | ${ms(vote.p95)} | ${ms(parse.median)} | ${(vote.median / parse.median).toFixed(1)} |`);
}

const SIZE = 65_536;
const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
const random = prng(7);
const bodies: [string, string][] = [
  ['goroutine dump', fill('goroutine 12 [select]:\ngithub.com/o/r/pkg/x.(*T).Loop(0xc000123400, {0x1, 0x2})\n\t/src/r/pkg/x/x.go:120 +0x1a4\n')],
  ['panic frames with long arguments', fill(`github.com/o/r/pkg/x.F(${'0xc000123400, '.repeat(50)}0x1)\n\t/src/r/pkg/x/x.go:1 +0x1\n`)],
  ['many `(`, one line', fill('(')],
  ['random bytes', Array.from({ length: SIZE }, () => String.fromCharCode(Math.floor(random() * 256))).join('')],
];
console.log('\n| 65,536 characters | extractGoStacks median ms | p95 ms | baseline: cleanLines, median ms | ratio |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, body] of bodies) {
  const stacks = measure(() => extractGoStacks(body));
  const lines = measure(() => cleanLines(body));
  console.log(`| ${name} | ${ms(stacks.median)} | ${ms(stacks.p95)} | ${ms(lines.median)} | ${(stacks.median / lines.median).toFixed(1)} |`);
}
