/**
 * GitHub's REST API as the app sees it, behind nock at https://api.github.com: a little
 * state (config files, labels, comments, permissions) and a log of every request. Each
 * request is checked against GitHub's OpenAPI description; a request that fits no
 * operation, or a body that breaks the schema, is recorded in `problems`.
 */
import nock from 'nock';
import { checkRequest } from './openapi.js';

export interface Call {
  method: string;
  /** Path and query, e.g. `/repos/o/r/issues/1/comments?per_page=100`. */
  path: string;
  operationId: string | undefined;
  body: unknown;
  headers: Record<string, string>;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
}

type Reply = [number, unknown?, Record<string, string>?];

export const BOT = { login: 'race-triage[bot]', type: 'Bot' as const };

export class FakeGitHub {
  /** Requests the app made, in order (installation token requests are in `tokenCalls`). */
  readonly calls: Call[] = [];
  readonly tokenCalls: Call[] = [];
  readonly problems: string[] = [];
  /** `owner/repo` -> the text of `.github/race-triage.yml` there; `owner/repo:path` for other files. */
  readonly configs = new Map<string, string>();
  /** `owner/repo` -> the repository's labels. */
  readonly repoLabels = new Map<string, string[]>();
  /** `owner/repo#n` -> comments on the issue. */
  readonly comments = new Map<string, FakeComment[]>();
  /** `owner/repo#n` -> labels on the issue. */
  readonly issueLabels = new Map<string, string[]>();
  /** `owner/repo#n` -> the issue as `GET /repos/{owner}/{repo}/issues/{n}` returns it. */
  readonly issues = new Map<string, Record<string, unknown>>();
  /** login -> `role_name` (absent: not a collaborator, 404). */
  readonly roles = new Map<string, string>();
  readonly reactions: { commentId: number; content: string }[] = [];
  /** A user access token -> its user (`GET /user`). */
  readonly users = new Map<string, { login: string; id: number }>();
  /** `owner/repo` -> logins that may read it (`GET /repos/{owner}/{repo}` with a user token). */
  readonly readers = new Map<string, Set<string>>();
  #nextCommentId = 1000;

  constructor() {
    const scope = nock('https://api.github.com').persist();
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
      // nock 15 hands the reply function a fetch `Request`.
      scope.intercept(/.*/, method).reply(async (request: Request) => {
        const url = new URL(request.url);
        return this.#handle(method, url.pathname + url.search, await request.text(), Object.fromEntries(request.headers));
      });
    }
  }

  /** Requests by `METHOD path` (without the query), the way a test reads them. */
  get requests(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path.split('?')[0]}`);
  }

  commentsOn(issue: string): FakeComment[] {
    return this.comments.get(issue) ?? [];
  }

  addComment(issue: string, body: string, user: FakeComment['user']): FakeComment {
    const comment = { id: this.#nextCommentId++, body, user };
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

  #handle(method: string, uri: string, rawBody: string, headers: Record<string, string>): Reply {
    const body: unknown = rawBody === '' ? undefined : JSON.parse(rawBody);
    const { operationId, problems } = checkRequest(method, uri, body);
    this.problems.push(...problems);
    const call = { method, path: uri, operationId, body, headers };
    if (operationId === 'apps/create-installation-access-token') {
      this.tokenCalls.push(call);
      return [201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: { issues: 'write' } }];
    }
    this.calls.push(call);
    if (problems.length > 0) return [422, { message: problems.join('; ') }];
    return this.#route(operationId!, new URL(uri, 'https://api.github.com').pathname, body, headers);
  }

  #userOf(headers: Record<string, string>): { login: string; id: number } | undefined {
    const token = /^(?:token|bearer) (.+)$/i.exec(headers.authorization ?? '')?.[1];
    return token === undefined ? undefined : this.users.get(token);
  }

  #route(operationId: string, path: string, body: any, headers: Record<string, string>): Reply {
    const [, , owner, repo, ...rest] = path.split('/').map(decodeURIComponent);
    const repoKey = `${owner}/${repo}`.toLowerCase();
    const issueKey = `${repoKey}#${rest[1]}`;
    switch (operationId) {
      case 'repos/get-content': {
        const file = rest.slice(1).join('/');
        const text = this.configs.get(file === '.github/race-triage.yml' ? repoKey : `${repoKey}:${file}`);
        if (text === undefined) return [404, { message: 'Not Found' }];
        const etag = `"${Buffer.from(text).toString('base64url').slice(0, 16)}-${text.length}"`;
        if (headers['if-none-match'] === etag) return [304, ''];
        return [200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8', etag }];
      }
      case 'issues/list-labels-for-repo':
        return [200, (this.repoLabels.get(repoKey) ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed' }))];
      case 'issues/get': {
        const issue = this.issues.get(issueKey);
        if (!issue) return [404, { message: 'Not Found' }];
        return [200, { ...issue, labels: this.labelsOn(issueKey).map((name) => ({ name })), comments: this.commentsOn(issueKey).length }];
      }
      case 'issues/list-comments':
        return [200, this.commentsOn(issueKey)];
      case 'issues/create-comment':
        return [201, this.addComment(issueKey, body.body, BOT)];
      case 'issues/update-comment': {
        const id = Number(rest[2]);
        const comment = [...this.comments.values()].flat().find((c) => c.id === id);
        if (!comment) return [404, { message: 'Not Found' }];
        comment.body = body.body;
        return [200, comment];
      }
      case 'issues/add-labels': {
        const added = (body.labels as string[]).filter((l) => !this.labelsOn(issueKey).includes(l));
        this.issueLabels.set(issueKey, [...this.labelsOn(issueKey), ...added]);
        return [200, this.labelsOn(issueKey).map((name) => ({ name }))];
      }
      case 'issues/remove-label': {
        const name = rest[3]!;
        if (!this.labelsOn(issueKey).includes(name)) return [404, { message: 'Label does not exist' }];
        this.issueLabels.set(issueKey, this.labelsOn(issueKey).filter((l) => l !== name));
        return [200, this.labelsOn(issueKey).map((l) => ({ name: l }))];
      }
      case 'repos/get-collaborator-permission-level': {
        const role = this.roles.get(rest[1]!);
        if (!role) return [404, { message: 'Not Found' }];
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
        return [200, { permission, role_name: role, user: { login: rest[1] } }];
      }
      case 'users/get-authenticated': {
        const user = this.#userOf(headers);
        return user ? [200, { login: user.login, id: user.id, type: 'User' }] : [401, { message: 'Bad credentials' }];
      }
      case 'repos/get': {
        const user = this.#userOf(headers);
        if (!user) return [401, { message: 'Bad credentials' }];
        if (!this.readers.get(repoKey)?.has(user.login)) return [404, { message: 'Not Found' }];
        return [200, { id: 1, name: repo, full_name: `${owner}/${repo}`, private: true, owner: { login: owner } }];
      }
      case 'reactions/create-for-issue-comment':
        this.reactions.push({ commentId: Number(rest[2]), content: body.content });
        return [201, { id: this.reactions.length, content: body.content }];
      default:
        return [501, { message: `${operationId} is not faked` }];
    }
  }
}
