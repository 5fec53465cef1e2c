import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { REPO_ROOT, runCli, SHARED } from './run-cli.js';

const GO_GENERATED = resolve(SHARED, 'corpus/public/go-generated-issues.jsonl');
const GO_KVDB = resolve(SHARED, 'corpus/public/go-kvdb-issues.jsonl');
const SEEDS = resolve(REPO_ROOT, 'fixtures/corpus/seeds.jsonl');

const temp = mkdtempSync(join(tmpdir(), 'race-triage-eval-'));
function tempFile(name: string, text: string): string {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
}

/** go-generated with its ground truth or labels rewritten by `change`. */
function goGenerated(change: (issue: Record<string, unknown>) => Record<string, unknown>): string {
  return readFileSync(GO_GENERATED, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.stringify(change(JSON.parse(line) as Record<string, unknown>)))
    .join('\n');
}

describe('race-triage eval', () => {
  // The accuracy gate CI runs: the seeds' and the generated corpora's groupings must not regress,
  // and no "same race" claim may be wrong.
  test('holds the accuracy gates on the seeds and the generated corpora', () => {
    const gates = (min: string, ...corpus: string[]) =>
      runCli(['eval', '--corpus', ...corpus, '--min-recall1', min, '--max-wrong-exact', '0']);
    const exact = gates('1', GO_GENERATED, SEEDS);
    expect(exact.stderr).toBe('');
    expect(exact.status).toBe(0);
    const kvdb = gates('0.9', GO_KVDB);
    expect(kvdb.stderr).toBe('');
    expect(kvdb.status).toBe(0);

    expect(exact.stdout).toContain('## go-generated-issues.jsonl: 8 issues');
    expect(exact.stdout).toContain('Duplicates: 5 issues with earlier duplicates, 3 without.');
    expect(exact.stdout).toContain('| method | recall@1 | recall@3 | MRR | wrong "exact" | false alarms |');
    expect(exact.stdout).toMatch(/^\| race-triage \| 1\.00 \| 1\.00 \| 1\.00 \| 0% of \d+ \| 0% \|$/m);
    expect(exact.stdout).toMatch(/^\| top frame \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+% of \d+ \| \d+% \|$/m);
    expect(exact.stdout).toMatch(/^\| TF-IDF \| [\d.]+ \| [\d.]+ \| [\d.]+ \| none claimed \| \d+% \|$/m);
    expect(exact.stdout).toContain('## seeds.jsonl: 7 issues');
  });

  test('fails the gate, naming corpus and figure, when the groupings no longer match', () => {
    // Ground truth that pairs every issue with the one filed just before it: mostly a different race.
    const corpus = tempFile(
      'shifted.jsonl',
      goGenerated((issue) => ({ ...issue, duplicate_of: [(issue.number as number) - 1] })),
    );
    const { status, stderr } = runCli(['eval', '--corpus', corpus, '--min-recall1', '0.9']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^race-triage: gate failed: shifted\.jsonl: recall@1 0\.\d\d is below --min-recall1 0\.9$/m);
  });

  test('a gate that is not a fraction exits 2', () => {
    const { status, stderr } = runCli(['eval', '--corpus', GO_GENERATED, '--min-recall1', 'high']);
    expect(status).toBe(2);
    expect(stderr).toBe("race-triage: --min-recall1 must be a number from 0 to 1, not 'high'\n");
  });

  test('scores labels per family, learned labels and baselines side by side', () => {
    // Maintainers route cart races to sig/checkout and inventory races to sig/warehouse.
    const corpus = tempFile(
      'labelled.jsonl',
      goGenerated((issue) => ({
        ...issue,
        labels: [{ name: (issue.body as string).includes('inventory') ? 'sig/warehouse' : 'sig/checkout' }, { name: 'type/bug' }],
      })),
    );
    // A path rule knows the inventory package; nothing routes the cart.
    const config = tempFile('rules.yml', 'label_rules:\n  "inventory/**": sig/warehouse\n');
    const { status, stdout } = runCli(['eval', '--corpus', corpus, '--config', config, '--labels', 'sig/*']);
    expect(status).toBe(0);
    expect(stdout).toContain('| label | path rules | learned | rules + learned | top frame kNN | TF-IDF kNN |');
    expect(stdout).toMatch(/^\| sig\/warehouse \| 1\.00 \/ 1\.00 \| /m);
    // What is learned from earlier cart issues is right, where the rules say nothing.
    expect(stdout).toMatch(/^\| sig\/checkout \| n\/a \/ 0\.00 \| 1\.00 \/ 0\.\d\d \| 1\.00 \/ 0\.\d\d \|/m);
    expect(stdout).not.toContain('type/bug');
  });

  test('triage explains a learned label by its vote when the config turns learning on', () => {
    const corpus = tempFile(
      'learned.jsonl',
      goGenerated((issue) => ({ ...issue, labels: ['sig/checkout'] })),
    );
    // Learned labels are drawn from the families the rules manage (sig/*).
    const config = tempFile(
      'race-triage.yml',
      'label_rules:\n  "inventory/**": sig/warehouse\nlearned_labels:\n  enabled: true\n  min_support: 2\n',
    );
    const { status, stdout } = runCli(['triage', '--corpus', corpus, '--config', config, '--json']);
    expect(status).toBe(0);
    const output = JSON.parse(stdout) as { number: number; labels: { name: string; reason: string; source: string }[] }[];
    const learned = output.find((o) => o.number === 104)!.labels.find((l) => l.source === 'learned');
    expect(learned?.name).toBe('sig/checkout');
    expect(learned?.reason).toMatch(/^\d of the \d most similar past races \(#10\d(, #10\d)*(, \.\.\.)?\) carry sig\/checkout$/);
    // Nothing is learned before two earlier issues agree.
    expect(output.find((o) => o.number === 100)!.labels.some((l) => l.source === 'learned')).toBe(false);
  });
});
