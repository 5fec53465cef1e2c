/**
 * A real Probot instance with the real app, engine, triage and a real SQLite index in a
 * temporary directory; GitHub is the nock-backed `FakeGitHub`. Logs are captured so tests
 * can read what the app said.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { raceTriageApp } from '../../../src/github/app.js';
import { openIndex } from '../../../src/store/index.js';
import type { RaceIndex } from '../../../src/store/types.js';
import { FakeGitHub } from './fake-github.js';

/**
 * A throwaway key: each test run makes its own, so no key is ever committed. PKCS#8, because
 * the JWT library re-encodes a PKCS#1 key with createPrivateKey on every token, which now and
 * then failed inside a full Jest run with an OpenSSL "asn1 encoding routines::too long".
 */
export const TEST_PRIVATE_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

/** Probot's retry and throttle plugins off: each write would otherwise wait seconds. */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export interface Harness {
  probot: Probot;
  github: FakeGitHub;
  index: RaceIndex;
  logs: Record<string, unknown>[];
  /** The clock the app's caches and comment cap read; tests move it. */
  clock: { now: number };
  close(): Promise<void>;
}

export async function startHarness(options: { secret?: string } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'race-triage-app-'));
  const index = await openIndex({ sqlitePath: join(dir, 'race-triage.sqlite') });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const probot = new Probot({
    appId: 1,
    privateKey: TEST_PRIVATE_KEY,
    secret: options.secret ?? 'test-secret',
    Octokit: TestOctokit,
    log: pino({ level: 'debug' }, sink),
  });
  await probot.load(raceTriageApp({ index, backend: 'sqlite', now: () => clock.now }), {
    cwd: process.cwd(),
    addHandler: () => {},
  });
  return {
    probot,
    github: new FakeGitHub(),
    index,
    logs,
    clock,
    async close() {
      await index.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
