/**
 * Parts of Probot that its package does not export but `probot run` itself uses: reading the
 * environment (`.env`, APP_ID, the private key in its three forms, GHE_HOST) and the setup
 * page that registers the app. race-triage runs its own server setup (it serves the
 * webhook path itself, and `/healthz` in setup mode too), so it loads them by file from the
 * installed probot (pinned in package.json; the setup-mode test fails if they move).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface ProbotEnv {
  privateKey: string | undefined;
  appId: number;
  port: number;
  host: string | undefined;
  secret: string | undefined;
  logLevel: string | undefined;
  logFormat: 'json' | 'pretty';
  logLevelInString: boolean;
  logMessageKey: string | undefined;
  baseUrl: string;
}

async function internal<T>(path: string): Promise<T> {
  return (await import(new URL(path, import.meta.resolve('probot')).href)) as T;
}

/** Loads `.env` into the environment (as `probot run` does), then reads Probot's variables. */
export async function readProbotEnv(): Promise<ProbotEnv> {
  const { applyEnv } = await internal<{ applyEnv: () => void }>('./helpers/apply-env.js');
  applyEnv();
  const { readEnvOptions } = await internal<{ readEnvOptions: (env: NodeJS.ProcessEnv) => ProbotEnv }>('./bin/read-env-options.js');
  return readEnvOptions(process.env);
}

/** Probot's setup page (register the app from app.yml, write `.env`). */
export async function setupPage(options: { host: string; port: number; log: Logger }): Promise<() => Promise<Handler>> {
  const { setupAppFactory } = await internal<{ setupAppFactory: (o: typeof options) => () => Promise<Handler> }>('./apps/setup.js');
  return setupAppFactory(options);
}
