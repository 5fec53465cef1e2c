import { describe, expect, it } from '@jest/globals';
import { jobSettingsFromEnv } from '../../src/github/jobs/settings.js';

describe('worker settings from the environment', () => {
  it('keeps the defaults when unset or empty', () => {
    expect(jobSettingsFromEnv({})).toEqual({ worker: {} });
    expect(jobSettingsFromEnv({ RACE_TRIAGE_WORKERS: '' })).toEqual({ worker: {} });
  });

  it('reads the worker count, the time cap per job, the write spacing, the redelivery interval and the request timeout', () => {
    expect(
      jobSettingsFromEnv({
        RACE_TRIAGE_WORKERS: '4',
        RACE_TRIAGE_JOB_TIME_CAP_MS: '30000',
        RACE_TRIAGE_WRITE_SPACING_MS: '0',
        RACE_TRIAGE_REDELIVERY_INTERVAL_MS: '60000',
        RACE_TRIAGE_REQUEST_TIMEOUT_MS: '5000',
      }),
    ).toEqual({ worker: { concurrency: 4, timeCapMs: 30_000 }, writeSpacingMs: 0, redelivery: { intervalMs: 60_000 }, requestTimeoutMs: 5_000 });
  });

  it('names the variable, the allowed range and the value given', () => {
    expect(() => jobSettingsFromEnv({ RACE_TRIAGE_WORKERS: 'many' })).toThrow('RACE_TRIAGE_WORKERS must be a whole number from 1 to 32, not "many"');
    expect(() => jobSettingsFromEnv({ RACE_TRIAGE_JOB_TIME_CAP_MS: '50' })).toThrow(
      'RACE_TRIAGE_JOB_TIME_CAP_MS must be a whole number from 1000 to 600000, not "50"',
    );
  });
});
