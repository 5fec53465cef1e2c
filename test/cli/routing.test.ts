/**
 * Routing figures: precision on the issues maintainers routed, coverage of them and unrouted
 * issues labelled, per method, from the metrics up to `race-triage eval` on real TiDB issues.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { routingScores } from '../../src/eval/ownership-eval.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const TIDB = resolve(REPO_ROOT, 'fixtures/store/tidb-issues.jsonl');
const TIDB_RULES = resolve(REPO_ROOT, 'fixtures/corpus/tidb-race-triage.yml');
const KVDB = resolve(REPO_ROOT, 'fixtures/store/go-kvdb-issues.jsonl');

describe('routing scores', () => {
  test('a method is right on a routed issue only when every label it applied is the maintainers', () => {
    const [score] = routingScores(
      [
        { truth: ['sig/a', 'type/bug'], readable: true, predicted: { m: ['sig/a'] } },
        { truth: ['sig/a', 'sig/b'], readable: true, predicted: { m: ['sig/b'] } }, // one of two teams: right
        { truth: ['sig/a'], readable: true, predicted: { m: ['sig/a', 'sig/c'] } }, // a copy to a wrong team: wrong
        { truth: ['sig/a'], readable: false, predicted: { m: [] } },
        { truth: ['type/bug'], readable: true, predicted: { m: ['sig/a', 'component/x'] } },
        { truth: [], readable: true, predicted: { m: ['component/x'] } },
      ],
      ['m'],
      'sig/*',
    );
    expect(score).toEqual({
      method: 'm',
      family: 'sig/*',
      routed: 4,
      routedReadable: 3,
      labelledRouted: 3,
      agreeing: 2,
      precision: 2 / 3,
      coverage: 3 / 4,
      coverageReadable: 1,
      unrouted: 2,
      unroutedLabelled: 1,
    });
  });
});

describe('race-triage eval: routing', () => {
  test('on real TiDB issues with no config, beside the path rules and the kNN baselines', () => {
    const { status, stdout, stderr } = runCli(['eval', '--corpus', TIDB, '--rules', TIDB_RULES]);
    expect(stderr).toMatch(/^race-triage: tidb-issues\.jsonl: 36 issues \(29 with races, 29 races\), [^\n]*\n$/);
    expect(status).toBe(0);
    expect(stdout).toContain('Routing by sig/*: 13 issues routed by the maintainers (10 with a race report race-triage reads), 23 not routed.');
    expect(stdout).toContain('| method | precision | coverage | coverage of readable | unrouted labelled |');
    const row = (method: string) => stdout.split('\n').find((line) => line.startsWith(`| ${method} |`));
    for (const method of ['race-triage', 'learned ownership, no precision check', 'path rules (tidb-race-triage.yml)', 'race kNN (learned_labels)', 'top frame kNN', 'TF-IDF kNN']) {
      expect(row(method)).toMatch(/^\| [^|]+ \| (?:n\/a|[01]\.\d\d) \(\d+ of \d+\) \| [01]\.\d\d \(\d+ of 13\) \| [01]\.\d\d \| \d+ of 23 \|$/);
    }
    // Too short a history to defend a learned label at 90%: race-triage abstains rather than guess.
    expect(row('race-triage')).toBe('| race-triage | n/a (0 of 0) | 0.00 (0 of 13) | 0.00 | 0 of 23 |');
  });

  test('a consistent history is learned, and what the bot applies stays right', () => {
    // go-kvdb's 24 races, each routed to the team of the package its first racing frame is in.
    const teams: Record<string, string> = { memory: 'sig/memory', executor: 'sig/execution', copr: 'sig/copr', session: 'sig/session', sqlkiller: 'sig/session' };
    const labelled = readFileSync(KVDB, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const issue = JSON.parse(line) as { body: string };
        const pkg = /example\.com\/kvdb\/(?:pkg\/)?(\w+)\./.exec(issue.body)?.[1] ?? '';
        return JSON.stringify({ ...issue, labels: [{ name: teams[pkg] ?? 'sig/other' }, { name: 'type/bug' }] });
      })
      .join('\n');
    const corpus = join(mkdtempSync(join(tmpdir(), 'race-triage-routing-')), 'kvdb-routed.jsonl');
    writeFileSync(corpus, labelled);
    const { status, stdout } = runCli(['eval', '--corpus', corpus]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^\| race-triage \| 1\.00 \([1-9]\d* of [1-9]\d*\) \|/m);
    expect(stdout).toMatch(/^\| learned ownership, no precision check \| 0\.\d\d \(\d+ of 2[0-4]\) \|/m);

    const triage = runCli(['triage', '--corpus', corpus, '--json']);
    const last = (JSON.parse(triage.stdout) as { number: number; labels: { name: string; source: string; reason: string }[] }[]).at(-1)!;
    expect(last.labels.find((l) => l.source === 'ownership')).toEqual({
      name: 'sig/execution',
      source: 'ownership',
      reason: expect.stringMatching(/ earlier routed issues in executor were labelled sig\/execution \(\d+% of the vote, confidence \d+%\); replayed in filing order, this repository's votes of confidence \d+% or more: \d+ of \d+ were right$/),
    });
  });
});
