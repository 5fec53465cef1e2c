/** The job knobs an operator may turn, read from the environment and checked. */
import { z } from 'zod';
import type { DurableOptions } from './durable.js';

const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number from ${min} to ${max}` })
    .int({ error: `${name} must be a whole number from ${min} to ${max}` })
    .min(min, { error: `${name} must be a whole number from ${min} to ${max}` })
    .max(max, { error: `${name} must be a whole number from ${min} to ${max}` })
    .optional();

const EnvSchema = z.object({
  RACE_TRIAGE_WORKERS: wholeNumber('RACE_TRIAGE_WORKERS', 1, 32),
  RACE_TRIAGE_JOB_TIME_CAP_MS: wholeNumber('RACE_TRIAGE_JOB_TIME_CAP_MS', 1_000, 600_000),
  RACE_TRIAGE_WRITE_SPACING_MS: wholeNumber('RACE_TRIAGE_WRITE_SPACING_MS', 0, 60_000),
  RACE_TRIAGE_REDELIVERY_INTERVAL_MS: wholeNumber('RACE_TRIAGE_REDELIVERY_INTERVAL_MS', 1_000, 3_600_000),
  RACE_TRIAGE_REQUEST_TIMEOUT_MS: wholeNumber('RACE_TRIAGE_REQUEST_TIMEOUT_MS', 1_000, 120_000),
});

export type JobSettings = Pick<DurableOptions, 'worker' | 'writeSpacingMs' | 'redelivery'> & { requestTimeoutMs?: number };

/** Unset or empty variables keep the defaults; a bad value throws an error naming the variable. */
export function jobSettingsFromEnv(env: NodeJS.ProcessEnv): JobSettings {
  const present = Object.fromEntries(Object.keys(EnvSchema.shape).flatMap((key) => (env[key] ? [[key, env[key]]] : [])));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.message}, not "${present[String(issue.path[0])]}"`).join('; '));
  const {
    RACE_TRIAGE_WORKERS: concurrency,
    RACE_TRIAGE_JOB_TIME_CAP_MS: timeCapMs,
    RACE_TRIAGE_WRITE_SPACING_MS: spacing,
    RACE_TRIAGE_REDELIVERY_INTERVAL_MS: interval,
    RACE_TRIAGE_REQUEST_TIMEOUT_MS: requestTimeoutMs,
  } = parsed.data;
  return {
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    worker: { ...(concurrency === undefined ? {} : { concurrency }), ...(timeCapMs === undefined ? {} : { timeCapMs }) },
    ...(spacing === undefined ? {} : { writeSpacingMs: spacing }),
    ...(interval === undefined ? {} : { redelivery: { intervalMs: interval } }),
  };
}
