/**
 * The dashboard's settings, from the environment (.env.example documents each one). A bad
 * value stops the app at start-up with a message naming the variable.
 */
import { createHash } from 'node:crypto';

export interface DashboardSettings {
  enabled: boolean;
  /** Where users reach the app, without a trailing slash; links in comments and sign-in need it. */
  publicUrl?: string;
  /** The GitHub App's OAuth client, for signing in to private repositories' pages. */
  oauth?: { clientId: string; clientSecret: string };
  /** Key material for the session cookie (set when `oauth` is). */
  sessionSecret?: string;
  /** GitHub's web address (`https://github.com`, or a GitHub Enterprise Server). */
  githubUrl: string;
  /** GitHub's REST API. */
  apiUrl: string;
  /** Label prefixes that name a component, for the chart. */
  componentPrefixes: string[];
}

const MIN_SECRET_LENGTH = 32;

export function dashboardSettingsFromEnv(env: NodeJS.ProcessEnv): DashboardSettings {
  const switchValue = (env.DASHBOARD ?? 'on').trim().toLowerCase();
  if (switchValue !== 'on' && switchValue !== 'off') {
    throw new Error(`DASHBOARD must be on or off, not "${env.DASHBOARD}"`);
  }
  const ghe = env.GHE_HOST?.trim();
  const protocol = env.GHE_PROTOCOL?.trim() || 'https';
  const settings: DashboardSettings = {
    enabled: switchValue === 'on',
    githubUrl: ghe ? `${protocol}://${ghe}` : 'https://github.com',
    apiUrl: ghe ? `${protocol}://${ghe}/api/v3` : 'https://api.github.com',
    componentPrefixes: (env.DASHBOARD_COMPONENT_PREFIXES ?? 'component/,sig/')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  };
  const publicUrl = env.RACE_TRIAGE_PUBLIC_URL?.trim();
  if (publicUrl) settings.publicUrl = parsePublicUrl(publicUrl);

  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  if (clientId && clientSecret) {
    if (!settings.publicUrl) {
      throw new Error('GITHUB_CLIENT_ID is set but RACE_TRIAGE_PUBLIC_URL is not: sign-in needs the address GitHub sends users back to');
    }
    const secret = env.DASHBOARD_SESSION_SECRET?.trim();
    if (secret !== undefined && secret.length > 0 && secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`DASHBOARD_SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`);
    }
    settings.oauth = { clientId, clientSecret };
    // Without its own secret, the session key is derived from the client secret (rotating it signs everyone out).
    settings.sessionSecret = secret || createHash('sha256').update(`race-triage session\n${clientSecret}`).digest('hex');
  }
  return settings;
}

function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`RACE_TRIAGE_PUBLIC_URL must be an address like https://race-triage.example.com, not "${text}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || /[()\s]/.test(text)) {
    throw new Error(`RACE_TRIAGE_PUBLIC_URL must be an http(s) address without query or fragment, not "${text}"`);
  }
  return url.href.replace(/\/+$/, '');
}
