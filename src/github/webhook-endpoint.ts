/**
 * `POST /api/github/webhooks`: the signature is checked over the bytes GitHub sent, those
 * bytes are what the job stores, and nothing is parsed before the signature matches.
 *
 * Answers: 200 once recorded (or known: a redelivery, or an event the app does not act on);
 * 400 for a missing or wrong signature (logged as one warning line), bad JSON or JSON nested
 * deeper than any GitHub payload; 413 for a body over the size cap; 415 for another content
 * type; 503 when the job cannot be recorded (GitHub shows the delivery as failed, and the
 * redelivery scan sends it again).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export const WEBHOOK_PATH = '/api/github/webhooks';
/** GitHub caps payloads at 25 MB; the events the app acts on are far smaller (an issue body is at most 65,536 characters). */
export const MAX_WEBHOOK_BYTES = 4 * 1024 * 1024;
/** GitHub's payloads nest a dozen levels or so. */
export const MAX_WEBHOOK_DEPTH = 64;

export interface VerifiedDelivery {
  id: string;
  name: string;
  /** The signed body, as received. */
  body: string;
  payload: unknown;
}

export type RecordResult = 'recorded' | 'known' | 'not handled';

export interface WebhookEndpointOptions {
  secret: string;
  log: Logger;
  record: (delivery: VerifiedDelivery) => Promise<RecordResult>;
  path?: string;
  maxBytes?: number;
  maxDepth?: number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function webhookEndpoint(options: WebhookEndpointOptions) {
  const path = options.path ?? WEBHOOK_PATH;
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const maxDepth = options.maxDepth ?? MAX_WEBHOOK_DEPTH;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if ((req.url ?? '').split('?', 1)[0] !== path) return false;
    const id = header(req, 'x-github-delivery');
    const name = header(req, 'x-github-event');
    const about = { deliveryId: id, event: name };
    try {
      if (req.method !== 'POST') throw new Refusal(404, `unknown route: ${req.method} ${path}`);
      if (!/^\s*application\/json\s*(;|$)/i.test(header(req, 'content-type') ?? '')) throw new Refusal(415, 'content type must be application/json');
      if (!id || !name) throw new Refusal(400, 'X-GitHub-Delivery and X-GitHub-Event are required');
      const bytes = await readBody(req, maxBytes);
      if (!signatureMatches(options.secret, bytes, header(req, 'x-hub-signature-256'))) {
        options.log.warn(about, 'webhook refused: X-Hub-Signature-256 does not match the body and WEBHOOK_SECRET');
        throw new Refusal(400, 'signature does not match');
      }
      const body = bytes.toString('utf8');
      if (nestingDepth(body) > maxDepth) throw new Refusal(400, `JSON nested deeper than ${maxDepth} levels`);
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        throw new Refusal(400, 'body is not JSON');
      }
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Refusal(400, 'body is not a JSON object');
      let result: RecordResult;
      try {
        result = await options.record({ id, name, body, payload });
      } catch (error) {
        options.log.error({ ...about, err: error }, 'webhook not recorded: the job queue is unavailable');
        throw new Refusal(503, 'the job queue is unavailable; redeliver later');
      }
      if (result === 'known') options.log.info(about, 'redelivery of a recorded webhook: ignored');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      if (error.status !== 400 || !error.message.startsWith('signature')) options.log.warn({ ...about, status: error.status, reason: error.message }, 'webhook refused');
      // The rest of an oversized body is not read; the connection goes with the answer.
      if (error.status === 413) res.setHeader('connection', 'close');
      res.writeHead(error.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    }
    return true;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new Refusal(413, `body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Refusal(413, `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function signatureMatches(secret: string, body: Buffer, signature: string | undefined): boolean {
  if (!signature?.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** How deep arrays and objects nest, in one pass that skips strings: linear, no recursion. */
export function nestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
