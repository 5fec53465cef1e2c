import { describe, expect, it } from '@jest/globals';
import { workerSettingsFromEnv } from '../../src/github/jobs/settings.js';

describe('worker settings from the environment', () => {
  it('keeps the defaults when unset or empty', () => {
    expect(workerSettingsFromEnv({})).toEqual({});
    expect(workerSettingsFromEnv({ RACE_TRIAGE_WORKERS: '' })).toEqual({});
  });

  it('reads the worker count and the time cap per job', () => {
    expect(workerSettingsFromEnv({ RACE_TRIAGE_WORKERS: '4', RACE_TRIAGE_JOB_TIME_CAP_MS: '30000' })).toEqual({ concurrency: 4, timeCapMs: 30_000 });
  });

  it('names the variable, the allowed range and the value given', () => {
    expect(() => workerSettingsFromEnv({ RACE_TRIAGE_WORKERS: 'many' })).toThrow('RACE_TRIAGE_WORKERS must be a whole number from 1 to 32, not "many"');
    expect(() => workerSettingsFromEnv({ RACE_TRIAGE_JOB_TIME_CAP_MS: '50' })).toThrow(
      'RACE_TRIAGE_JOB_TIME_CAP_MS must be a whole number from 1000 to 600000, not "50"',
    );
  });
});
