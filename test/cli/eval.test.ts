import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { REPO_ROOT, runCli, SHARED } from './run-cli.js';

const GO_GENERATED = resolve(SHARED, 'corpus/public/go-generated-issues.jsonl');
const GO_KVDB = resolve(SHARED, 'corpus/public/go-kvdb-issues.jsonl');
const REAL_DUPS = resolve(SHARED, 'corpus/public/real-dups');
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
    expect(exact.stderr).toBe(
      [
        'race-triage: go-generated-issues.jsonl: 8 issues (8 with races, 8 races), 8 duplicates listed, 16 labels applied',
        'race-triage: seeds.jsonl: 7 issues (7 with races, 8 races), 2 duplicates listed, 9 labels applied',
        '',
      ].join('\n'),
    );
    expect(exact.status).toBe(0);
    // The inlined-atomic group of go-kvdb is found too: every issue names its race first.
    const kvdb = gates('1', GO_KVDB);
    expect(kvdb.stderr).toMatch(/^race-triage: go-kvdb-issues\.jsonl: 24 issues .*\n$/);
    expect(kvdb.status).toBe(0);

    expect(exact.stdout).toContain('## go-generated-issues.jsonl: 8 issues');
    expect(exact.stdout).toContain('Duplicates: 5 issues with earlier duplicates, 3 without.');
    expect(exact.stdout).toContain('| method | recall@1 | recall@5 | MRR | wrong "exact" | false alarms |');
    expect(exact.stdout).toMatch(/^\| race-triage \| 1\.00 \| 1\.00 \| 1\.00 \| 0% of \d+ \| 0% \|$/m);
    expect(exact.stdout).toMatch(/^\| top frame \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+% of \d+ \| \d+% \|$/m);
    expect(exact.stdout).toMatch(/^\| TF-IDF \| [\d.]+ \| [\d.]+ \| [\d.]+ \| none claimed \| \d+% \|$/m);
    expect(exact.stdout).toContain('## seeds.jsonl: 7 issues');
  });

  // The real-world gate: duplicates maintainers linked in twelve Go projects, with hard negatives.
  test('holds the gates on the real duplicates of twelve Go projects, per repository and overall', () => {
    const { status, stdout, stderr } = runCli([
      'eval', '--corpus', REAL_DUPS,
      '--min-recall1', '0.94', '--min-recall5', '0.97', '--max-wrong-exact', '0', '--max-hard-negatives', '1',
    ]);
    expect(stderr).toMatch(/^race-triage: real-dups: 80 issues \(\d+ with races, \d+ races\), \d+ duplicates listed, \d+ labels applied\n$/);
    expect(status).toBe(0);
    expect(stdout).toContain('## real-dups: 80 issues, 12 repositories');
    // Only issues whose text shows a race are asked about.
    expect(stdout).toContain('Duplicates: 34 issues with earlier duplicates');
    expect(stdout).toContain('16 hard negatives.');
    expect(stdout).toMatch(/^\| race-triage \| [\d.]+ \| [\d.]+ \| [\d.]+ \| (?:0% of \d+|none claimed) \| \d+% \| [01] of 16 \| 0 \|$/m);
    expect(stdout).toMatch(/^\| cockroachdb\/cockroach \| 41 \| 28 \| /m);
    expect(stdout).toContain('| threshold | precision | recall | listed | hard negatives listed |');
    expect(stdout).toMatch(/^Best precision at recall of at least 0\.9: threshold 0\.\d\d \(precision 0\.\d\d|1\.00, recall [\d.]+\)\.$/m);
  });

  test('reads a directory of corpora with its groups.json: hard negatives, issues without race text', () => {
    const dir = join(temp, 'dir-corpus');
    mkdirSync(dir, { recursive: true });
    // go-generated as one repository: #104 refiles #100's race; call #101 a look-alike of #105 and
    // say #103's text shows no race.
    writeFileSync(join(dir, 'shop.jsonl'), goGenerated((issue) => ({ ...issue, repository: 'acme/shop' })));
    writeFileSync(
      join(dir, 'groups.json'),
      JSON.stringify({
        groups: [{ repository: 'acme/shop', issues: [100, 103, 104], members_with_race_text: [100, 104] }],
        hard_negatives: [{ repository: 'acme/shop', issues: [105, 101], why: 'look-alike' }],
      }),
    );
    const { status, stdout } = runCli(['eval', '--corpus', dir, '--json']);
    expect(status).toBe(0);
    const [report] = JSON.parse(stdout) as { corpus: string; duplicates: { method: string; metrics: Record<string, number> }[] }[];
    expect(report!.corpus).toBe('dir-corpus');
    const ours = report!.duplicates[0]!.metrics;
    expect(ours.hardNegatives).toBe(1);
    // #103 (no race text) is neither asked about nor counted against anyone.
    expect(ours.queries).toBe(4);
    const bad = runCli(['eval', '--corpus', GO_KVDB, '--max-hard-negatives', 'none']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("race-triage: --max-hard-negatives must be a whole number, not 'none'\n");
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
