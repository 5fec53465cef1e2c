/**
 * The fake GitHub as a real HTTP server on loopback, for an app running in a child process
 * (`node dist/src/main.js` with GHE_HOST pointing here). Same state and routes as the nock one.
 */
import { createServer, type Server } from 'node:http';
import { FakeGitHub } from './fake-github.js';

export class HttpGitHub extends FakeGitHub {
  readonly #server: Server;
  readonly port: number;

  constructor(port: number) {
    super();
    this.port = port;
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      // GitHub Enterprise Server's API lives under /api/v3 (Probot's GHE_HOST).
      const path = (req.url ?? '/').replace(/^\/api\/v3/, '');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const answer = this.handle(req.method ?? 'GET', path, Buffer.concat(chunks).toString('utf8'), headers);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs).unref());
      await answer.hold;
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers }).end(text);
    });
  }

  /** `host:port` for GHE_HOST (with GHE_PROTOCOL=http). */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
