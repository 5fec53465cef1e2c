/**
 * The app with durable processing behind Probot's real HTTP server on loopback: webhooks are
 * signed and posted like GitHub does, GitHub's API is the shared `FakeGitHub` (nock), and
 * the store is a real SQLite file or PostgreSQL schema. Every log line is captured.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { raceTriageApp } from '../../../src/github/app.js';
import { DurableProcessing, type DurableOptions } from '../../../src/github/jobs/durable.js';
import { withRequestTimeout } from '../../../src/github/jobs/request-timeout.js';
import { TEST_PRIVATE_KEY, TestOctokit } from '../../github/support/harness.js';
import type { TestDatabase } from './databases.js';
import { waitFor } from './wait.js';
import { postLocal } from '../../support/post-webhook.js';

export const WEBHOOK_SECRET = 'durable-webhook-secret-5f1c';
export const REQUEST_TIMEOUT_MS = 1_000;

export interface DurableServer {
  base: string;
  durable: DurableProcessing;
  /** Posts a webhook signed with the app's secret (or `signature` as given). */
  post(name: string, payload: unknown, options?: { id?: string; signature?: string | null }): Promise<Response>;
  /** Waits until no job is pending or running. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function startDurableServer(
  database: TestDatabase,
  port: number,
  logs: Record<string, unknown>[],
  worker: DurableOptions['worker'] = {},
  backfillPagesPerJob?: number,
): Promise<DurableServer> {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const durable = new DurableProcessing({
    db: database.db,
    index: database.index,
    worker: { pollMs: 20, retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 40 }, ...worker },
    ...(backfillPagesPerJob === undefined ? {} : { backfillPagesPerJob }),
  });
  const server = new Server({
    host: '127.0.0.1',
    port,
    log,
    // As in production, every GitHub request has a time limit (shorter here, to keep tests fast).
    Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: WEBHOOK_SECRET, Octokit: withRequestTimeout(TestOctokit, REQUEST_TIMEOUT_MS), log }),
  });
  await server.load(raceTriageApp({ index: database.index, backend: database.kind, durable }));
  await server.start();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    durable,
    post(name, payload, options = {}) {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': name,
        // Each test restarts the server on the same port: a pooled connection would be dead.
        connection: 'close',
        'x-github-delivery': options.id ?? randomUUID(),
      };
      const signature = options.signature === undefined ? sign(body) : options.signature;
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      return postLocal(`${base}/api/github/webhooks`, headers, body);
    },
    drained: () =>
      waitFor(async () => {
        const { counts } = await durable.queue.status();
        return counts.pending + counts.running === 0;
      }, 20_000, 'the job queue to drain'),
    async stop() {
      await server.stop();
      await durable.stop();
    },
  };
}
