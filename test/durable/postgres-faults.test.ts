/**
 * PostgreSQL dropping the app's connections in the middle of a job, the way a server restart
 * does. The shared server is not restarted (other suites use it): instead every connection of
 * this app, and only this app, is ended with `pg_terminate_backend`.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import nock from 'nock';
import pg from 'pg';
import { analyse } from '../../src/race/index.js';
import { BOT, FakeGitHub } from '../github/support/fake-github.js';
import { INSTALLATION_ID, issuesEvent } from '../github/support/payloads.js';
import { loadSeeds } from '../github/support/seeds.js';
import { POSTGRES_URL, postgresDatabase, type TestDatabase } from '../support/databases.js';
import { startDurableServer, type DurableServer } from './support/durable-server.js';

const PORT = 38_541;
const PASSWORD = 'pg-secret-pw-71c3';
const APPLICATION = `race-triage-durable-${process.pid}`;
const mpp = loadSeeds().find((s) => s.number === 39771)!;

let database: TestDatabase;
let server: DurableServer;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  const url = new URL(POSTGRES_URL);
  url.password = PASSWORD;
  url.searchParams.set('application_name', APPLICATION);
  database = await postgresDatabase(url.toString());
  nock.enableNetConnect('127.0.0.1');
});

afterAll(async () => {
  await server?.stop();
  nock.cleanAll();
  await database.destroy();
});

/** Locks the jobs table, so the app's next queue writes wait mid-query. */
async function lockJobs(): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query('begin');
  await admin.query(`lock table ${database.schema}.jobs in access exclusive mode`);
  return admin;
}

/** Ends every connection this app holds while its queries wait, then lets go. Resolves with how many were ended. */
async function dropConnectionsThenUnlock(admin: pg.Client): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { rows } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [APPLICATION]);
  await admin.query('commit');
  await admin.end();
  return rows.length;
}

it('finishes with one comment, the labels and the index when the database drops its connections mid-query', async () => {
  let github!: FakeGitHub;
  let dropping: Promise<number> | undefined;
  // The comment is created, then the connections go, before the job can record it is done.
  nock('https://api.github.com')
    .post('/repos/pingcap/tidb/issues/21/comments')
    .reply(async (request: Request) => {
      const comment = github.addComment('pingcap/tidb#21', ((await request.json()) as { body: string }).body, BOT);
      dropping = dropConnectionsThenUnlock(await lockJobs());
      return [201, comment];
    });
  github = new FakeGitHub();
  github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  server = await startDurableServer(database, PORT, logs);

  const event = issuesEvent('opened', { number: 21, title: mpp.title, body: mpp.body });
  github.rememberIssue('pingcap/tidb', event.issue);
  expect((await server.post('issues', event)).status).toBe(200);
  await server.drained();

  expect(await dropping).toBeGreaterThan(0);
  // The job's own write was cut off, and the job was run again.
  expect(logs.filter((l) => l.msg === 'job failed; will retry').map((l) => l.reason)).toEqual([
    expect.stringMatching(/^database (unavailable: 57P01|connection lost)/),
  ]);
  expect(github.commentsOn('pingcap/tidb#21')).toHaveLength(1);
  expect(github.labelsOn('pingcap/tidb#21')).toEqual(['type/data-race', 'component/store']);
  const stored = await database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 21 });
  expect(stored?.races).toEqual(analyse(mpp.body).map((r) => r.signature));
  expect((await server.durable.queue.status()).counts).toMatchObject({ done: 1, failed: 0 });
  expect(JSON.stringify(logs)).not.toContain(PASSWORD);
});
