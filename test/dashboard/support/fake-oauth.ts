/**
 * GitHub's OAuth token endpoint (`POST {githubUrl}/login/oauth/access_token`) behind nock,
 * over plain http as the rest of the fake GitHub. It is not in GitHub's REST description, so each request is checked against the
 * documented web flow: the app's client id and secret, a code GitHub handed out for that
 * client, and the same redirect URI; the answer is the documented JSON for a GitHub App.
 */
import nock from 'nock';

export class FakeOAuth {
  /** One-time code -> the user token it is exchanged for. */
  readonly codes = new Map<string, string>();
  readonly problems: string[] = [];
  exchanges = 0;

  readonly #interceptor: nock.Interceptor;

  constructor(githubUrl: string, clientId: string, clientSecret: string, redirectUri: string) {
    this.#interceptor = nock(githubUrl).persist().post('/login/oauth/access_token');
    this.#interceptor
      .reply(async (request: unknown) => {
        const req = request as Request;
        const text = await req.text();
        const body = (req.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(text));
        this.exchanges++;
        if (req.headers.get('accept') !== 'application/json') this.problems.push('token request without accept: application/json');
        for (const key of Object.keys(body)) if (!['client_id', 'client_secret', 'code', 'redirect_uri'].includes(key)) this.problems.push(`unknown parameter ${key}`);
        if (body.client_id !== clientId || body.client_secret !== clientSecret) return [200, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: 'https://docs.github.com' }];
        if (body.redirect_uri !== redirectUri) return [200, { error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.', error_uri: 'https://docs.github.com' }];
        const token = this.codes.get(body.code ?? '');
        // A code works once.
        this.codes.delete(body.code ?? '');
        if (!token) return [200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: 'https://docs.github.com' }];
        return [
          200,
          { access_token: token, expires_in: 28800, refresh_token: `ghr_${token}`, refresh_token_expires_in: 15897600, scope: '', token_type: 'bearer' },
          { date: new Date().toUTCString() },
        ];
      });
  }

  close(): void {
    nock.removeInterceptor(this.#interceptor);
  }
}
