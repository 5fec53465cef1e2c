/**
 * The app with the dashboard on, as production runs it (`startServer`, through the shared
 * test app), over a real SQLite index holding the fixture repositories. GitHub's API is the
 * shared fake over plain http, its OAuth endpoint `FakeOAuth` on the same host; every log line
 * is captured.
 */
import type { Kysely } from 'kysely';
import type { DashboardSettings } from '../../../src/dashboard/settings.js';
import type { DurableProcessing } from '../../../src/github/jobs/durable.js';
import type { IndexedIssue, IndexTables } from '../../../src/store/index.js';
import { startApp, type TestApp } from '../../support/app.js';
import { sqliteDatabase, type TestDatabase } from '../../support/databases.js';
import type { NockGitHub } from '../../support/github/nock-github.js';
import { NOCK_GITHUB } from '../../support/github/nock-github.js';
import { FakeOAuth } from './fake-oauth.js';
import { loadFixture, NOW } from './fixture-repos.js';

export const CLIENT_ID = 'Iv1.dashboardtest01';
export const CLIENT_SECRET = 'dashboard-client-secret-0123456789abcdef';
/** Users the fake GitHub knows: who they are, and their token. */
export const ALICE = { login: 'alice', id: 101, token: 'ghu_alice_token_0123456789' };
export const MALLORY = { login: 'mallory', id: 666, token: 'ghu_mallory_token_0123456789' };

/** Where the fake GitHub lives: links, the OAuth flow and the API, all over plain http. */
export const GITHUB_URL = NOCK_GITHUB;

export interface DashboardServer {
  base: string;
  github: NockGitHub;
  oauth: FakeOAuth;
  database: TestDatabase;
  issues: IndexedIssue[];
  logs: Record<string, unknown>[];
  durable: DurableProcessing;
  /** Posts a signed webhook and waits until the job queue is drained (`TestApp.deliver`). */
  deliver: TestApp['deliver'];
  stop(): Promise<void>;
}

export async function startDashboardServer(port: number, overrides: Partial<DashboardSettings> = {}): Promise<DashboardServer> {
  const base = `http://127.0.0.1:${port}`;
  const database = await sqliteDatabase();
  const raw = database.db as unknown as Kysely<IndexTables>;
  const issues = await loadFixture(database.index, raw);
  const oauth = new FakeOAuth(GITHUB_URL, CLIENT_ID, CLIENT_SECRET, `${base}/auth/callback`);
  const settings: DashboardSettings = {
    enabled: true,
    publicUrl: base,
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    sessionSecret: 'a-session-secret-for-the-dashboard-tests-0001',
    githubUrl: GITHUB_URL,
    apiUrl: GITHUB_URL,
    componentPrefixes: ['component/', 'sig/'],
    ...overrides,
  };
  const app: TestApp = await startApp({ port, database, dashboard: { settings } });
  app.clock.now = NOW;
  return {
    base,
    github: app.github,
    oauth,
    database,
    issues,
    logs: app.logs,
    durable: app.running.durable!,
    deliver: (name, payload, id) => app.deliver(name, payload, id),
    async stop() {
      await app.close();
      oauth.close();
      await database.destroy();
    },
  };
}
