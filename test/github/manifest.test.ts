/** app.yml must subscribe to every event the app handles, and ask for no more than it uses. */
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HANDLED_EVENTS } from '../../src/github/process-event.js';

const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

test('the manifest subscribes to exactly the events the app handles', () => {
  const handled = [...new Set(HANDLED_EVENTS.map((e) => e.split('.')[0]))].sort();
  expect([...manifest.default_events].sort()).toEqual(handled);
});

test('the manifest asks for the least permissions', () => {
  expect(manifest.default_permissions).toEqual({ issues: 'write', contents: 'read', metadata: 'read', pull_requests: 'read' });
});
