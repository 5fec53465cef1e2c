import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { runCli, SHARED } from './run-cli.js';

const GO_GENERATED = resolve(SHARED, 'corpus/public/go-generated-issues.jsonl');
const SEED_000 = resolve(SHARED, 'seeds/000_a0153ee8b25472b7.txt');

interface TriageJson {
  number: number;
  races: { fingerprint: string; title: string }[];
  duplicates: { number: number; score: number; exact: boolean }[];
  labels: { name: string; reason: string }[];
}

const temp = mkdtempSync(join(tmpdir(), 'race-triage-cli-'));
function tempFile(name: string, text: string): string {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
}

describe('race-triage triage', () => {
  test('replays go-generated in filing order: duplicates are earlier issues, and true ones', () => {
    const { status, stdout, stderr } = runCli(['triage', '--corpus', GO_GENERATED, '--json']);
    // Off a terminal, no progress bar: only the closing summary line.
    expect(stderr).toBe('race-triage: 8 issues (8 with races, 8 races), 8 duplicates listed, 16 labels applied\n');
    expect(status).toBe(0);
    const output = JSON.parse(stdout) as TriageJson[];
    const truth = new Map(
      readFileSync(GO_GENERATED, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { number: number; duplicate_of: number[] })
        .map((i) => [i.number, i.duplicate_of]),
    );
    expect(output.map((o) => o.number)).toEqual([...truth.keys()].sort((a, b) => a - b));
    for (const issue of output) {
      expect(issue.races.length).toBeGreaterThan(0);
      for (const d of issue.duplicates) {
        expect(d.number).toBeLessThan(issue.number);
        expect(truth.get(issue.number)).toContain(d.number);
      }
      const scores = issue.duplicates.map((d) => d.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    // The first filing of each race has nothing earlier to point to.
    for (const first of [100, 101, 102]) expect(output.find((o) => o.number === first)!.duplicates).toEqual([]);
    // A plain refiling of the same test's race is named, as the same signature.
    expect(output.find((o) => o.number === 104)!.duplicates[0]).toMatchObject({ number: 100, exact: true });
  });

  test('reads the `gh issue list --json` shape and skips entries it cannot read, naming their line', () => {
    const body = readFileSync(SEED_000, 'utf8');
    const corpus = tempFile(
      'gh.jsonl',
      [
        JSON.stringify({ number: 7, title: 'refiled', body, state: 'OPEN', createdAt: '2024-02-01T00:00:00Z', labels: [{ id: 'x', name: 'sig/execution', color: 'fff' }], author: { login: 'a' } }),
        'this line is not JSON',
        JSON.stringify({ title: 'no number' }),
        JSON.stringify({ number: 3, title: 'first', body, state: 'CLOSED', createdAt: '2024-01-01T00:00:00Z', labels: [] }),
        '',
      ].join('\n'),
    );
    const { status, stdout, stderr } = runCli(['triage', '--corpus', corpus, '--json']);
    expect(status).toBe(0);
    expect(stderr).toContain(`race-triage: warning: ${corpus}:2: skipped: not a JSON object`);
    expect(stderr).toMatch(new RegExp(`${corpus}:3: skipped: number: .+`));
    const output = JSON.parse(stdout) as TriageJson[];
    expect(output.map((o) => o.number)).toEqual([3, 7]);
    expect(output[0]!.duplicates).toEqual([]);
    expect(output[1]!.duplicates).toEqual([expect.objectContaining({ number: 3, exact: true, score: 1 })]);
  });

  test('human output names each issue, its races, duplicates and labels with reasons', () => {
    const { status, stdout } = runCli(['triage', '--corpus', GO_GENERATED]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^#100 DATA RACE in TestCheckout\n {2}race {8}\S/m);
    expect(stdout).toMatch(/^#104 DATA RACE in TestCheckout\n(?: {2}race .*\n)+ {2}duplicates {2}#100 \(same signature, open\) DATA RACE in TestCheckout$/m);
    expect(stdout).toMatch(/^ {2}labels {6}type\/data-race: the issue holds a data-race report$/m);
  });

  test('a corpus that is not JSON at all exits 2 naming the file', () => {
    const corpus = tempFile('broken.json', '[{"number": 1,');
    const { status, stderr } = runCli(['triage', '--corpus', corpus]);
    expect(status).toBe(2);
    expect(stderr).toMatch(new RegExp(`^race-triage: ${corpus}: not a valid JSON array: `));
  });

  test('--corpus is required', () => {
    const { status, stderr } = runCli(['triage']);
    expect(status).toBe(2);
    expect(stderr).toContain("required option '--corpus <file>' not specified");
  });
});
