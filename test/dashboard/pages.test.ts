/**
 * The dashboard over HTTP from the app's real server: what a visitor is shown or refused,
 * the sign-in flow against GitHub faked at its HTTP boundary, escaping of hostile issue
 * text, the link from the bot's comment, and that no credential reaches the logs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { analyse } from '../../src/race/index.js';
import { issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';
import { sign } from '../support/app.js';
import { postLocal } from '../support/post-webhook.js';
import { ALICE, CLIENT_ID, CLIENT_SECRET, GITHUB_URL, MALLORY, startDashboardServer, type DashboardServer } from './support/dashboard-server.js';
import { expectedClusters, HOSTILE_TITLES, PRIVATE_REPO, PUBLIC_REPO } from './support/fixture-repos.js';

const PORT = 38_591;
let app: DashboardServer;

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  app = await startDashboardServer(PORT);
  app.github.users.set(ALICE.token, { login: ALICE.login, id: ALICE.id });
  app.github.users.set(MALLORY.token, { login: MALLORY.login, id: MALLORY.id });
  app.github.readers.set(PRIVATE_REPO, new Set([ALICE.login]));
  app.github.repoLabels.set(PUBLIC_REPO, ['type/data-race', 'component/store']);
});

afterAll(async () => {
  await app.stop();
  const text = JSON.stringify(app.logs);
  for (const secret of [CLIENT_SECRET, ALICE.token, MALLORY.token, 'race_triage_session=', 'code-for-']) expect(text).not.toContain(secret);
  expect(app.github.problems).toEqual([]);
  expect(app.oauth.problems).toEqual([]);
});

const get = (path: string, cookie?: string) => fetch(`${app.base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');

/** Signs in through the app's real routes; GitHub's authorize page is skipped as a browser would be sent back. */
async function signIn(user: typeof ALICE, returnTo = `/races/${PRIVATE_REPO}`): Promise<string> {
  const start = await get(`/auth/sign-in?return=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${GITHUB_URL}/login/oauth/authorize`);
  expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${app.base}/auth/callback`);
  const code = `code-for-${user.login}-${Math.random()}`;
  app.oauth.codes.set(code, user.token);
  const back = await get(`/auth/callback?code=${code}&state=${authorize.searchParams.get('state')}`, cookiesOf(start));
  expect(back.status).toBe(303);
  expect(back.headers.get('location')).toBe(returnTo);
  return cookiesOf(back).split('; ').filter((c) => c.startsWith('race_triage_session=')).join('; ');
}

describe('a public repository', () => {
  it('lists its open races for anyone, with a strict content security policy', async () => {
    const res = await get(`/races/${PUBLIC_REPO}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; style-src 'sha256-/);
    const body = await res.text();
    const open = expectedClusters(app.issues, PUBLIC_REPO, { openOnly: true });
    expect(body.match(/<tr>\s*<td><a href="\/races\/pingcap\/tidb\/v\d/g)).toHaveLength(open.length);
    for (const cluster of open) expect(body).toContain(`<code>${cluster.fingerprint}</code>`);
  });

  it('escapes every title and label that came from an issue', async () => {
    const list = await (await get(`/races/${PUBLIC_REPO}?state=all`)).text();
    for (const title of HOSTILE_TITLES) {
      expect(list).not.toContain(title);
      expect(list).toContain(title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));
    }
    expect(list).not.toMatch(/<script|<img|href="javascript:/i);
    expect(list).not.toContain('<b>sig/');
  });

  it('answers an unknown repository, fingerprint or path with the same not-found page', async () => {
    for (const path of [`/races/pingcap/tikv`, `/races/${PUBLIC_REPO}/v1:0000000000000000`, `/races/${PUBLIC_REPO}/not-a-fingerprint`, '/races/a/b/c/d']) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(await res.text()).toContain('No race dashboard here');
    }
  });
});

describe('a private repository', () => {
  const privateTitles = () => app.issues.filter((i) => i.repo === PRIVATE_REPO).map((i) => i.title);
  const privateFingerprints = () => expectedClusters(app.issues, PRIVATE_REPO, { openOnly: false }).map((c) => c.fingerprint);

  it('looks like an unknown repository to a signed-out visitor, on every page', async () => {
    const fingerprint = privateFingerprints()[0]!;
    for (const path of [`/races/${PRIVATE_REPO}`, `/races/${PRIVATE_REPO}/${fingerprint}`, `/races/${PRIVATE_REPO}?state=all`]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      const body = await res.text();
      expect(body).toContain('sign in with GitHub');
      for (const fp of privateFingerprints()) expect(body).not.toContain(fp);
    }
    const publicPage = await (await get(`/races/${PUBLIC_REPO}?state=all`)).text();
    for (const fp of privateFingerprints()) expect(publicPage).not.toContain(fp);
    expect(privateTitles().some((t) => publicPage.includes(t))).toBe(false);
  });

  it('is refused to a signed-in user GitHub does not let read it, and a forged cookie is no session', async () => {
    const cookie = await signIn(MALLORY);
    const res = await get(`/races/${PRIVATE_REPO}`, cookie);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('signed in as <strong>mallory</strong>');

    const [name, value] = cookie.split('=') as [string, string];
    const [payload, mac] = value.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, login: 'alice', userId: ALICE.id })).toString('base64url');
    const forgedRes = await get(`/races/${PRIVATE_REPO}`, `${name}=${forged}.${mac}`);
    expect(forgedRes.status).toBe(404);
    expect(await forgedRes.text()).not.toContain('Signed in as');
  });

  it('is shown to a signed-in reader, asking GitHub once a minute at most', async () => {
    const cookie = await signIn(ALICE);
    const before = app.github.requests.filter((r) => r === `GET /repos/${PRIVATE_REPO}`).length;
    const res = await get(`/races/${PRIVATE_REPO}?state=all`, cookie);
    expect(res.status).toBe(200);
    const body = await res.text();
    for (const fp of privateFingerprints()) expect(body).toContain(fp);
    expect((await get(`/races/${PRIVATE_REPO}/${privateFingerprints()[0]}`, cookie)).status).toBe(200);
    expect(app.github.requests.filter((r) => r === `GET /repos/${PRIVATE_REPO}`).length).toBe(before + 1);
    // The token went to GitHub in a header, never in a URL.
    expect(app.github.calls.every((c) => !c.path.includes(ALICE.token))).toBe(true);
  });

  it('refuses a callback whose state was not issued to this browser, without asking GitHub', async () => {
    const start = await get(`/auth/sign-in?return=/races/${PRIVATE_REPO}`);
    const exchanges = app.oauth.exchanges;
    const res = await get(`/auth/callback?code=code-for-nobody&state=forged`, cookiesOf(start));
    expect(res.status).toBe(400);
    expect(app.oauth.exchanges).toBe(exchanges);
    expect((await get('/auth/sign-in?return=https://evil.example/')).status).toBe(302);
  });
});

describe('the bot comment', () => {
  it('links the race to its dashboard page, where the new issue shows with its filing date', async () => {
    const mpp = loadSeeds().find((s) => s.number === 39771)!;
    const payload = issuesEvent('opened', { number: 91000, title: 'DATA RACE <in> "mpp"', body: mpp.body });
    payload.issue.created_at = '2024-12-30T09:00:00Z';
    const body = JSON.stringify(payload);
    const ack = await postLocal(`${app.base}/api/github/webhooks`, { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': 'dash-1', 'x-hub-signature-256': sign(body) }, body);
    expect(ack.status).toBe(200);
    const fingerprint = analyse(mpp.body)[0]!.signature.fingerprint;
    const deadline = Date.now() + 15_000;
    while (app.github.commentsOn(`${PUBLIC_REPO}#91000`).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [comment] = app.github.commentsOn(`${PUBLIC_REPO}#91000`);
    expect(comment?.body).toContain(`](${app.base}/races/pingcap/tidb/${encodeURIComponent(fingerprint)})`);
    const page = await (await get(`/races/${PUBLIC_REPO}/${fingerprint}`)).text();
    expect(page).toContain('#91000 open');
    expect(page).toContain('DATA RACE &#60;in&#62; &#34;mpp&#34;');
    expect(page).toContain('<td>2024-12-30</td>');
  });
});
