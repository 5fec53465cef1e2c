/**
 * A race's fix on the dashboard, end to end through the app's real server: a merged pull
 * request that closes a race issue (`pull_request.closed`) shows as the race's fix on its page
 * and in the list, a redelivery changes nothing, and the race reported again after the merge
 * shows as seen again after its fix.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import nock from 'nock';
import { analyse } from '../../src/race/index.js';
import { issuesEvent, pullRequestEvent, type IssueSpec } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { GITHUB_URL, startDashboardServer, type DashboardServer } from './support/dashboard-server.js';
import { expectedClusters, PUBLIC_REPO } from './support/fixture-repos.js';

const PORT = 38_613;
const mpp = loadSeeds().find((s) => s.number === 39771)!;
const fingerprint = analyse(mpp.body)[0]!.signature.fingerprint;
const FIRST: IssueSpec = { number: 91100, title: 'TestMPPClose races', body: mpp.body, createdAt: '2024-12-01T00:00:00Z' };
const AGAIN: IssueSpec = { number: 91200, title: 'TestMPPClose races again', body: mpp.body, createdAt: '2024-12-20T00:00:00Z' };
const FIX_PR = 91150;
const MERGED_AT = '2024-12-10T08:00:00Z';
const merged = pullRequestEvent('closed', { number: FIX_PR, body: `Fixes #${FIRST.number}\n\nAlso closes #91190 (the docs).`, mergedAt: MERGED_AT });

let app: DashboardServer;

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  app = await startDashboardServer(PORT);
  app.github.repoLabels.set(PUBLIC_REPO, ['type/data-race', 'component/store']);
});

afterAll(async () => {
  await app.stop();
  expect(app.github.problems).toEqual([]);
});

const page = async (path: string) => {
  const res = await fetch(`${app.base}${path}`);
  expect(res.status).toBe(200);
  return res.text();
};
/** What the race's page says of its fix. */
const fixOnPage = async () => (await page(`/races/${PUBLIC_REPO}/${encodeURIComponent(fingerprint)}`)).match(/ · fix: (.*)<\/p>/)![1];
/** The race's row in the list of every race. */
const rowInList = async () => (await page(`/races/${PUBLIC_REPO}?state=all`)).split('<tr>').find((row) => row.includes(`<code>${fingerprint}</code>`));

const fixLink = `<a href="${GITHUB_URL}/pingcap/tidb/pull/${FIX_PR}">#${FIX_PR}</a> <span class="muted">merged 2024-12-10</span>`;
const regressed = '<span class="badge regressed" title="Reported again after the fix was merged">seen again after its fix</span>';

it('shows the fix a merged pull request recorded, then the race reported after its merge as seen again', async () => {
  // Every earlier report of this race in the fixture was filed before the first one here.
  const earlier = expectedClusters(app.issues, PUBLIC_REPO, { openOnly: false }).find((c) => c.fingerprint === fingerprint);
  expect((earlier?.lastSeen ?? '') < FIRST.createdAt!).toBe(true);

  await app.deliver('issues', issuesEvent('opened', FIRST));
  expect(await fixOnPage()).toBe('<span class="muted">none known</span>');

  await app.deliver('pull_request', merged, 'fix-1');
  expect(await fixOnPage()).toBe(fixLink);
  expect(await rowInList()).toContain(fixLink);
  expect(await rowInList()).not.toContain('seen again after its fix');

  // Redelivered, or delivered again under another id: the same pages.
  const before = [await fixOnPage(), await rowInList()];
  await app.deliver('pull_request', merged, 'fix-1');
  await app.deliver('pull_request', merged, 'fix-2');
  expect([await fixOnPage(), await rowInList()]).toEqual(before);

  await app.deliver('issues', issuesEvent('opened', AGAIN));
  expect(await fixOnPage()).toBe(`${fixLink} ${regressed}`);
  expect(await rowInList()).toContain(`${fixLink} ${regressed}`);
  // The bot's comment on the new issue says the same.
  const comment = app.github.commentsOn(`${PUBLIC_REPO}#${AGAIN.number}`)[0]!;
  expect(comment.body).toContain(`fixed by #${FIX_PR} on 2024-12-10, and this issue was filed after that fix was merged`);
});
