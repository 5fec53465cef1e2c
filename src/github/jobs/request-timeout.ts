/**
 * A time limit on every GitHub API request. Octokit sets none, so a request GitHub never
 * answers would hold its job until the job's time cap, which fails it for good. Aborted
 * instead, the request fails as a timeout, and the job is retried with backoff.
 */
import type { ProbotOctokit } from 'probot';

export const REQUEST_TIMEOUT_MS = 20_000;

export function withRequestTimeout(Octokit: typeof ProbotOctokit, timeoutMs = REQUEST_TIMEOUT_MS): typeof ProbotOctokit {
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  // The function form: Probot overwrites an object of defaults (probot/probot#2039).
  return Octokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    request: { ...(options.request as object | undefined), fetch: timedFetch },
  }));
}
