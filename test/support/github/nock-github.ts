/**
 * The fake GitHub in the test process, behind nock at a plain-http base URL (no TLS is faked:
 * faking TLS sessions under Node 20 corrupted OpenSSL's state for later key imports). The app
 * under test points its Octokit here (`baseUrl`).
 *
 * A slow answer (a fault's `delayMs`) is a reply that waits: nock 15.0.0's `.delay()` does
 * not let a fetch be aborted while it waits, and the app's aborts are what is under test.
 * `close()` ends whatever is still waiting with `nock.abortPendingRequests()`.
 */
import nock from 'nock';
import { FakeGitHub } from './fake-github.js';

export const NOCK_GITHUB = 'http://github.test';

export class NockGitHub extends FakeGitHub {
  readonly base = NOCK_GITHUB;
  #scope: nock.Interceptor[] = [];

  constructor() {
    super();
    this.#install();
  }

  /** Ends the catch-all (and any pending request); call in `afterEach`. */
  close(): void {
    nock.abortPendingRequests();
    this.#uninstall();
  }

  #reply(method: string) {
    // nock 15 hands the reply function a fetch `Request`.
    return async (request: Request) => {
      const url = new URL(request.url);
      const answer = this.handle(method, url.pathname + url.search, await request.text(), Object.fromEntries(request.headers));
      if (answer.drop) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs).unref());
      await answer.hold;
      const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
      return [answer.status, text, { 'content-type': 'application/json; charset=utf-8', ...answer.headers }] as [number, string, Record<string, string>];
    };
  }

  #install(): void {
    // GitHub's REST API; the OAuth web flow (`/login/oauth/...`, not REST) is another fake's.
    this.#scope = ['GET', 'POST', 'PATCH', 'DELETE'].map((method) => nock(this.base).persist().intercept(/^(?!\/login\/)/, method));
    for (const [i, interceptor] of this.#scope.entries()) interceptor.reply(this.#reply(['GET', 'POST', 'PATCH', 'DELETE'][i]!));
  }

  #uninstall(): void {
    for (const interceptor of this.#scope) nock.removeInterceptor(interceptor);
    this.#scope = [];
  }
}
