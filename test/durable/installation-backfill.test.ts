/**
 * Installing the app starts a backfill: the installation webhook becomes one backfill job per
 * repository, continued job after job a page at a time. It fills the index and writes nothing
 * to GitHub, so the first new race already finds its duplicate.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import nock from 'nock';
import { analyse } from '../../src/race/index.js';
import { engineOptions, parseConfig } from '../../src/triage/config.js';
import { FakeGitHub } from '../github/support/fake-github.js';
import { INSTALLATION_ID, issueObject, issuesEvent } from '../github/support/payloads.js';
import { loadSeeds } from '../github/support/seeds.js';
import { sqliteDatabase, type TestDatabase } from '../support/databases.js';
import { startDurableServer, type DurableServer } from './support/durable-server.js';

const PORT = 38_551;
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;

let database: TestDatabase;
let server: DurableServer;
const logs: Record<string, unknown>[] = [];

/** Listing requests, as `repo?query`. */
const listed: string[] = [];
let github: FakeGitHub;

beforeAll(async () => {
  database = await sqliteDatabase();
  nock.enableNetConnect('127.0.0.1');
  // Registered before the fake's catch-all, so the listing is answered here: 100 a page.
  nock('https://api.github.com')
    .persist()
    .get(/^\/repos\/pingcap\/(tidb|tikv)\/issues\?/)
    .reply((request: Request) => {
      const url = new URL(request.url);
      const repo = url.pathname.split('/')[3]!;
      const page = Number(url.searchParams.get('page'));
      listed.push(`${repo}${url.search}`);
      const issues = histories[repo]!;
      const last = Math.ceil(issues.length / 100);
      const link = (p: number) => `<https://api.github.com/repositories/1/issues?page=${p}>`;
      return [200, issues.slice((page - 1) * 100, page * 100), page < last ? { link: `${link(page + 1)}; rel="next", ${link(last)}; rel="last"` } : {}];
    });
  github = new FakeGitHub();
  github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  server = await startDurableServer(database, PORT, logs, {}, 1);
});

afterAll(async () => {
  await server?.stop();
  nock.cleanAll();
  await database.destroy();
});

/** pingcap/tidb: 150 old issues, each seed filed once among issues without races, and one pull request. */
const histories: Record<string, unknown[]> = {
  tidb: Array.from({ length: 150 }, (_, i) => {
    const number = i + 1;
    const seed = number % 30 === 0 ? seeds[number / 30 - 1] : undefined;
    const issue = issueObject({ number, title: seed?.title ?? `Issue ${number}`, body: seed?.body ?? 'flaky test', state: 'closed', stateReason: 'completed' });
    return number === 7 ? { ...issue, pull_request: { url: 'https://api.github.com/repos/pingcap/tidb/pulls/7' } } : issue;
  }),
  tikv: [issueObject({ number: 3, title: mpp.title, body: mpp.body, repo: 'tikv' })],
};

it('indexes the history of every repository it is installed on, posting nothing', async () => {
  const installation = {
    action: 'created',
    installation: { id: INSTALLATION_ID, account: { login: 'pingcap', type: 'Organization' } },
    repositories: [{ id: 1, name: 'tidb', full_name: 'pingcap/tidb', private: false }],
    sender: { login: 'alice', type: 'User' },
  };
  expect((await server.post('installation', installation)).status).toBe(200);
  await server.drained();

  expect(listed).toEqual([
    'tidb?state=all&sort=created&direction=asc&per_page=100&page=1',
    'tidb?state=all&sort=created&direction=asc&per_page=100&page=2',
  ]);
  // Only reads: the config (the repository's, then the organisation's), so signatures match the app's.
  expect(github.requests).toEqual([
    'GET /repos/pingcap/tidb/contents/.github%2Frace-triage.yml',
    'GET /repos/pingcap/.github/contents/.github%2Frace-triage.yml',
  ]);
  // The installation job, then one backfill job per page.
  expect((await server.durable.queue.status()).counts).toEqual({ pending: 0, running: 0, done: 3, failed: 0 });
  for (const [i, seed] of seeds.entries()) {
    const stored = await database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: (i + 1) * 30 });
    expect(stored).toMatchObject({ title: seed.title, state: 'closed', stateReason: 'completed', races: analyse(seed.body).map((r) => r.signature) });
  }
  expect(logs.filter((l) => l.msg === 'backfill progress').map((l) => [l.scanned, l.indexed])).toEqual([
    [100, 3],
    [50, 5],
  ]);
  expect(logs.find((l) => l.msg === 'backfill finished')).toMatchObject({ repo: 'pingcap/tidb', indexed: 5 });

  // A refiled seed now names the backfilled original.
  const refiled = issuesEvent('opened', { number: 500, title: mpp.title, body: mpp.body });
  await server.post('issues', refiled);
  await server.drained();
  const original = (seeds.indexOf(mpp) + 1) * 30;
  expect(github.commentsOn('pingcap/tidb#500')[0]?.body).toContain(`#${original}`);
});

it('backfills a repository added to the installation later, signing races with its config', async () => {
  // An alias renames a package, so the backfilled signature must be the one the app computes with it.
  const yaml = 'aliases:\n  store/copr: copr\n';
  github.configs.set('pingcap/tikv', yaml);
  const configured = analyse(mpp.body, engineOptions(parseConfig(yaml).config)).map((r) => r.signature);
  expect(configured.map((s) => s.fingerprint)).not.toEqual(analyse(mpp.body).map((r) => r.signature.fingerprint));
  const added = {
    action: 'added',
    installation: { id: INSTALLATION_ID, account: { login: 'pingcap', type: 'Organization' } },
    repository_selection: 'selected',
    repositories_added: [{ id: 2, name: 'tikv', full_name: 'pingcap/tikv', private: true }],
    repositories_removed: [],
    sender: { login: 'alice', type: 'User' },
  };
  expect((await server.post('installation_repositories', added)).status).toBe(200);
  await server.drained();
  expect(listed.at(-1)).toBe('tikv?state=all&sort=created&direction=asc&per_page=100&page=1');
  expect(await database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tikv', number: 3 })).toMatchObject({
    private: true,
    races: configured,
  });
  expect(logs.filter((l) => l.msg === 'backfill finished').map((l) => l.repo)).toEqual(['pingcap/tidb', 'pingcap/tikv']);
});
