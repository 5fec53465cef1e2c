/**
 * The app with the dashboard on, behind Probot's real HTTP server on loopback, over a real
 * SQLite index holding the fixture repositories. GitHub's API is the shared `FakeGitHub`,
 * its OAuth endpoint `FakeOAuth`; every log line is captured (with the app's redaction).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { raceTriageApp } from '../../../src/github/app.js';
import { DurableProcessing } from '../../../src/github/jobs/durable.js';
import { LOG_REDACTION } from '../../../src/github/log.js';
import { DashboardQueries } from '../../../src/store/dashboard-queries.js';
import type { DashboardSettings } from '../../../src/dashboard/settings.js';
import { sqliteDatabase, type TestDatabase } from '../../durable/support/databases.js';
import { WEBHOOK_SECRET } from '../../durable/support/durable-server.js';
import { FakeGitHub } from '../../github/support/fake-github.js';
import { TEST_PRIVATE_KEY, TestOctokit } from '../../github/support/harness.js';
import { FakeOAuth } from './fake-oauth.js';
import { loadFixture, NOW } from './fixture-repos.js';
import type { IndexedIssue, IndexTables } from '../../../src/store/index.js';
import type { Kysely } from 'kysely';

export const CLIENT_ID = 'Iv1.dashboardtest01';
export const CLIENT_SECRET = 'dashboard-client-secret-0123456789abcdef';
/** Users the fake GitHub knows: who they are, and their token. */
export const ALICE = { login: 'alice', id: 101, token: 'ghu_alice_token_0123456789' };
export const MALLORY = { login: 'mallory', id: 666, token: 'ghu_mallory_token_0123456789' };

export interface DashboardServer {
  base: string;
  github: FakeGitHub;
  oauth: FakeOAuth;
  database: TestDatabase;
  issues: IndexedIssue[];
  logs: Record<string, unknown>[];
  durable: DurableProcessing;
  stop(): Promise<void>;
}

export async function startDashboardServer(port: number, overrides: Partial<DashboardSettings> = {}): Promise<DashboardServer> {
  const base = `http://127.0.0.1:${port}`;
  const database = await sqliteDatabase();
  const raw = database.db as unknown as Kysely<IndexTables>;
  const issues = await loadFixture(database.index, raw);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const log = pino({ level: 'debug', redact: LOG_REDACTION }, sink);
  const github = new FakeGitHub();
  const oauth = new FakeOAuth(CLIENT_ID, CLIENT_SECRET, `${base}/auth/callback`);
  const settings: DashboardSettings = {
    enabled: true,
    publicUrl: base,
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    sessionSecret: 'a-session-secret-for-the-dashboard-tests-0001',
    githubUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    componentPrefixes: ['component/', 'sig/'],
    ...overrides,
  };
  const durable = new DurableProcessing({ db: database.db, index: database.index, worker: { pollMs: 20 } });
  const server = new Server({
    host: '127.0.0.1',
    port,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: WEBHOOK_SECRET, Octokit: TestOctokit, log }),
  });
  await server.load(
    raceTriageApp({
      index: database.index,
      backend: database.kind,
      durable,
      now: () => NOW,
      dashboard: { queries: new DashboardQueries(raw, 'sqlite'), settings },
    }),
  );
  await server.start();
  return {
    base,
    github,
    oauth,
    database,
    issues,
    logs,
    durable,
    async stop() {
      await server.stop();
      await durable.stop();
      await database.destroy();
    },
  };
}
