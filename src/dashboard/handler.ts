/**
 * The dashboard's HTTP routes, served by the app's own server (Probot's `addHandler`):
 *
 *   GET  /races/{owner}/{repo}                 the repository's race clusters
 *   GET  /races/{owner}/{repo}/{fingerprint}   one race
 *   GET  /auth/sign-in, /auth/callback         GitHub App user authorization (OAuth web flow)
 *   POST /auth/sign-out
 *
 * A public repository's pages are shown to anyone. A private repository's pages only to a
 * signed-in user whom GitHub lets read it; to everyone else they look exactly like a
 * repository the index does not know, so not even its existence shows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { WEEK_MS, type DashboardQueries } from '../store/dashboard-queries.js';
import { CHART_WEEKS, chartSeries, renderChart } from './chart.js';
import { renderCluster } from './cluster-page.js';
import { GitHubUsers } from './github-user.js';
import { html, type Html } from './html.js';
import { page, send, type Viewer } from './layout.js';
import { CALLBACK_PATH, RACES_PATH, safeReturnPath, SIGN_IN_PATH, SIGN_OUT_PATH, signInPath, type RepoName } from './links.js';
import { renderList, type ListQuery } from './list-page.js';
import { SESSION_COOKIE, SESSION_MS, SessionCookies, SIGN_IN_COOKIE, type Session } from './session.js';
import type { DashboardSettings } from './settings.js';

/** Clusters per list page. */
export const PAGE_SIZE = 50;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const FINGERPRINT = /^[a-z0-9]{1,8}:[0-9a-f]{1,32}$/;
const MAX_FORM_BYTES = 4096;

export interface DashboardDeps {
  queries: DashboardQueries;
  settings: DashboardSettings;
  log: Logger;
  now?: () => number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function dashboardHandler(deps: DashboardDeps): Handler {
  const now = deps.now ?? Date.now;
  const { settings } = deps;
  const signIn =
    settings.oauth && settings.publicUrl && settings.sessionSecret
      ? {
          cookies: new SessionCookies(settings.sessionSecret, settings.publicUrl.startsWith('https:'), now),
          users: new GitHubUsers({ ...settings, oauth: settings.oauth, publicUrl: settings.publicUrl }, now),
        }
      : undefined;

  const viewerOf = (req: IncomingMessage, path: string): { viewer: Viewer; session?: Session } => {
    const session = signIn?.cookies.session(req.headers.cookie);
    return { viewer: { canSignIn: signIn !== undefined, path, ...(session ? { login: session.login } : {}) }, ...(session ? { session } : {}) };
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    if (path === SIGN_IN_PATH && req.method === 'GET') return startSignIn(url, res);
    if (path === CALLBACK_PATH && req.method === 'GET') return finishSignIn(req, url, res);
    if (path === SIGN_OUT_PATH && req.method === 'POST') return signOut(req, res);
    if (path !== RACES_PATH && !path.startsWith(`${RACES_PATH}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;

    const { viewer, session } = viewerOf(req, `${path}${url.search}`);
    const parts = path.slice(RACES_PATH.length + 1).split('/').map(decodeSegment);
    if (path === RACES_PATH || path === `${RACES_PATH}/`) {
      send(res, 200, page('race-triage: races', viewer, html`<h1>Race dashboards</h1><p>Each repository the app is installed on has its page at <code>/races/OWNER/REPO</code>.</p>`));
      return true;
    }
    const [owner = '', repo = '', fingerprint, ...rest] = parts;
    if (!OWNER.test(owner) || !REPO.test(repo) || rest.length > 0 || (fingerprint !== undefined && !FINGERPRINT.test(fingerprint))) {
      notFound(res, viewer, { owner, repo });
      return true;
    }
    const name = { owner, repo };
    try {
      const repository = await deps.queries.repository(`${owner}/${repo}`);
      if (!repository) return notFound(res, viewer, name);
      if (repository.private) {
        if (!session || !signIn) return notFound(res, viewer, name);
        const access = await signIn.users.access(session, owner, repo);
        if (access === 'signed-out') return notFound(res, { canSignIn: true, path: viewer.path }, name, { 'set-cookie': signIn.cookies.clear(SESSION_COOKIE) });
        if (access !== 'read') return notFound(res, viewer, name);
      }
      const body = fingerprint === undefined ? await listBody(repository.id, name, url) : await clusterBody(repository.id, name, fingerprint);
      if (!body) return notFound(res, viewer, name);
      send(res, 200, page(`${fingerprint ? `${fingerprint} · ` : ''}Races in ${owner}/${repo}`, viewer, body));
    } catch (error) {
      deps.log.warn({ repo: `${owner}/${repo}`, err: describe(error) }, 'dashboard page failed');
      send(res, 502, page('race-triage: try again', viewer, html`<h1>Something did not answer</h1><p>GitHub or the race index did not answer in time. Try again in a moment.</p>`));
    }
    return true;
  };

  async function listBody(repoId: number, repo: RepoName, url: URL): Promise<Html> {
    const query = listQuery(url.searchParams);
    const toMs = weekStart(now()) + WEEK_MS;
    const fromMs = toMs - CHART_WEEKS * WEEK_MS;
    const [result, labels, weekly] = await Promise.all([
      deps.queries.clusters(
        repoId,
        { openOnly: query.state === 'open', ...(query.label ? { label: query.label } : {}), ...(query.q ? { text: query.q } : {}) },
        { offset: (query.page - 1) * PAGE_SIZE, limit: PAGE_SIZE },
      ),
      deps.queries.labels(repoId),
      deps.queries.weeklyReports(repoId, fromMs, toMs),
    ]);
    const chart = renderChart(chartSeries(weekly, settings.componentPrefixes), fromMs);
    return renderList({ repo, githubUrl: settings.githubUrl, query, result, pageSize: PAGE_SIZE, labels, chart });
  }

  async function clusterBody(repoId: number, repo: RepoName, fingerprint: string): Promise<Html | undefined> {
    const cluster = await deps.queries.cluster(repoId, fingerprint);
    return cluster && renderCluster(repo, settings.githubUrl, cluster);
  }

  function notFound(res: ServerResponse, viewer: Viewer, repo: RepoName, headers: Record<string, string> = {}): true {
    const hint = viewer.login
      ? html`<p>You are signed in as <strong>${viewer.login}</strong>; if this is a private repository, GitHub does not let this account read it.</p>`
      : viewer.canSignIn
        ? html`<p>If this is a private repository, <a href="${signInPath(viewer.path)}">sign in with GitHub</a> to see it.</p>`
        : '';
    send(
      res,
      404,
      page('race-triage: no such race dashboard', viewer, html`<h1>No race dashboard here</h1><p>race-triage has no races to show for <code>${repo.owner}/${repo.repo}</code>: the repository may not exist, may have no race reports yet, or may be private.</p>${hint}`),
      headers,
    );
    return true;
  }

  function startSignIn(url: URL, res: ServerResponse): true {
    if (!signIn) {
      send(res, 404, page('race-triage: sign-in', { canSignIn: false, path: RACES_PATH }, html`<h1>Sign-in is not set up</h1><p>This app has no GitHub client id and secret, so only public repositories can be shown.</p>`));
      return true;
    }
    const { state, cookie } = signIn.cookies.startSignIn(safeReturnPath(url.searchParams.get('return')));
    res.writeHead(302, { location: signIn.users.authorizationUrl(state), 'set-cookie': cookie, 'cache-control': 'no-store' }).end();
    return true;
  }

  async function finishSignIn(req: IncomingMessage, url: URL, res: ServerResponse): Promise<true> {
    // The one-time code stays out of the access log.
    req.url = CALLBACK_PATH;
    const started = signIn?.cookies.signIn(req.headers.cookie);
    const code = url.searchParams.get('code');
    const viewer = { canSignIn: signIn !== undefined, path: RACES_PATH };
    if (!signIn || !started || !code || url.searchParams.get('state') !== started.state) {
      send(res, 400, page('race-triage: sign-in', viewer, html`<h1>Sign-in did not complete</h1><p>The sign-in expired or was started elsewhere. <a href="${signInPath(started?.returnTo ?? RACES_PATH)}">Sign in again</a>.</p>`));
      return true;
    }
    try {
      const user = await signIn.users.signIn(code);
      const cookie = signIn.cookies.sessionCookie({ login: user.login, userId: user.id, token: user.token, expiresAt: now() + SESSION_MS });
      deps.log.info({ user: user.login }, 'dashboard sign-in');
      res.writeHead(303, { location: safeReturnPath(started.returnTo), 'set-cookie': [cookie, signIn.cookies.clear(SIGN_IN_COOKIE)], 'cache-control': 'no-store' }).end();
    } catch (error) {
      deps.log.warn({ err: describe(error) }, 'dashboard sign-in failed');
      send(res, 502, page('race-triage: sign-in', viewer, html`<h1>Sign-in did not complete</h1><p>GitHub did not confirm the sign-in. <a href="${signInPath(started.returnTo)}">Try again</a>.</p>`));
    }
    return true;
  }

  async function signOut(req: IncomingMessage, res: ServerResponse): Promise<true> {
    const form = new URLSearchParams(await readBody(req));
    res
      .writeHead(303, { location: safeReturnPath(form.get('return')), 'set-cookie': signIn?.cookies.clear(SESSION_COOKIE) ?? [], 'cache-control': 'no-store' })
      .end();
    return true;
  }
}

function listQuery(params: URLSearchParams): ListQuery {
  const page = Number(params.get('page') ?? '1');
  const label = params.get('label')?.slice(0, 100);
  const q = params.get('q')?.trim().slice(0, 200);
  return {
    state: params.get('state') === 'all' ? 'all' : 'open',
    ...(label ? { label } : {}),
    ...(q ? { q } : {}),
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

/** Monday 00:00 UTC of the week holding `ms`. */
function weekStart(ms: number): number {
  const day = new Date(ms);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  return midnight - ((day.getUTCDay() + 6) % 7) * 24 * 3600 * 1000;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) break;
  }
  return body.slice(0, MAX_FORM_BYTES);
}

/** An error without the request it carried (whose headers hold the user's token). */
function describe(error: unknown): string {
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  return status ? `GitHub ${status}: ${message}` : message;
}
