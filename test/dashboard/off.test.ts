/** DASHBOARD=off: the app serves no dashboard page and its comments link none. */
import { expect, it } from '@jest/globals';
import nock from 'nock';
import { sign } from '../support/app.js';
import { issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { postLocal } from '../support/post-webhook.js';
import { startDashboardServer } from './support/dashboard-server.js';
import { PUBLIC_REPO } from './support/fixture-repos.js';

const PORT = 38_595;

it('serves no page and puts no link in the comment', async () => {
  nock.enableNetConnect('127.0.0.1');
  const off = await startDashboardServer(PORT, { enabled: false });
  try {
    const res = await fetch(`${off.base}/races/${PUBLIC_REPO}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('race dashboard');
    off.github.repoLabels.set(PUBLIC_REPO, ['type/data-race', 'component/store']);
    const mpp = loadSeeds().find((s) => s.number === 39771)!;
    const body = JSON.stringify(issuesEvent('opened', { number: 92000, title: 'DATA RACE', body: mpp.body }));
    await postLocal(`${off.base}/api/github/webhooks`, { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': 'off-1', 'x-hub-signature-256': sign(body) }, body);
    const deadline = Date.now() + 15_000;
    while (off.github.commentsOn(`${PUBLIC_REPO}#92000`).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [comment] = off.github.commentsOn(`${PUBLIC_REPO}#92000`);
    expect(comment?.body).toMatch(/signature `v\d/);
    expect(comment?.body).not.toContain('/races/');
  } finally {
    await off.stop();
  }
});
