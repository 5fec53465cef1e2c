/**
 * GitHub's REST API as the app and the CLI see it: a little state (config files, labels,
 * issues, comments, permissions, webhook deliveries), a log of every request, and faults a
 * test injects. One implementation of the routes, reached two ways: in-process through nock
 * (`nock-github.ts`) or over a real loopback HTTP server (`http-github.ts`) for a child
 * process. Both speak plain http: no TLS is faked.
 *
 * Every request and every answer is checked against GitHub's OpenAPI description
 * (`openapi.ts`); whatever does not fit is recorded in `problems`, which tests assert empty.
 */
import { createHash } from 'node:crypto';
import { runGraphQL } from './graphql.js';
import { checkRequest, checkResponse } from './openapi.js';

export interface Call {
  method: string;
  /** Path and query, e.g. `/repos/o/r/issues/1/comments?per_page=100`. */
  path: string;
  operationId: string | undefined;
  body: unknown;
  headers: Record<string, string>;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** The status answered (0: the connection was dropped). */
  status?: number;
  /** GitHub carried the request out (whatever it answered). */
  wrote?: boolean;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  /** The app that wrote it (GitHub sets this on comments an app creates). */
  appId?: number;
}

/** What the fake answers: a status, headers and a JSON (or text) body; or a dropped connection. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  /** The connection is reset instead of answered. */
  drop?: boolean;
  /** Answer after this long. */
  delayMs?: number;
  /** Answer once this settles. */
  hold?: Promise<unknown>;
}

/** A failure GitHub really produces, for the next `times` matching requests. */
export interface Fault {
  method: string;
  path: RegExp;
  /** Query parameters the request must carry too (e.g. `{ page: '2' }`). */
  query?: Record<string, string>;
  times: number;
  status?: number;
  headers?: Record<string, string>;
  /** Carry out the request first, then answer with the failure (GitHub wrote the comment, then 502). */
  afterWrite?: boolean;
  /** Reset the connection instead of answering. */
  drop?: boolean;
  /** Answer late (a success unless `status` is given). */
  delayMs?: number;
  /** Called when the fault fires (a test kills the app there). */
  onFire?: () => void;
  /** Called when the fault fires; the answer waits until it settles (a test sets something up first). */
  hold?: () => Promise<unknown>;
}

export interface WebhookDelivery {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  statusCode: number;
  deliveredAt: string;
  redelivery: boolean;
  body: string;
}

export const APP_ID = 1;
export const APP_SLUG = 'race-triage';
export const BOT = { login: `${APP_SLUG}[bot]`, type: 'Bot' as const };
export const INSTALLATION_TOKEN = 'ghs_test';

const API = 'https://api.github.com';
const T0 = '2026-01-01T00:00:00Z';

export function simpleUser(login: string, type = 'User', id = 1): Record<string, unknown> {
  const url = `${API}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}`,
    gravatar_id: '',
    url,
    html_url: `https://github.com/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

function app(): Record<string, unknown> {
  return {
    id: APP_ID,
    slug: APP_SLUG,
    node_id: 'A_1',
    owner: simpleUser('race-triage', 'Organization', 2),
    name: 'race-triage',
    description: 'Data-race triage',
    external_url: 'https://example.com/race-triage',
    html_url: `https://github.com/apps/${APP_SLUG}`,
    created_at: T0,
    updated_at: T0,
    permissions: { issues: 'write', contents: 'read', metadata: 'read', pull_requests: 'read' },
    events: ['issues', 'issue_comment', 'pull_request', 'push'],
  };
}

function label(name: string, i: number): Record<string, unknown> {
  return { id: i + 1, node_id: `L_${i + 1}`, url: `${API}/labels/${encodeURIComponent(name)}`, name, description: null, color: 'ededed', default: false };
}

export class FakeGitHub {
  /** Installation requests, in order (token requests are in `tokenCalls`, app requests in `appCalls`). */
  readonly calls: Call[] = [];
  readonly tokenCalls: Call[] = [];
  readonly appCalls: Call[] = [];
  readonly problems: string[] = [];
  readonly faults: Fault[] = [];
  /** `owner/repo` -> the text of `.github/race-triage.yml` there; `owner/repo:path` for other files. */
  readonly configs = new Map<string, string>();
  /** `owner/repo` -> files of its default branch (path -> text), as the git tree and blob APIs list and return them. */
  readonly branchFiles = new Map<string, Map<string, string>>();
  /** `owner/repo` whose recursive tree listing GitHub cuts short (`truncated: true`, only the first half listed). */
  readonly truncatedTrees = new Set<string>();
  /** `owner/repo` -> the repository's labels. */
  readonly repoLabels = new Map<string, string[]>();
  /** `owner/repo` -> the issues the listing (backfill) returns, oldest first. */
  readonly histories = new Map<string, Record<string, unknown>[]>();
  /** `owner/repo` -> private. */
  readonly privateRepos = new Set<string>();
  /** `owner/repo#n` -> comments on the issue. */
  readonly comments = new Map<string, FakeComment[]>();
  /** `owner/repo#n` -> labels on the issue. */
  readonly issueLabels = new Map<string, string[]>();
  /** `owner/repo#n` -> the issue as `GET /repos/{owner}/{repo}/issues/{n}` returns it. */
  readonly issues = new Map<string, Record<string, unknown>>();
  /** login -> `role_name` (absent: not a collaborator, 404). */
  readonly roles = new Map<string, string>();
  readonly reactions: { commentId: number; content: string }[] = [];
  /** A user access token (the dashboard's sign-in) -> its user (`GET /user`). */
  readonly users = new Map<string, { login: string; id: number }>();
  /** `owner/repo` -> logins that may read it (`GET /repos/{owner}/{repo}` with a user token). */
  readonly readers = new Map<string, Set<string>>();
  /** The app's webhook deliveries as GitHub lists them, newest last. */
  readonly deliveries: WebhookDelivery[] = [];
  /** `owner/repo#n` -> the issue it was marked a duplicate of (GraphQL `MarkedAsDuplicateEvent`), and by whom. */
  readonly markedDuplicates = new Map<string, { canonical: number; actor: string }>();
  /** `owner/repo` -> its pull requests as the listing (backfill) returns them, oldest first. */
  readonly pulls = new Map<string, Record<string, unknown>[]>();
  /** Sends a redelivery to the app (set by whoever delivers webhooks). */
  redeliver?: (delivery: WebhookDelivery) => Promise<number>;
  #nextCommentId = 1000;
  #nextDeliveryId = 1;

  /** Installation requests by `METHOD path` (without the query), the way a test reads them. */
  get requests(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path.split('?')[0]}`);
  }

  commentsOn(issue: string): FakeComment[] {
    return this.comments.get(issue) ?? [];
  }

  addComment(issue: string, body: string, user: FakeComment['user'], appId?: number): FakeComment {
    const comment: FakeComment = { id: this.#nextCommentId++, body, user, ...(appId === undefined ? {} : { appId }) };
    this.comments.set(issue, [...this.commentsOn(issue), comment]);
    return comment;
  }

  /** What GitHub holds after an event: the issue's text and state (labels and comments are kept separately). */
  rememberIssue(repo: string, issue: { number: number; labels?: { name: string }[] } & Record<string, unknown>): void {
    const key = `${repo.toLowerCase()}#${issue.number}`;
    this.issues.set(key, issue);
    if (!this.issueLabels.has(key)) this.issueLabels.set(key, (issue.labels ?? []).map((l) => l.name));
  }

  labelsOn(issue: string): string[] {
    return this.issueLabels.get(issue) ?? [];
  }

  /** Records a webhook delivery GitHub made, as the deliveries API will list it. */
  recordDelivery(guid: string, event: string, body: string, statusCode: number, redelivery = false): WebhookDelivery {
    let action: string | null = null;
    try {
      action = (JSON.parse(body) as { action?: string }).action ?? null;
    } catch {
      // A test's deliberately broken body.
    }
    const delivery = { id: this.#nextDeliveryId++, guid, event, action, statusCode, deliveredAt: new Date().toISOString(), redelivery, body };
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Injects a fault for the next `times` requests (default 1) matching method and path. */
  fail(fault: Omit<Fault, 'times'> & { times?: number }): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** One request, from whichever transport: checks it, routes it, checks the answer. */
  handle(method: string, uri: string, rawBody: string, headers: Record<string, string>): Reply {
    try {
      return this.#handle(method, uri, rawBody, headers);
    } catch (error) {
      this.problems.push(`${method} ${uri}: the fake failed: ${String(error)}`);
      return { status: 500, headers: {}, body: { message: 'the fake failed' } };
    }
  }

  #handle(method: string, uri: string, rawBody: string, headers: Record<string, string>): Reply {
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      this.problems.push(`${method} ${uri}: body is not JSON`);
      return { status: 400, headers: {}, body: { message: 'Problems parsing JSON' } };
    }
    if (method === 'POST' && uri.split('?')[0] === '/graphql') return this.#graphql(body, headers);
    const check = checkRequest(method, uri, body);
    this.problems.push(...check.problems);
    const call: Call = { method, path: uri, operationId: check.operationId, body, headers, at: Date.now() };
    const jwt = /^bearer /i.test(headers.authorization ?? '');
    if (check.operationId === 'apps/create-installation-access-token') this.tokenCalls.push(call);
    else if (jwt) this.appCalls.push(call);
    else this.calls.push(call);
    if (check.problems.length > 0 || check.index === undefined) return { status: 422, headers: {}, body: { message: check.problems.join('; ') } };
    if (jwt !== check.operationId!.startsWith('apps/')) {
      this.problems.push(`${method} ${uri}: sent ${jwt ? 'as the app' : 'as an installation'}`);
    }

    const url = new URL(uri, API);
    const fault = this.faults.find(
      (f) => f.times > 0 && f.method === method && f.path.test(url.pathname) && Object.entries(f.query ?? {}).every(([k, v]) => url.searchParams.get(k) === v),
    );
    if (fault) fault.times--;
    fault?.onFire?.();
    let reply: Reply;
    call.wrote = !(fault && !fault.afterWrite && fault.status !== undefined);
    if (!call.wrote) reply = { status: fault!.status!, headers: {}, body: { message: errorMessage(fault!.status!, fault!.headers) } };
    else {
      reply = this.#route(check.operationId!, url.pathname, url.searchParams, body, headers);
      call.wrote = reply.status < 400;
      if (fault?.afterWrite && fault.status !== undefined) reply = { status: fault.status, headers: {}, body: { message: errorMessage(fault.status, fault.headers) } };
    }
    if (fault) {
      reply = {
        ...reply,
        headers: { ...reply.headers, ...fault.headers },
        ...(fault.drop ? { drop: true } : {}),
        ...(fault.delayMs ? { delayMs: fault.delayMs } : {}),
        ...(fault.hold ? { hold: fault.hold() } : {}),
      };
    }
    call.status = reply.drop ? 0 : reply.status;
    if (!reply.drop) {
      const json = !String(reply.headers['content-type'] ?? 'application/json').includes('raw');
      this.problems.push(...checkResponse(check.index, reply.status, reply.body, json));
    }
    return reply;
  }

  #route(operationId: string, path: string, query: URLSearchParams, body: any, headers: Record<string, string>): Reply {
    const ok = (status: number, value?: unknown, extra: Record<string, string | undefined> = {}): Reply => ({ status, headers: extra as Record<string, string>, ...(value === undefined ? {} : { body: value }) });
    const [, , owner, repo, ...rest] = path.split('/').map(decodeURIComponent);
    const repoKey = `${owner}/${repo}`.toLowerCase();
    const issueKey = `${repoKey}#${rest[1]}`;
    switch (operationId) {
      case 'apps/get-authenticated':
        return ok(200, app());
      case 'apps/create-installation-access-token':
        return ok(201, { token: INSTALLATION_TOKEN, expires_at: '2099-01-01T00:00:00Z', permissions: { issues: 'write' } });
      case 'apps/list-webhook-deliveries': {
        const newestFirst = [...this.deliveries].reverse();
        const perPage = Number(query.get('per_page') ?? 30);
        const start = Number(query.get('cursor') ?? 0);
        const page = newestFirst.slice(start, start + perPage).map((d) => ({
          id: d.id,
          guid: d.guid,
          delivered_at: d.deliveredAt,
          redelivery: d.redelivery,
          duration: 0.01,
          status: d.statusCode >= 200 && d.statusCode < 300 ? 'OK' : d.statusCode === 0 ? 'failed to connect' : `Invalid HTTP Response: ${d.statusCode}`,
          status_code: d.statusCode,
          event: d.event,
          action: d.action,
          installation_id: 4242,
          repository_id: 1,
        }));
        const next = start + perPage < newestFirst.length ? { link: `<${API}/app/hook/deliveries?per_page=${perPage}&cursor=${start + perPage}>; rel="next"` } : {};
        return ok(200, page, next);
      }
      case 'apps/redeliver-webhook-delivery': {
        const original = this.deliveries.find((d) => d.id === Number(path.split('/')[4]));
        if (!original) return ok(404, { message: 'Not Found' });
        void this.redeliver?.(original).then((status) => this.recordDelivery(original.guid, original.event, original.body, status, true));
        return ok(202, {});
      }
      case 'users/get-authenticated': {
        const user = this.#userOf(headers);
        if (!user) return ok(401, { message: 'Bad credentials' });
        const u = { ...simpleUser(user.login, 'User', user.id), name: null, company: null, blog: '', location: null, email: null, hireable: null, bio: null, public_repos: 0, public_gists: 0, followers: 0, following: 0, created_at: T0, updated_at: T0 };
        return ok(200, u);
      }
      case 'repos/get': {
        // A dashboard user's token: the repository is found only by those who may read it.
        const user = this.#userOf(headers);
        if (user && !this.readers.get(repoKey)?.has(user.login)) return ok(404, { message: 'Not Found' });
        return ok(200, fullRepository(owner!, repo!, user ? true : this.privateRepos.has(repoKey)));
      }
      case 'repos/get-content': {
        const file = rest.slice(1).join('/');
        const text = this.configs.get(file === '.github/race-triage.yml' ? repoKey : `${repoKey}:${file}`);
        if (text === undefined) return ok(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content' });
        const etag = `"${Buffer.from(text).toString('base64url').slice(0, 16)}-${text.length}"`;
        if (headers['if-none-match'] === etag) return ok(304);
        return ok(200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8', etag });
      }
      case 'git/get-tree': {
        const files = [...(this.branchFiles.get(repoKey) ?? new Map<string, string>())].sort(([a], [b]) => a.localeCompare(b));
        if (files.length === 0) return ok(409, { message: 'Git Repository is empty.', documentation_url: 'https://docs.github.com/rest/git/trees#get-a-tree' });
        const dirs = [...new Set(files.flatMap(([path]) => path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))];
        const entries = [
          ...dirs.map((path) => ({ path, mode: '040000', type: 'tree', sha: gitSha('tree', path), url: `${API}/repos/${repoKey}/git/trees/${gitSha('tree', path)}` })),
          ...files.map(([path, text]) => ({ path, mode: '100644', type: 'blob', sha: gitSha('blob', text), size: Buffer.byteLength(text), url: `${API}/repos/${repoKey}/git/blobs/${gitSha('blob', text)}` })),
        ].sort((a, b) => a.path.localeCompare(b.path));
        const truncated = this.truncatedTrees.has(repoKey);
        const root = gitSha('tree', files.map(([path, text]) => `${path}\n${text}`).join('\n'));
        return ok(200, { sha: root, url: `${API}/repos/${repoKey}/git/trees/${root}`, truncated, tree: truncated ? entries.slice(0, Math.ceil(entries.length / 2)) : entries });
      }
      case 'git/get-blob': {
        const sha = rest[2]!;
        const text = [...(this.branchFiles.get(repoKey)?.values() ?? [])].find((t) => gitSha('blob', t) === sha);
        if (text === undefined) return ok(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/git/blobs#get-a-blob' });
        const content = Buffer.from(text).toString('base64');
        return ok(200, { sha, node_id: `B_${sha.slice(0, 8)}`, url: `${API}/repos/${repoKey}/git/blobs/${sha}`, size: Buffer.byteLength(text), content, encoding: 'base64' });
      }
      case 'issues/list-labels-for-repo':
        return ok(200, (this.repoLabels.get(repoKey) ?? []).map(label));
      case 'issues/list-for-repo': {
        const items = this.histories.get(repoKey) ?? [];
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(items.length / perPage));
        const link = (p: number) => `<${API}/repositories/1/issues?state=all&per_page=${perPage}&page=${p}>`;
        const links = page < last ? { link: `${link(page + 1)}; rel="next", ${link(last)}; rel="last"` } : {};
        return ok(200, items.slice((page - 1) * perPage, page * perPage).map((i) => this.#issue(repoKey, i)), links);
      }
      case 'pulls/list': {
        // Closed pull requests, in the order asked for (the fake's list is oldest first).
        const all = [...(this.pulls.get(repoKey) ?? [])].filter((p) => query.get('state') !== 'closed' || p.state === 'closed');
        if (query.get('sort') === 'updated' && query.get('direction') === 'desc') all.sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const more = page * perPage < all.length ? { link: `<${API}/repos/${repoKey}/pulls?state=closed&per_page=${perPage}&page=${page + 1}>; rel="next"` } : {};
        return ok(200, all.slice((page - 1) * perPage, page * perPage), more);
      }
      case 'issues/get': {
        const issue = this.issues.get(issueKey);
        if (!issue) return ok(404, { message: 'Not Found' });
        return ok(200, this.#issue(repoKey, { ...issue, labels: this.labelsOn(issueKey), comments: this.commentsOn(issueKey).length }));
      }
      case 'issues/list-comments': {
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const all = this.commentsOn(issueKey);
        const more = page * perPage < all.length ? { link: `<${API}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {};
        return ok(200, all.slice((page - 1) * perPage, page * perPage).map((c) => this.#comment(issueKey, c)), more);
      }
      case 'issues/list-comments-for-repo': {
        // Every comment of the repository, oldest first, as the backfill asks (`since` ignored: the fake's are all new).
        const perPage = Number(query.get('per_page') ?? 30);
        const page = Number(query.get('page') ?? 1);
        const all = [...this.comments.entries()]
          .filter(([key]) => key.startsWith(`${repoKey}#`))
          .flatMap(([key, list]) => list.map((c) => ({ key, c })))
          .sort((a, b) => a.c.id - b.c.id);
        const link = (p: number) => `<${API}/repos/${repoKey}/issues/comments?per_page=${perPage}&page=${p}>`;
        const more = page * perPage < all.length ? { link: `${link(page + 1)}; rel="next"` } : {};
        return ok(200, all.slice((page - 1) * perPage, page * perPage).map(({ key, c }) => this.#comment(key, c)), more);
      }
      case 'issues/create-comment':
        // An installation token writes as the app: GitHub marks the comment with it.
        return ok(201, this.#comment(issueKey, this.addComment(issueKey, body.body, BOT, APP_ID)));
      case 'issues/update-comment': {
        const id = Number(rest[2]);
        const entry = [...this.comments.entries()].find(([, list]) => list.some((c) => c.id === id));
        const comment = entry?.[1].find((c) => c.id === id);
        if (!comment) return ok(404, { message: 'Not Found' });
        comment.body = body.body;
        return ok(200, this.#comment(entry![0], comment));
      }
      case 'issues/add-labels': {
        const names = (body.labels as (string | { name: string })[]).map((l) => (typeof l === 'string' ? l : l.name));
        const added = names.filter((l) => !this.labelsOn(issueKey).includes(l));
        this.issueLabels.set(issueKey, [...this.labelsOn(issueKey), ...added]);
        return ok(200, this.labelsOn(issueKey).map(label));
      }
      case 'issues/remove-label': {
        const name = rest[3]!;
        if (!this.labelsOn(issueKey).includes(name)) return ok(404, { message: 'Label does not exist' });
        this.issueLabels.set(issueKey, this.labelsOn(issueKey).filter((l) => l !== name));
        return ok(200, this.labelsOn(issueKey).map(label));
      }
      case 'repos/get-collaborator-permission-level': {
        const role = this.roles.get(rest[1]!);
        if (!role) return ok(404, { message: 'Not Found' });
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
        return ok(200, { permission, role_name: role, user: { ...simpleUser(rest[1]!), role_name: role, permissions: { admin: false, maintain: false, push: false, triage: false, pull: true } } });
      }
      case 'reactions/create-for-issue-comment':
        this.reactions.push({ commentId: Number(rest[2]), content: body.content });
        return ok(201, { id: this.reactions.length, node_id: `R_${this.reactions.length}`, user: simpleUser(BOT.login, 'Bot'), content: body.content, created_at: T0 });
      default:
        return ok(501, { message: `${operationId} is not faked` });
    }
  }

  /** A GraphQL request: validated against GitHub's schema and run over the fake's state. */
  #graphql(body: unknown, headers: Record<string, string>): Reply {
    const call: Call = { method: 'POST', path: '/graphql', operationId: 'graphql', body, headers, at: Date.now() };
    this.calls.push(call);
    const fault = this.faults.find((f) => f.times > 0 && f.method === 'POST' && f.path.test('/graphql'));
    if (fault) {
      fault.times--;
      fault.onFire?.();
      if (fault.status !== undefined && !fault.afterWrite) {
        call.status = fault.status;
        call.wrote = false;
        return { status: fault.status, headers: {}, body: { message: errorMessage(fault.status, fault.headers) } };
      }
    }
    const answer = runGraphQL(body, this.#graphqlRoot());
    this.problems.push(...answer.problems);
    call.wrote = answer.problems.length === 0;
    call.status = fault?.status ?? 200;
    if (fault?.status !== undefined) return { status: fault.status, headers: {}, body: { message: errorMessage(fault.status, fault.headers) } };
    return { status: 200, headers: {}, body: answer.body };
  }

  /** The fields the app reads, resolved over the fake's state; GraphQL's execution checks their shapes. */
  #graphqlRoot(): Record<string, unknown> {
    const byNodeId = (id: string) => [...this.issues.entries()].find(([, issue]) => issue.node_id === id);
    const issueNode = (key: string, issue: Record<string, unknown>) => ({
      __typename: 'Issue',
      id: issue.node_id,
      number: issue.number,
      state: issue.state === 'closed' ? 'CLOSED' : 'OPEN',
      stateReason: typeof issue.state_reason === 'string' ? issue.state_reason.toUpperCase() : null,
      repository: { nameWithOwner: key.split('#')[0] },
      timelineItems: ({ itemTypes }: { itemTypes?: string[] }) => {
        const marked = this.markedDuplicates.get(key);
        const nodes =
          marked && (!itemTypes || itemTypes.includes('MARKED_AS_DUPLICATE_EVENT'))
            ? [
                {
                  __typename: 'MarkedAsDuplicateEvent',
                  id: `MADE_${key}`,
                  createdAt: T0,
                  isCrossRepository: false,
                  actor: { __typename: 'User', login: marked.actor },
                  canonical: this.issues.has(`${key.split('#')[0]}#${marked.canonical}`)
                    ? issueNode(`${key.split('#')[0]}#${marked.canonical}`, this.issues.get(`${key.split('#')[0]}#${marked.canonical}`)!)
                    : null,
                },
              ]
            : [];
        return { nodes, totalCount: nodes.length };
      },
    });
    return {
      repository: ({ owner, name }: { owner: string; name: string }) => ({
        nameWithOwner: `${owner}/${name}`,
        issue: ({ number }: { number: number }) => {
          const key = `${owner}/${name}`.toLowerCase() + `#${number}`;
          const issue = this.issues.get(key);
          return issue ? issueNode(key, issue) : null;
        },
      }),
      closeIssue: ({ input }: { input: { issueId: string; stateReason?: string; duplicateIssueId?: string } }) => {
        const found = byNodeId(input.issueId);
        if (!found) throw new Error(`Could not resolve to a node with the global id of '${input.issueId}'`);
        const [key, issue] = found;
        const duplicateOf = input.duplicateIssueId ? byNodeId(input.duplicateIssueId) : undefined;
        if (input.duplicateIssueId && !duplicateOf) throw new Error(`Could not resolve to a node with the global id of '${input.duplicateIssueId}'`);
        const closed = { ...issue, state: 'closed', state_reason: (input.stateReason ?? 'COMPLETED').toLowerCase() };
        this.issues.set(key, closed);
        if (duplicateOf) this.markedDuplicates.set(key, { canonical: Number(duplicateOf[1].number), actor: BOT.login });
        return { issue: issueNode(key, closed) };
      },
    };
  }

  #userOf(headers: Record<string, string>): { login: string; id: number } | undefined {
    const token = /^(?:token|bearer) (.+)$/i.exec(headers.authorization ?? '')?.[1];
    return token === undefined ? undefined : this.users.get(token);
  }

  #issue(repoKey: string, issue: Record<string, unknown>): Record<string, unknown> {
    const labels = ((issue.labels ?? []) as (string | { name: string })[]).map((l, i) => label(typeof l === 'string' ? l : l.name, i));
    const { draft: _draft, ...rest } = issue;
    return { ...rest, labels, repository_url: `${API}/repos/${repoKey}` };
  }

  #comment(issueKey: string, c: FakeComment): Record<string, unknown> {
    const [repoKey, number] = issueKey.split('#');
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${API}/repos/${repoKey}/issues/comments/${c.id}`,
      html_url: `https://github.com/${repoKey}/issues/${number}#issuecomment-${c.id}`,
      issue_url: `${API}/repos/${repoKey}/issues/${number}`,
      body: c.body,
      user: simpleUser(c.user.login, c.user.type),
      created_at: T0,
      updated_at: T0,
      author_association: 'NONE',
      performed_via_github_app: c.appId === APP_ID ? app() : null,
    };
  }
}

/** Git's object name: the SHA-1 of the object's header and content. */
function gitSha(kind: 'blob' | 'tree', content: string): string {
  const bytes = Buffer.from(content);
  return createHash('sha1').update(`${kind} ${bytes.length}\0`).update(bytes).digest('hex');
}

/** GitHub's words for the failures tests inject: rate limits say so, as the retry policy reads them. */
function errorMessage(status: number, headers: Record<string, string> | undefined): string {
  if (status === 403 && headers?.['x-ratelimit-remaining'] === '0') return 'API rate limit exceeded for installation ID 4242.';
  if (status === 403) return 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  if (status === 429) return 'Too Many Requests';
  return status >= 500 ? 'Server Error' : 'Error';
}

function fullRepository(owner: string, repo: string, isPrivate: boolean): Record<string, unknown> {
  const url = `${API}/repos/${owner}/${repo}`;
  const urls = Object.fromEntries(
    ['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits', 'compare', 'contents', 'contributors', 'deployments', 'downloads', 'events', 'forks', 'git_commits', 'git_refs', 'git_tags', 'hooks', 'issue_comment', 'issue_events', 'issues', 'keys', 'labels', 'languages', 'merges', 'milestones', 'notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers', 'subscription', 'tags', 'teams', 'trees'].map((k) => [`${k}_url`, `${url}/${k}`]),
  );
  return {
    ...urls,
    id: 1,
    node_id: 'R_1',
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: simpleUser(owner, 'Organization', 3),
    private: isPrivate,
    html_url: `https://github.com/${owner}/${repo}`,
    description: null,
    fork: false,
    url,
    clone_url: `https://github.com/${owner}/${repo}.git`,
    git_url: `git://github.com/${owner}/${repo}.git`,
    ssh_url: `git@github.com:${owner}/${repo}.git`,
    svn_url: `https://github.com/${owner}/${repo}`,
    mirror_url: null,
    homepage: null,
    language: 'Go',
    default_branch: 'master',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: T0,
    created_at: T0,
    updated_at: T0,
    network_count: 0,
    subscribers_count: 0,
  };
}
