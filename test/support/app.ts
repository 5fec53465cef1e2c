/**
 * The app as production runs it, in the test process: Probot's real server on loopback
 * (`startServer`, what `npm start` calls), webhooks signed and posted over HTTP, every event
 * recorded as a job in a real SQLite file (or PostgreSQL schema) and run by the worker, and
 * GitHub faked at its HTTP boundary by nock at a plain-http base URL. Logs are captured.
 */
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import nock from 'nock';
import { pino } from 'pino';
import { LOG_REDACTION } from '../../src/github/log.js';
import { startServer, type RunningServer, type ServerSettings } from '../../src/github/server.js';
import { sqliteDatabase, type TestDatabase } from './databases.js';
import { APP_ID } from './github/fake-github.js';
import { NockGitHub } from './github/nock-github.js';
import { postLocal } from './post-webhook.js';
import { waitFor } from './wait.js';

/** A throwaway key, as GitHub issues them: each test run makes its own, so no key is ever committed. */
export const TEST_PRIVATE_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

export const WEBHOOK_SECRET = 'test-webhook-secret-5f1c';

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Quick retries and a short request timeout, so fault tests take milliseconds. */
export const TEST_JOBS: NonNullable<ServerSettings['jobs']> = {
  worker: { pollMs: 20, retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 40 } },
  writeSpacingMs: 0,
  redelivery: false,
};
export const TEST_REQUEST_TIMEOUT_MS = 1_000;

export interface TestApp {
  github: NockGitHub;
  database: TestDatabase;
  running: RunningServer;
  base: string;
  logs: Record<string, unknown>[];
  /** The clock the app's caches and comment cap read; tests move it. */
  clock: { now: number };
  /**
   * Posts a webhook signed with the app's secret (or `signature`), as GitHub does, and records
   * the delivery in the fake's deliveries list. Issue events also update what GitHub holds.
   */
  post(name: string, payload: unknown, options?: { id?: string; signature?: string | null; body?: string }): Promise<Response>;
  /** `post`, then waits until no job is pending or running. */
  deliver(name: string, payload: any, id?: string): Promise<Response>;
  drained(timeoutMs?: number): Promise<void>;
  /** Stops the server and the worker (the database stays, for a restart). */
  stop(): Promise<void>;
  /** Starts the server again on the same database and fake GitHub. */
  restart(overrides?: Partial<StartOptions>): Promise<void>;
  /** Stops the app; ends the database and the fake GitHub if it made them (not when they were given). */
  close(): Promise<void>;
}

export interface StartOptions {
  port: number;
  database?: TestDatabase;
  github?: NockGitHub;
  jobs?: ServerSettings['jobs'];
  logs?: Record<string, unknown>[];
  requestTimeoutMs?: number;
  /** Serve the race dashboard with these settings (off unless given). */
  dashboard?: ServerSettings['dashboard'];
}

export async function startApp(options: StartOptions): Promise<TestApp> {
  const database = options.database ?? (await sqliteDatabase());
  const github = options.github ?? new NockGitHub();
  const logs = options.logs ?? [];
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  nock.enableNetConnect('127.0.0.1');
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  // The app's own redaction, as production logs.
  const log = pino({ level: 'debug', redact: LOG_REDACTION }, sink);
  const launch = (port: number, jobs: ServerSettings['jobs']) =>
    startServer({
      host: '127.0.0.1',
      port,
      log,
      database: database.opened,
      index: database.index,
      appId: APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      secret: WEBHOOK_SECRET,
      baseUrl: github.base,
      requestTimeoutMs: options.requestTimeoutMs ?? TEST_REQUEST_TIMEOUT_MS,
      jobs: { ...TEST_JOBS, ...jobs, worker: { ...TEST_JOBS.worker, ...jobs?.worker } },
      now: () => clock.now,
      dashboard: options.dashboard ?? false,
    });
  let port = options.port;
  let running = await launch(port, options.jobs);

  const app: TestApp = {
    github,
    database,
    get running() {
      return running;
    },
    get base() {
      return `http://127.0.0.1:${port}`;
    },
    logs,
    clock,
    async post(name, payload, { id = randomUUID(), signature, body = JSON.stringify(payload) } = {}) {
      const p = payload as { action?: string; repository?: { full_name: string }; issue?: { number: number } };
      if (name === 'issues' && p.issue && p.repository && p.action !== 'deleted' && p.action !== 'transferred') github.rememberIssue(p.repository.full_name, p.issue as never);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': name,
        'x-github-delivery': id,
        // Tests restart servers on the same port: a pooled connection would be dead.
        connection: 'close',
      };
      const sig = signature === undefined ? sign(body) : signature;
      if (sig !== null) headers['x-hub-signature-256'] = sig;
      const response = await postLocal(`${app.base}/api/github/webhooks`, headers, body).catch(() => new Response(null, { status: 599 }));
      github.recordDelivery(id, name, body, response.status === 599 ? 0 : response.status);
      return response;
    },
    async deliver(name, payload, id) {
      const response = await app.post(name, payload, id === undefined ? {} : { id });
      await app.drained();
      return response;
    },
    drained: (timeoutMs = 20_000) =>
      waitFor(async () => {
        const { counts } = await running.durable!.queue.status();
        return counts.pending + counts.running === 0;
      }, timeoutMs, 'the job queue to drain'),
    stop: () => running.stop(),
    async restart(overrides = {}) {
      port = overrides.port ?? port;
      running = await launch(port, overrides.jobs ?? options.jobs);
    },
    async close() {
      await running.stop();
      if (!options.github) github.close();
      if (!options.database) await database.destroy();
    },
  };
  // Redeliveries the app asks for reach it like GitHub's would.
  github.redeliver = async (delivery) => {
    const headers = { 'content-type': 'application/json', 'x-github-event': delivery.event, 'x-github-delivery': delivery.guid, 'x-hub-signature-256': sign(delivery.body), connection: 'close' };
    const response = await postLocal(`${app.base}/api/github/webhooks`, headers, delivery.body).catch(() => new Response(null, { status: 599 }));
    return response.status === 599 ? 0 : response.status;
  };
  return app;
}
