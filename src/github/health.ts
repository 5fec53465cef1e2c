/**
 * `GET /healthz`: 200 with a JSON status when the race index answers, 503 when it does not.
 * Docker's HEALTHCHECK and load balancers poll it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RaceIndex } from '../store/types.js';

export const HEALTH_PATH = '/healthz';

/** A read that touches the database without depending on any stored issue. */
const PROBE = { installationId: 0, repo: 'race-triage/healthz', number: 0 };

export function healthHandler(index: RaceIndex, backend: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || (req.url ?? '').split('?', 1)[0] !== HEALTH_PATH) return false;
    let indexStatus = 'ok';
    try {
      await index.getIssue(PROBE);
    } catch (error) {
      indexStatus = error instanceof Error ? error.message : String(error);
    }
    const ok = indexStatus === 'ok';
    res
      .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', index: { backend, status: indexStatus } }));
    return true;
  };
}
