/**
 * The real app process (`node dist/src/main.js`) against a fake GitHub over HTTP, with
 * GitHub's failure modes and two `kill -9`s (see test/support/blackbox.ts). A small run:
 * `npm run bench:load` runs the same at 1,000 deliveries.
 */
import { beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, runScenario } from '../support/blackbox.js';

beforeAll(() => {
  // The process under test runs the compiled app; compile it when a source is newer.
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-if-stale.mjs')], { stdio: 'inherit' });
}, 180_000);

it('ends every race issue with one comment and each label added once, through faults, kills and a restart', async () => {
  const result = await runScenario({ issues: 24, redeliveries: 12, burst: 8, appPort: 38_581, githubPort: 38_582, writeSpacingMs: 10, settleMs: 60_000 });
  expect(result.problems).toEqual([]);
  expect(result.kills).toBe(2);
  expect(result.refused).toBeGreaterThan(0);
  expect(result.redelivered).toBeGreaterThan(0);
  // Only the job held past its cap failed.
  expect(result.failedJobs).toBe(1);
}, 120_000);
