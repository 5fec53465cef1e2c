/**
 * The dashboard in a real headless Chromium against the app's real server: rows, a filter,
 * the chart and its accessible text, one race's page, hostile titles shown as text and
 * never run, and a private repository refused to a signed-out visitor and to a user
 * without access, shown to one with it. UPDATE_SCREENSHOTS=1 rewrites docs/dashboard-*.png.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import nock from 'nock';
import type { Page } from 'playwright-core';
import { ALICE, GITHUB_URL, MALLORY, startDashboardServer, type DashboardServer } from './support/dashboard-server.js';
import { CHROMIUM, openBrowser, type TestBrowser } from './support/browser.js';
import { expectedClusters, HOSTILE_TITLES, PRIVATE_REPO, PUBLIC_REPO, REGRESSED } from './support/fixture-repos.js';

const PORT = 38_593;
let app: DashboardServer;
let browser: TestBrowser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (bash .ci/run does)`);
  nock.enableNetConnect('127.0.0.1');
  app = await startDashboardServer(PORT);
  for (const user of [ALICE, MALLORY]) app.github.users.set(user.token, { login: user.login, id: user.id });
  app.github.readers.set(PRIVATE_REPO, new Set([ALICE.login]));
  browser = await openBrowser(app.base);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  expect(browser.refused).toEqual([]);
  expect(app.github.problems).toEqual([]);
});

const rowFingerprints = (page: Page) => page.locator('table.races tbody tr td:first-child .muted code').allTextContents();

it('lists the open races, filters by label and frame, and pages nowhere it should not', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${app.base}/races/${PUBLIC_REPO}`);
  expect(await rowFingerprints(page)).toEqual(expectedClusters(app.issues, PUBLIC_REPO, { openOnly: true }).map((c) => c.fingerprint));

  await page.getByLabel('Show').selectOption('all');
  await page.getByLabel('Label').selectOption('sig/sql-infra');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/label=sig%2Fsql-infra/);
  const labelled = expectedClusters(app.issues, PUBLIC_REPO, { openOnly: false, label: 'sig/sql-infra' });
  expect(labelled.length).toBeGreaterThan(1);
  expect(await rowFingerprints(page)).toEqual(labelled.map((c) => c.fingerprint));

  await page.getByLabel('Frame contains').fill('Tracker');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/q=Tracker/);
  expect(await rowFingerprints(page)).toEqual(expectedClusters(app.issues, PUBLIC_REPO, { openOnly: false, label: 'sig/sql-infra', text: 'Tracker' }).map((c) => c.fingerprint));
  await page.close();
});

it('draws the weekly chart with a name and a summary in words', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${app.base}/races/${PUBLIC_REPO}?state=all`);
  // The 52 weeks up to the end of the current one (Monday to Monday, UTC).
  const chart = page.getByRole('img', { name: 'New race reports per week, 2024-01-08 to 2025-01-06' });
  await expect(chart.count()).resolves.toBe(1);
  const inYear = app.issues.filter((i) => i.repo === PUBLIC_REPO && i.createdAt! >= '2024-01-08' && i.createdAt! < '2025-01-06');
  const description = await page.locator('svg desc').textContent();
  expect(description).toContain(`${inYear.length} new race reports in the 52 weeks`);
  expect(description).toMatch(/By component: sig\/execution \d+/);
  expect(await chart.locator('rect').count()).toBeGreaterThan(3);
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-list.png' });
  await page.close();
});

it('shows hostile titles as text and runs none of them', async () => {
  const page = await browser.context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => void d.dismiss().then(() => dialogs.push(d.message())));
  await page.goto(`${app.base}/races/${PUBLIC_REPO}?state=all`);
  for (const title of HOSTILE_TITLES) await expect(page.locator(`a[title="${title.replace(/"/g, '\\"')}"]`).count()).resolves.toBe(1);
  const [first] = await page.locator(`a[title="${HOSTILE_TITLES[0]}"]`).all();
  const cluster = await first!.evaluate((a) => a.closest('tr')!.querySelector('td a')!.getAttribute('href'));
  await page.goto(`${app.base}${cluster}`);
  await expect(page.getByRole('link', { name: HOSTILE_TITLES[2], exact: true }).count()).resolves.toBe(0);
  await expect(page.getByText(HOSTILE_TITLES[0]!, { exact: true }).count()).resolves.toBe(1);
  expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await page.close();
});

it("shows one race: both stacks, every report with its link, and that it came back after its fix", async () => {
  const page = await browser.context.newPage();
  await page.goto(`${app.base}/races/${PUBLIC_REPO}?state=all`);
  const row = page.locator('table.races tbody tr', { has: page.locator('.badge.regressed') });
  await expect(row.count()).resolves.toBe(1);
  await row.locator('td:first-child a').click();
  await page.waitForURL(/\/races\/pingcap\/tidb\/v\d/);
  await expect(page.locator('.sides').first().locator('section.side').count()).resolves.toBeGreaterThanOrEqual(1);
  const reports = page.locator('table.reports tbody tr');
  await expect(reports.count()).resolves.toBe(3);
  expect(await page.locator('table.reports tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(
    [REGRESSED.later, REGRESSED.fixedIssue, 17008].map((n) => `${GITHUB_URL}/pingcap/tidb/issues/${n}`),
  );
  await expect(page.getByText('seen again after its fix').count()).resolves.toBe(1);
  await expect(page.getByRole('link', { name: `#${REGRESSED.fixingPr}` }).getAttribute('href')).resolves.toBe(`${GITHUB_URL}/pingcap/tidb/pull/${REGRESSED.fixingPr}`);
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-race.png', fullPage: true });
  await page.close();
});

it('refuses a private repository to a signed-out visitor and to a user without access, and shows it to a reader', async () => {
  const privateRows = expectedClusters(app.issues, PRIVATE_REPO, { openOnly: true }).map((c) => c.fingerprint);
  const page = await browser.context.newPage();
  const visit = async () => {
    const res = await page.goto(`${app.base}/races/${PRIVATE_REPO}`);
    return { status: res?.status(), heading: await page.locator('h1').textContent(), rows: await rowFingerprints(page) };
  };
  expect(await visit()).toEqual({ status: 404, heading: 'No race dashboard here', rows: [] });

  for (const [user, expected] of [
    [MALLORY, { status: 404, heading: 'No race dashboard here', rows: [] }],
    [ALICE, { status: 200, heading: `Data races in ${PRIVATE_REPO}`, rows: privateRows }],
  ] as const) {
    await browser.context.clearCookies();
    await page.goto(`${app.base}/races/${PRIVATE_REPO}`);
    browser.nextCode = `code-for-${user.login}`;
    app.oauth.codes.set(browser.nextCode, user.token);
    await page.getByRole('link', { name: 'sign in with GitHub', exact: true }).click();
    await page.waitForURL(`${app.base}/races/${PRIVATE_REPO}`);
    await expect(page.locator('header.top .who strong').textContent()).resolves.toBe(user.login);
    expect(await visit()).toEqual(expected);
  }
  await page.close();
});
