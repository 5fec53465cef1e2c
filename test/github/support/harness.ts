/**
 * A real Probot instance with the real app, engine, triage and a real SQLite index in a
 * temporary directory; GitHub is the nock-backed `FakeGitHub`. Logs are captured so tests
 * can read what the app said.
 */
import { jest } from '@jest/globals';
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
 * Every file that runs the app retries a failed test twice, logging the failure first. After
 * the durable suite's fault injection (requests aborted, servers stopped mid-job), the next
 * file in the same Jest worker now and then fails its first app-key import inside OpenSSL
 * ("asn1 encoding routines::too long" / "Invalid keyData"), about one full run in four;
 * reproduce with `npm test -- --runInBand test/durable/webhooks.test.ts
 * test/github/triage-events.test.ts`. A real failure fails every attempt.
 */
jest.retryTimes(2, { logErrorsBeforeRetry: true });

/** A throwaway key, PKCS#1 as GitHub issues them: each test run makes its own, so no key is ever committed. */
export const TEST_PRIVATE_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
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
