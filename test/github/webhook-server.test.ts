/**
 * The app's HTTP front door on loopback: signed webhooks are recorded and processed;
 * unsigned, wrongly signed, huge or absurdly nested ones are refused with 4xx before any
 * work; `/healthz` answers, in setup mode too.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { healthHandler } from '../../src/github/health.js';
import { startServer } from '../../src/github/server.js';
import { MAX_WEBHOOK_BYTES, nestingDepth } from '../../src/github/webhook-endpoint.js';
import { openIndex } from '../../src/store/index.js';
import { sign, startApp, type TestApp } from '../support/app.js';
import { sqliteDatabase } from '../support/databases.js';
import { INSTALLATION_ID, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const PORT = 38_417;
const mpp = loadSeeds().find((s) => s.number === 39771)!;

let h: TestApp;

beforeAll(async () => {
  h = await startApp({ port: PORT });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
});

afterAll(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

const opened = (number: number) => issuesEvent('opened', { number, title: mpp.title, body: mpp.body });
const stored = (number: number) => h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number });
const jobs = async () => (await h.running.durable!.queue.status()).counts;

describe('webhooks over HTTP', () => {
  test.each([
    ['a wrong signature', (body: string) => sign(body, 'not-the-secret')],
    ['a signature of other bytes', (body: string) => sign(`${body} `)],
    ['no signature', () => null],
  ])('%s is refused with 400, logged as one warning without a stack, and nothing is recorded', async (_case, signature) => {
    const logged = h.logs.length;
    const body = JSON.stringify(opened(101));
    const response = await h.post('issues', opened(101), { body, signature: signature(body) });
    expect(response.status).toBe(400);
    await h.drained();
    expect(await jobs()).toEqual({ pending: 0, running: 0, done: 0, failed: 0 });
    expect(h.github.calls).toEqual([]);
    expect(h.github.tokenCalls).toEqual([]);
    const lines = h.logs.slice(logged).filter((l) => (l.level as number) >= 40);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'webhook refused: X-Hub-Signature-256 does not match the body and WEBHOOK_SECRET' })]);
    expect(JSON.stringify(lines)).not.toMatch(/stack|at .*\.js:\d+/);
  });

  test('a correctly signed delivery gets 200 and is triaged', async () => {
    const response = await h.deliver('issues', opened(102));
    expect(response.status).toBe(200);
    expect(await stored(102)).toMatchObject({ number: 102, state: 'open' });
    expect(h.github.labelsOn('pingcap/tidb#102')).toEqual(['type/data-race', 'component/store']);
  });

  test('the job stores the signed bytes as sent, not a re-serialised copy', async () => {
    const body = JSON.stringify(opened(103), null, 3);
    expect((await h.post('issues', opened(103), { body, id: 'exact-bytes' })).status).toBe(200);
    await h.drained();
    const row = await h.database.db.selectFrom('jobs').select('payload').where('delivery_id', '=', 'exact-bytes').executeTakeFirstOrThrow();
    expect(row.payload).toBe(body);
  });

  test('a validly signed body nested 100,000 deep is refused with 400, and the app keeps working', async () => {
    const body = `{"action":"opened","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const response = await h.post('issues', {}, { body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'JSON nested deeper than 64 levels' });
    expect((await h.deliver('issues', opened(104))).status).toBe(200);
  });

  test('a validly signed body over the size cap is refused with 413', async () => {
    const body = JSON.stringify({ ...opened(105), padding: 'x'.repeat(MAX_WEBHOOK_BYTES) });
    const response = await h.post('issues', {}, { body });
    expect(response.status).toBe(413);
    expect(await stored(105)).toBeUndefined();
  });

  test('bad JSON with a valid signature is refused with 400', async () => {
    expect((await h.post('issues', {}, { body: '{"action": "opened",' })).status).toBe(400);
  });

  test('events the app does not act on are acknowledged and not recorded', async () => {
    const before = await jobs();
    expect((await h.post('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).status).toBe(200);
    expect(await jobs()).toEqual(before);
  });
});

describe('nestingDepth', () => {
  test('counts brackets outside strings only', () => {
    expect(nestingDepth('{"a":[1,{"b":"[[[{"}]}')).toBe(3);
    expect(nestingDepth('"\\"[[["')).toBe(0);
  });
});

describe('/healthz', () => {
  test('reports the index backend as ok', async () => {
    const response = await fetch(`${h.base}/healthz`, { headers: { connection: 'close' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok', index: { backend: 'sqlite', status: 'ok' } });
  });

  test('answers in setup mode too (no app id yet)', async () => {
    const database = await sqliteDatabase();
    const setup = await startServer({ host: '127.0.0.1', port: PORT + 1, log: pino({ level: 'silent' }), database: database.opened, index: database.index });
    try {
      const health = await fetch(`http://127.0.0.1:${PORT + 1}/healthz`, { headers: { connection: 'close' } });
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', index: { backend: 'sqlite', status: 'ok' } });
      // Probot's setup page is still what the root shows.
      const root = await fetch(`http://127.0.0.1:${PORT + 1}/`, { redirect: 'manual', headers: { connection: 'close' } });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/probot']);
    } finally {
      await setup.stop();
      await database.destroy();
    }
  });

  test('answers 503 with the reason when the index is unreachable', async () => {
    const database = await sqliteDatabase();
    const broken = await openIndex({ sqlitePath: ':memory:' });
    await broken.close();
    const handler = healthHandler(broken, 'sqlite');
    const plain = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/healthz`, { headers: { connection: 'close' } });
      expect(response.status).toBe(503);
      const status = (await response.json()) as { status: string; index: { backend: string; status: string } };
      expect(status).toMatchObject({ status: 'unavailable', index: { backend: 'sqlite' } });
      expect(status.index.status).not.toBe('ok');
    } finally {
      plain.close();
      await database.destroy();
    }
  });
});
