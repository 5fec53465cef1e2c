/**
 * Debian's Chromium, headless, driven by playwright-core, kept off the network: the flags
 * stop its own background traffic, a fresh profile directory holds nothing from before,
 * and every request that is not to the app on loopback is answered here (GitHub's
 * authorize page) or refused and recorded, so a test can assert none was made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { GITHUB_URL } from './dashboard-server.js';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  /** Requests refused because they left loopback. */
  refused: string[];
  /** Who GitHub's authorize page signs in next: the code it hands back. */
  nextCode?: string;
  close(): Promise<void>;
}

export async function openBrowser(appBase: string): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'race-triage-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
  const browser: TestBrowser = {
    context,
    refused: [],
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === appBase) return route.continue();
    if (url.origin === GITHUB_URL && url.pathname === '/login/oauth/authorize' && browser.nextCode) {
      // GitHub asks the user, who agrees; GitHub sends the browser back with a code and the state.
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', browser.nextCode);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return route.fulfill({ status: 302, headers: { location: back.href } });
    }
    browser.refused.push(url.href);
    return route.abort();
  });
  return browser;
}
