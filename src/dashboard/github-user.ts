/**
 * What the dashboard asks GitHub on a user's behalf: the OAuth web flow of the GitHub App
 * (user authorization), who the user is, and whether they can read a repository. Answers
 * on access are cached briefly, so paging through a private repository costs one request
 * a minute. Tokens are sent in headers only, never in a URL, and never logged.
 */
import { Octokit } from '@octokit/rest';
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from '@octokit/oauth-methods';
import { LRUCache } from 'lru-cache';
import { CALLBACK_PATH } from './links.js';
import type { DashboardSettings } from './settings.js';

/** How long "this user can (not) read this repository" is believed. */
export const ACCESS_TTL_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

export type Access = 'read' | 'none' | 'signed-out';

export interface GitHubUser {
  login: string;
  id: number;
  token: string;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export class GitHubUsers {
  readonly #octokit: Octokit;
  readonly #access: LRUCache<string, Exclude<Access, 'signed-out'>>;

  constructor(
    private readonly settings: DashboardSettings & { oauth: NonNullable<DashboardSettings['oauth']>; publicUrl: string },
    now: () => number = Date.now,
  ) {
    this.#octokit = new Octokit({
      baseUrl: settings.apiUrl,
      userAgent: 'race-triage dashboard',
      log: quiet,
      request: { fetch: ((input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })) as typeof fetch },
    });
    this.#access = new LRUCache({ max: 10_000, ttl: ACCESS_TTL_MS, perf: { now } });
  }

  get redirectUrl(): string {
    return `${this.settings.publicUrl}${CALLBACK_PATH}`;
  }

  /** GitHub's page that asks the user to authorize the app, then returns to the callback with `state`. */
  authorizationUrl(state: string): string {
    return getWebFlowAuthorizationUrl({
      clientType: 'github-app',
      clientId: this.settings.oauth.clientId,
      redirectUrl: this.redirectUrl,
      state,
      request: this.#octokit.request,
    }).url;
  }

  /** Trades the callback's one-time code for the user's token, and asks who they are. */
  async signIn(code: string): Promise<GitHubUser> {
    const { authentication } = await exchangeWebFlowCode({
      clientType: 'github-app',
      clientId: this.settings.oauth.clientId,
      clientSecret: this.settings.oauth.clientSecret,
      code,
      redirectUrl: this.redirectUrl,
      request: this.#octokit.request,
    });
    const { data } = await this.#octokit.request('GET /user', { headers: { authorization: `token ${authentication.token}` } });
    return { login: data.login, id: Number(data.id), token: authentication.token };
  }

  /** Whether the user can read `owner/repo`, as GitHub answers for their token. */
  async access(user: { userId: number; token: string }, owner: string, repo: string): Promise<Access> {
    const key = `${user.userId}\n${owner}/${repo}`.toLowerCase();
    const cached = this.#access.get(key);
    if (cached) return cached;
    try {
      await this.#octokit.request('GET /repos/{owner}/{repo}', { owner, repo, headers: { authorization: `token ${user.token}` } });
      this.#access.set(key, 'read');
      return 'read';
    } catch (error) {
      const status = (error as { status?: number }).status;
      // Expired or revoked: the session is over.
      if (status === 401) return 'signed-out';
      if (status === 403 || status === 404) {
        this.#access.set(key, 'none');
        return 'none';
      }
      throw error;
    }
  }
}
