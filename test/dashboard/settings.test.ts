import { describe, expect, it } from '@jest/globals';
import { dashboardSettingsFromEnv } from '../../src/dashboard/settings.js';

describe('dashboard settings', () => {
  it('is on by default, with GitHub.com, no sign-in and no links', () => {
    expect(dashboardSettingsFromEnv({})).toEqual({
      enabled: true,
      githubUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      componentPrefixes: ['component/', 'sig/'],
    });
    expect(dashboardSettingsFromEnv({ DASHBOARD: 'off' }).enabled).toBe(false);
  });

  it('reads sign-in, the public address and GitHub Enterprise Server', () => {
    const settings = dashboardSettingsFromEnv({
      RACE_TRIAGE_PUBLIC_URL: 'https://races.example.com/',
      GITHUB_CLIENT_ID: 'Iv1.abc',
      GITHUB_CLIENT_SECRET: 'shh',
      GHE_HOST: 'ghe.example.com',
      DASHBOARD_COMPONENT_PREFIXES: 'area/, team/',
    });
    expect(settings).toMatchObject({
      publicUrl: 'https://races.example.com',
      oauth: { clientId: 'Iv1.abc', clientSecret: 'shh' },
      githubUrl: 'https://ghe.example.com',
      apiUrl: 'https://ghe.example.com/api/v3',
      componentPrefixes: ['area/', 'team/'],
    });
    expect(settings.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(settings.sessionSecret).not.toContain('shh');
  });

  it.each([
    [{ DASHBOARD: 'maybe' }, 'DASHBOARD must be on or off, not "maybe"'],
    [{ RACE_TRIAGE_PUBLIC_URL: 'races.example.com' }, 'RACE_TRIAGE_PUBLIC_URL must be an address like https://race-triage.example.com, not "races.example.com"'],
    [{ RACE_TRIAGE_PUBLIC_URL: 'https://x.example/a?b=1' }, 'RACE_TRIAGE_PUBLIC_URL must be an http(s) address without query or fragment, not "https://x.example/a?b=1"'],
    [{ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b' }, 'GITHUB_CLIENT_ID is set but RACE_TRIAGE_PUBLIC_URL is not: sign-in needs the address GitHub sends users back to'],
    [{ GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b', RACE_TRIAGE_PUBLIC_URL: 'https://x.example', DASHBOARD_SESSION_SECRET: 'short' }, 'DASHBOARD_SESSION_SECRET must be at least 32 characters long'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => dashboardSettingsFromEnv(env)).toThrow(message);
  });
});
