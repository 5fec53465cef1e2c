/**
 * The GitHub client the app runs with, in production and in tests. One owner for retries,
 * time and cancellation: the job (see `jobs/worker.ts` and `jobs/retry-policy.ts`).
 *
 * - Octokit's retry and throttling plugins are off, so every 5xx, 429 and rate-limit 403
 *   reaches the job's retry policy, which puts the job back in the queue until
 *   `retry-after` or `x-ratelimit-reset`, instead of sleeping inside it or sending a write
 *   again without looking at what GitHub already holds.
 * - Every request has a time limit: a request GitHub never answers is aborted and fails as
 *   a timeout (a transient failure).
 * - `forJob` ties every request of a job to the job's `AbortSignal`, so a job past its cap
 *   stops at once.
 */
import { ProbotOctokit } from 'probot';

export const REQUEST_TIMEOUT_MS = 20_000;

export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export function appOctokit(Octokit: typeof ProbotOctokit = ProbotOctokit, timeoutMs = REQUEST_TIMEOUT_MS): typeof ProbotOctokit {
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return abortableFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  // The function form: Probot overwrites an object of defaults (probot/probot#2039).
  return Octokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { enabled: false },
    throttle: { enabled: false },
    request: { ...(options.request as object | undefined), fetch: timedFetch },
  }));
}

/**
 * `fetch` that settles as soon as its signal aborts, whatever the transport underneath does
 * with the signal: the caller stops waiting at once, even on a connection that ignores it.
 */
export const abortableFetch: typeof fetch = (input, init) => {
  const signal = init?.signal;
  if (!signal) return fetch(input, init);
  return new Promise<Response>((resolve, reject) => {
    const aborted = () => reject(reasonOf(signal));
    if (signal.aborted) return aborted();
    const onAbort = aborted;
    signal.addEventListener('abort', onAbort, { once: true });
    fetch(input, init)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
};

/** An abort reason as an Error that says what happened (a timeout arrives as a DOMException). */
function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const message = (reason as { message?: string } | undefined)?.message ?? String(reason);
  return Object.assign(new Error(`request aborted: ${message}`, { cause: reason }), { name: (reason as { name?: string })?.name ?? 'AbortError' });
}

/** Every request `octokit` sends from now on is aborted when `signal` is. */
export function forJob<T extends GitHubClient>(octokit: T, signal: AbortSignal): T {
  octokit.hook.before('request', (options) => {
    signal.throwIfAborted();
    const own = options.request?.signal as AbortSignal | undefined;
    options.request = { ...options.request, signal: own ? AbortSignal.any([own, signal]) : signal };
  });
  return octokit;
}
