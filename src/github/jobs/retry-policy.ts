/**
 * Which failures are worth another attempt, and when. Transient: GitHub 5xx, request
 * timeouts and dropped connections, 403/429 rate limits (honouring `retry-after` and
 * `x-ratelimit-reset`), a busy SQLite file or a lost PostgreSQL connection. Everything
 * else (404, 410, 422, bugs) is permanent: retrying would only repeat it.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0,1); injectable so tests are deterministic. */
  random?: () => number;
  now?: () => number;
}

/** Thrown by work that must pause (a spent rate limit): the job comes back after `waitMs`. */
export class RetryAfter extends Error {
  override name = 'RetryAfter';
  constructor(readonly waitMs: number, reason: string) {
    super(reason);
  }
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 5 * 60_000 };

export type RetryVerdict = { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

interface Classified {
  transient: boolean;
  /** A wait the server asked for, in ms. */
  waitMs?: number;
  reason: string;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// PostgreSQL: connection exceptions (08...), server shutting down or starting (57P0x),
// serialisation failure and deadlock (40001, 40P01), too many connections (53300).
const PG_TRANSIENT = /^(08...|57P0[123]|40001|40P01|53300)$/;
const PG_DROPPED = /connection terminated|connection timeout|connection error|server closed the connection/i;

export function retryVerdict(error: unknown, attempts: number, options: RetryOptions = DEFAULT_RETRY): RetryVerdict {
  // A pause the work asked for is not a failure: it never uses up the attempts.
  if (error instanceof RetryAfter) return { retry: true, delayMs: error.waitMs, reason: error.message };
  const found = classify(error, options.now ?? Date.now);
  if (!found.transient) return { retry: false, reason: `permanent: ${found.reason}` };
  if (attempts >= options.maxAttempts) {
    return { retry: false, reason: `gave up after ${attempts} attempts: ${found.reason}` };
  }
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempts - 1));
  // Equal jitter: half fixed, half random, so a burst of failures does not retry in lockstep.
  const jittered = backoff / 2 + ((options.random ?? Math.random)() * backoff) / 2;
  const delayMs = Math.round(Math.max(jittered, found.waitMs ?? 0));
  return { retry: true, delayMs, reason: found.reason };
}

export function classify(error: unknown, now: () => number = Date.now): Classified {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Probot runs every handler and aggregates their errors: retry when any is transient.
    const parts = error.errors.map((e) => classify(e, now));
    const transient = parts.filter((p) => p.transient);
    if (transient.length === 0) return { transient: false, reason: parts.map((p) => p.reason).join('; ') };
    return {
      transient: true,
      waitMs: Math.max(0, ...transient.map((p) => p.waitMs ?? 0)),
      reason: transient.map((p) => p.reason).join('; '),
    };
  }
  const e = (error ?? {}) as {
    status?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    response?: { headers?: Record<string, string | number | undefined> };
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.status === 'number') return classifyHttp(e.status, e.response?.headers ?? {}, message, now);
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code)) return { transient: true, reason: `network: ${code}` };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { transient: true, reason: `database busy: ${code}` };
  }
  if (PG_TRANSIENT.test(code)) return { transient: true, reason: `database unavailable: ${code}` };
  if (PG_DROPPED.test(message)) return { transient: true, reason: `database connection lost: ${message}` };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { transient: true, reason: `timeout: ${message}` };
  if (e.cause !== undefined && e.cause !== error) {
    const cause = classify(e.cause, now);
    if (cause.transient) return cause;
  }
  return { transient: false, reason: message };
}

function classifyHttp(
  status: number,
  headers: Record<string, string | number | undefined>,
  message: string,
  now: () => number,
): Classified {
  const reason = `GitHub ${status}: ${message}`;
  const retryAfter = Number(headers['retry-after']);
  if (status >= 500 || status === 408) {
    return Number.isFinite(retryAfter) ? { transient: true, waitMs: retryAfter * 1000, reason } : { transient: true, reason };
  }
  const rateLimited =
    status === 429 ||
    Number.isFinite(retryAfter) ||
    String(headers['x-ratelimit-remaining']) === '0' ||
    /rate limit/i.test(message);
  if ((status === 403 || status === 429) && rateLimited) {
    let waitMs = 60_000; // GitHub's advice when it names no time for a secondary limit
    if (Number.isFinite(retryAfter)) waitMs = retryAfter * 1000;
    else if (headers['x-ratelimit-reset'] !== undefined) waitMs = Number(headers['x-ratelimit-reset']) * 1000 - now();
    return { transient: true, waitMs: Math.max(0, waitMs), reason };
  }
  return { transient: false, reason };
}
