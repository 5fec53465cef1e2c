/**
 * The app's logger: Probot's (same levels, formats and variables: LOG_LEVEL, LOG_FORMAT,
 * LOG_LEVEL_IN_STRING, LOG_MESSAGE_KEY, SENTRY_DSN), with credentials redacted. Probot logs
 * every HTTP request with its headers; a dashboard session cookie, an Authorization header,
 * or the one-time code of a sign-in callback must not reach the logs.
 */
import { getTransformStream } from '@probot/pino';
import { pino, type Logger, type LoggerOptions } from 'pino';

const REDACTED = '[redacted]';

export const LOG_REDACTION: LoggerOptions['redact'] = {
  paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', 'req.url'],
  censor: (value: unknown, path: string[]) =>
    path.at(-1) === 'url' && typeof value === 'string' ? value.replace(/([?&](?:code|state)=)[^&#]*/g, `$1${REDACTED}`) : REDACTED,
};

export async function appLog(env: NodeJS.ProcessEnv): Promise<Logger> {
  const logFormat = env.LOG_FORMAT ? (env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json') : env.NODE_ENV === 'production' ? 'json' : 'pretty';
  const transform = await getTransformStream({
    logFormat,
    logLevelInString: env.LOG_LEVEL_IN_STRING === 'true',
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino({ level: env.LOG_LEVEL || 'info', name: 'probot', messageKey: env.LOG_MESSAGE_KEY || 'msg', redact: LOG_REDACTION }, transform);
}
