/**
 * PostgreSQL dropping the app's connections in the middle of a job, the way a server restart
 * does. The shared server is not restarted (other suites use it): instead every connection of
 * this app, and only this app, is ended with `pg_terminate_backend`.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { analyse } from '../../src/race/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { POSTGRES_URL, postgresDatabase, type TestDatabase } from '../support/databases.js';
import { INSTALLATION_ID, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { signatures } from '../support/indexed.js';

const PORT = 38_541;
const PASSWORD = 'pg-secret-pw-71c3';
const APPLICATION = `race-triage-durable-${process.pid}`;
const mpp = loadSeeds().find((s) => s.number === 39771)!;

let database: TestDatabase;
let h: TestApp;

beforeAll(async () => {
  const url = new URL(POSTGRES_URL);
  url.password = PASSWORD;
  url.searchParams.set('application_name', APPLICATION);
  database = await postgresDatabase(url.toString());
});

afterAll(async () => {
  await h?.close();
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
  let dropping: Promise<number> | undefined;
  h = await startApp({ port: PORT, database });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  // The comment is created; GitHub answers once the jobs table is locked, so the job's own
  // record of being done waits, and then the connections go.
  h.github.fail({
    method: 'POST',
    path: /^\/repos\/pingcap\/tidb\/issues\/21\/comments$/,
    hold: async () => {
      dropping = dropConnectionsThenUnlock(await lockJobs());
    },
  });

  expect((await h.post('issues', issuesEvent('opened', { number: 21, title: mpp.title, body: mpp.body }))).status).toBe(200);
  await waitUntil(() => dropping !== undefined);
  expect(await dropping).toBeGreaterThan(0);
  await h.drained();

  // The job's own write was cut off, and the job was run again.
  expect(h.logs.filter((l) => l.msg === 'job failed; will retry').map((l) => l.reason)).toEqual([
    expect.stringMatching(/^database (unavailable: 57P01|connection lost)/),
  ]);
  expect(h.github.commentsOn('pingcap/tidb#21')).toHaveLength(1);
  expect(h.github.labelsOn('pingcap/tidb#21')).toEqual(['type/data-race', 'component/store']);
  const stored = await database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 21 });
  expect(signatures(stored?.races)).toEqual(analyse(mpp.body).map((r) => r.signature));
  expect((await h.running.durable!.queue.status()).counts).toMatchObject({ done: 1, failed: 0 });
  expect(JSON.stringify(h.logs)).not.toContain(PASSWORD);
  expect(h.github.problems).toEqual([]);
});

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}
