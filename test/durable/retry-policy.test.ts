import { describe, expect, it } from '@jest/globals';
import { RequestError } from '@octokit/request-error';
import { RetryAfter, retryVerdict, type RetryOptions } from '../../src/github/jobs/retry-policy.js';

const options: RetryOptions = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000, random: () => 0.5, now: () => 1_700_000_000_000 };

function githubError(status: number, message: string, headers: Record<string, string> = {}) {
  return new RequestError(message, status, {
    request: { method: 'POST', url: 'https://api.github.com/repos/o/r/issues/1/comments', headers: {} },
    response: { status, url: '', headers, data: { message } },
  });
}

describe('retry verdicts', () => {
  it('retries GitHub 5xx with doubling, jittered backoff, then gives up at the limit', () => {
    const error = githubError(502, 'Bad Gateway');
    expect(retryVerdict(error, 1, options)).toEqual({ retry: true, delayMs: 750, reason: 'GitHub 502: Bad Gateway' });
    expect(retryVerdict(error, 2, options)).toMatchObject({ retry: true, delayMs: 1_500 });
    expect(retryVerdict(error, 3, options)).toMatchObject({ retry: true, delayMs: 3_000 });
    expect(retryVerdict(error, 4, options)).toEqual({ retry: false, reason: 'gave up after 4 attempts: GitHub 502: Bad Gateway' });
  });

  it('spreads retries of one attempt over half to all of the backoff', () => {
    const error = githubError(500, 'Server Error');
    expect(retryVerdict(error, 3, { ...options, random: () => 0 })).toMatchObject({ delayMs: 2_000 });
    expect(retryVerdict(error, 3, { ...options, random: () => 0.999 })).toMatchObject({ delayMs: 3_998 });
  });

  it('waits as long as a secondary rate limit’s retry-after says', () => {
    const error = githubError(403, 'You have exceeded a secondary rate limit', { 'retry-after': '30' });
    expect(retryVerdict(error, 1, options)).toMatchObject({ retry: true, delayMs: 30_000 });
  });

  it('waits for the rate limit reset when the primary limit is spent', () => {
    const error = githubError(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_700_000_000 + 90) });
    expect(retryVerdict(error, 1, options)).toMatchObject({ retry: true, delayMs: 90_000 });
  });

  it('waits as long as the work asks, however many attempts came before', () => {
    const pause = new RetryAfter(45_000, 'rate limit nearly spent');
    expect(retryVerdict(pause, 1, options)).toEqual({ retry: true, delayMs: 45_000, reason: 'rate limit nearly spent' });
    expect(retryVerdict(pause, 10, options)).toMatchObject({ retry: true, delayMs: 45_000 });
  });

  it('retries 429 and request timeouts', () => {
    expect(retryVerdict(githubError(429, 'Too Many Requests', { 'retry-after': '2' }), 1, options)).toMatchObject({ retry: true, delayMs: 2_000 });
    expect(retryVerdict(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 1, options)).toMatchObject({ retry: true });
  });

  it('fails at once on 404, 422 and a 403 that is not a rate limit', () => {
    expect(retryVerdict(githubError(404, 'Not Found'), 1, options)).toEqual({ retry: false, reason: 'permanent: GitHub 404: Not Found' });
    expect(retryVerdict(githubError(422, 'Validation Failed'), 1, options)).toMatchObject({ retry: false });
    expect(retryVerdict(githubError(403, 'Resource not accessible by integration'), 1, options)).toMatchObject({ retry: false });
  });

  it('retries a busy SQLite file and a lost PostgreSQL connection, not a bug', () => {
    expect(retryVerdict(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }), 1, options)).toMatchObject({ retry: true });
    expect(retryVerdict(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 1, options)).toMatchObject({ retry: true });
    expect(retryVerdict(new Error('Connection terminated unexpectedly'), 1, options)).toMatchObject({ retry: true });
    expect(retryVerdict(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 1, options)).toMatchObject({ retry: true });
    expect(retryVerdict(new TypeError("Cannot read properties of undefined (reading 'body')"), 1, options)).toMatchObject({ retry: false });
  });

  it('retries a run of several handlers when any of them failed transiently', () => {
    const both = new AggregateError([githubError(404, 'Not Found'), githubError(503, 'Unavailable', { 'retry-after': '5' })]);
    expect(retryVerdict(both, 1, options)).toMatchObject({ retry: true, delayMs: 5_000 });
    expect(retryVerdict(new AggregateError([githubError(404, 'Not Found')]), 1, options)).toMatchObject({ retry: false });
  });
});
