/**
 * Installing the app starts a backfill: the installation webhook becomes one backfill job per
 * repository, continued job after job a page at a time. It fills the index and writes nothing
 * to GitHub, so the first new race already finds its duplicate.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { analyse } from '../../src/race/index.js';
import { engineOptions, parseConfig } from '../../src/triage/config.js';
import { startApp, type TestApp } from '../support/app.js';
import { INSTALLATION_ID, issueObject, issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { signatures } from '../support/indexed.js';

const PORT = 38_551;
const seeds = loadSeeds();
const mpp = seeds.find((s) => s.number === 39771)!;

let h: TestApp;
const listed = () => h.github.calls.filter((c) => c.operationId === 'issues/list-for-repo').map((c) => c.path.replace('/repos/pingcap/', '').replace('/issues', ''));

beforeAll(async () => {
  h = await startApp({ port: PORT, jobs: { backfillPagesPerJob: 1 } });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store']);
  h.github.histories.set('pingcap/tidb', histories.tidb!);
  h.github.histories.set('pingcap/tikv', histories.tikv!);
  h.github.privateRepos.add('pingcap/tikv');
});

afterAll(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

/** pingcap/tidb: 150 old issues, each seed filed once among issues without races, and one pull request. */
const histories: Record<string, Record<string, unknown>[]> = {
  tidb: Array.from({ length: 150 }, (_, i) => {
    const number = i + 1;
    const seed = number % 30 === 0 ? seeds[number / 30 - 1] : undefined;
    const issue = issueObject({ number, title: seed?.title ?? `Issue ${number}`, body: seed?.body ?? 'flaky test', state: 'closed', stateReason: 'completed' });
    return number === 7 ? { ...issue, pull_request: { url: 'https://api.github.com/repos/pingcap/tidb/pulls/7', html_url: 'https://github.com/pingcap/tidb/pull/7', diff_url: 'https://github.com/pingcap/tidb/pull/7.diff', patch_url: 'https://github.com/pingcap/tidb/pull/7.patch', merged_at: null } } : issue;
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
  expect((await h.deliver('installation', installation)).status).toBe(200);

  expect(listed()).toEqual([
    'tidb?state=all&sort=created&direction=asc&per_page=100&page=1',
    'tidb?state=all&sort=created&direction=asc&per_page=100&page=2',
  ]);
  // Only reads: the config (the repository's, then the organisation's), so signatures match the app's.
  expect(h.github.requests.filter((r) => !r.endsWith('/issues'))).toEqual([
    'GET /repos/pingcap/tidb/contents/.github%2Frace-triage.yml',
    'GET /repos/pingcap/.github/contents/.github%2Frace-triage.yml',
    // After the issues, the repository's comments: races pasted there.
    'GET /repos/pingcap/tidb/issues/comments',
    // Then its merged pull requests: which issues each one fixed.
    'GET /repos/pingcap/tidb/pulls',
  ]);
  // The installation job, then one backfill job per page: two of issues, one of comments, one of pull requests.
  expect((await h.running.durable!.queue.status()).counts).toEqual({ pending: 0, running: 0, done: 5, failed: 0 });
  for (const [i, seed] of seeds.entries()) {
    const stored = await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: (i + 1) * 30 });
    expect(stored).toMatchObject({ title: seed.title, state: 'closed', stateReason: 'completed' });
    expect(signatures(stored?.races)).toEqual(analyse(seed.body).map((r) => r.signature));
  }
  expect(h.logs.filter((l) => l.msg === 'backfill progress').map((l) => [l.scanned, l.comments, l.indexed])).toEqual([
    [100, 0, 3],
    [50, 0, 5],
    [0, 0, 5],
    [0, 0, 5],
  ]);
  expect(h.logs.find((l) => l.msg === 'backfill finished')).toMatchObject({ repo: 'pingcap/tidb', indexed: 5 });

  // A refiled seed now names the backfilled original.
  const refiled = issuesEvent('opened', { number: 500, title: mpp.title, body: mpp.body });
  await h.deliver('issues', refiled);
  const original = (seeds.indexOf(mpp) + 1) * 30;
  expect(h.github.commentsOn('pingcap/tidb#500')[0]?.body).toContain(`#${original}`);
});

it('backfills a repository added to the installation later, signing races with its config', async () => {
  // An alias renames a package, so the backfilled signature must be the one the app computes with it.
  const yaml = 'aliases:\n  store/copr: copr\n';
  h.github.configs.set('pingcap/tikv', yaml);
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
  expect((await h.deliver('installation_repositories', added)).status).toBe(200);
  expect(listed().at(-1)).toBe('tikv?state=all&sort=created&direction=asc&per_page=100&page=1');
  expect(await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tikv', number: 3 })).toMatchObject({
    private: true,
    races: configured,
  });
  expect(h.logs.filter((l) => l.msg === 'backfill finished').map((l) => l.repo)).toEqual(['pingcap/tidb', 'pingcap/tikv']);
});
