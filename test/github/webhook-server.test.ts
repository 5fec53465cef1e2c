/**
 * The app behind Probot's real HTTP server on loopback: signed webhooks are processed,
 * unsigned or wrongly signed ones are refused before any work, and `/healthz` answers.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { raceTriageApp } from '../../src/github/app.js';
import { healthHandler } from '../../src/github/health.js';
import { openIndex } from '../../src/store/index.js';
import type { RaceIndex } from '../../src/store/types.js';
import { FakeGitHub } from './support/fake-github.js';
import { TEST_PRIVATE_KEY, TestOctokit } from './support/harness.js';
import { INSTALLATION_ID, issuesEvent } from './support/payloads.js';
import { loadSeeds } from './support/seeds.js';
import { postLocal } from '../support/post-webhook.js';

/** Probot's server ignores port 0, so a fixed port unlikely to be taken. */
const PORT = 38_417;
const SECRET = 'loopback-secret';
const BASE = `http://127.0.0.1:${PORT}`;
const mpp = loadSeeds().find((s) => s.number === 39771)!;

let server: Server;
let index: RaceIndex;
let github: FakeGitHub;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'race-triage-server-'));
  index = await openIndex({ sqlitePath: join(dir, 'race-triage.sqlite') });
  nock.enableNetConnect('127.0.0.1');
  github = new FakeGitHub();
  github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  const log = pino({ level: 'silent' });
  server = new Server({
    host: '127.0.0.1',
    port: PORT,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: SECRET, Octokit: TestOctokit, log }),
  });
  await server.load(raceTriageApp({ index, backend: 'sqlite' }));
  await server.start();
});

afterAll(async () => {
  expect(github.problems).toEqual([]);
  await server.stop();
  await index.close();
  nock.cleanAll();
  rmSync(dir, { recursive: true, force: true });
});

function post(body: string, signature: string | undefined): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'issues',
    'x-github-delivery': randomUUID(),
  };
  if (signature !== undefined) headers['x-hub-signature-256'] = signature;
  return postLocal(`${BASE}/api/github/webhooks`, headers, body);
}

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const opened = (number: number) => JSON.stringify(issuesEvent('opened', { number, title: mpp.title, body: mpp.body }));
const stored = (number: number) => index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number });

describe('webhooks over HTTP', () => {
  test.each([
    ['a wrong signature', (body: string) => sign(body, 'not-the-secret')],
    ['a signature of other bytes', (body: string) => sign(`${body} `)],
    ['no signature', () => undefined],
  ])('%s is refused with 400 and nothing is processed', async (_case, signature) => {
    const body = opened(101);
    const response = await post(body, signature(body));
    expect(response.status).toBe(400);
    expect(github.calls).toEqual([]);
    expect(github.tokenCalls).toEqual([]);
    expect(await stored(101)).toBeUndefined();
  });

  test('a correctly signed delivery gets 200 and is triaged', async () => {
    const body = opened(102);
    const response = await post(body, sign(body));
    expect(response.status).toBe(200);
    expect(await stored(102)).toMatchObject({ number: 102, state: 'open' });
    expect(github.labelsOn('pingcap/tidb#102')).toEqual(['type/data-race', 'component/store']);
  });
});

describe('/healthz', () => {
  test('reports the index backend as ok', async () => {
    const response = await fetch(`${BASE}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok', index: { backend: 'sqlite', status: 'ok' } });
  });

  test('answers 503 with the reason when the index is unreachable', async () => {
    const broken = await openIndex({ sqlitePath: join(dir, 'broken.sqlite') });
    await broken.close();
    const handler = healthHandler(broken, 'sqlite');
    const plain = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/healthz`);
      expect(response.status).toBe(503);
      const status = (await response.json()) as { status: string; index: { backend: string; status: string } };
      expect(status).toMatchObject({ status: 'unavailable', index: { backend: 'sqlite' } });
      expect(status.index.status).not.toBe('ok');
    } finally {
      plain.close();
    }
  });
});
