import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { analyse } from '../../src/race/index.js';
import { runCli, SHARED } from './run-cli.js';

const seed = (name: string) => resolve(SHARED, 'seeds', name);
const SEED_000 = seed('000_a0153ee8b25472b7.txt');
const SEED_001 = seed('001_45b5daa177fedf6b.txt');
const SEED_002 = seed('002_ac6acca989bfa7b4.txt');

interface JsonOutput {
  source: string;
  races: {
    fingerprint: string;
    title: string;
    partial: boolean;
    accesses: { kind: string; frames: { function: string; file: string; line: number; significant: boolean }[] }[];
  }[];
}

describe('race-triage analyze', () => {
  test('prints each race with its frames, kinds, test and fingerprint', () => {
    const { status, stdout, stderr } = runCli(['analyze', SEED_000]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const expected = analyse(readFileSync(SEED_000, 'utf8'));
    expect(stdout).toContain(`${SEED_000}: ${expected.length} races`);
    for (const race of expected) {
      expect(stdout).toContain(race.signature.title);
      expect(stdout).toContain(`fingerprint  ${race.signature.fingerprint}`);
    }
    expect(stdout).toContain('test         TestWeakConsistencyRead');
    expect(stdout).toMatch(/^ {5}write by goroutine 73$/m);
    expect(stdout).toMatch(/^ {5}previous read by goroutine 102$/m);
    expect(stdout).toMatch(/\(\*SessionVars\)\.InitStatementContext {2}session\.go:1009/);
  });

  test('--json prints one object per input with the documented fields', () => {
    const { status, stdout } = runCli(['analyze', '--json', SEED_000, SEED_001]);
    expect(status).toBe(0);
    const output = JSON.parse(stdout) as JsonOutput[];
    expect(output.map((o) => o.source)).toEqual([SEED_000, SEED_001]);
    const [first] = output;
    expect(first!.races.map((r) => r.fingerprint)).toEqual(
      analyse(readFileSync(SEED_000, 'utf8')).map((r) => r.signature.fingerprint),
    );
    const race = first!.races[0]!;
    expect(race.partial).toBe(false);
    expect(race.accesses.map((a) => a.kind)).toEqual(['write', 'read']);
    expect(race.accesses[0]!.frames[0]).toEqual({
      function: 'github.com/pingcap/tidb/sessionctx/variable.(*SessionVars).InitStatementContext',
      file: '/go/tidb/sessionctx/variable/session.go',
      line: 1009,
      significant: true,
    });
    // The test runner's frames are shown, but do not count for the signature.
    const runner = race.accesses[0]!.frames.find((f) => f.function === 'testing.tRunner');
    expect(runner?.significant).toBe(false);
  });

  test('reads standard input for "-"', () => {
    const { status, stdout } = runCli(['analyze', '--json', '-'], readFileSync(SEED_002, 'utf8'));
    expect(status).toBe(0);
    const [output] = JSON.parse(stdout) as JsonOutput[];
    expect(output!.source).toBe('-');
    expect(output!.races.map((r) => r.fingerprint)).toEqual(
      analyse(readFileSync(SEED_002, 'utf8')).map((r) => r.signature.fingerprint),
    );
    expect(output!.races.length).toBeGreaterThan(0);
  });

  test('input without a race report is read successfully', () => {
    const { status, stdout } = runCli(['analyze', '-'], 'panic: runtime error: index out of range\n');
    expect(status).toBe(0);
    expect(stdout).toBe('stdin: no race reports found\n');
  });

  test('an unreadable file exits 2 with a message naming it, and prints nothing else', () => {
    const { status, stdout, stderr } = runCli(['analyze', '--json', SEED_000, 'no/such/report.txt']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("race-triage: cannot read 'no/such/report.txt': no such file\n");
  });

  test('an unknown option exits 2', () => {
    const { status, stderr } = runCli(['analyze', '--jsn', SEED_000]);
    expect(status).toBe(2);
    expect(stderr).toContain("unknown option '--jsn'");
  });
});
