/**
 * Webhook load under GitHub's failure modes: the black-box run of test/support/blackbox.ts
 * at 1,000 deliveries. The real app process (`node dist/src/main.js`) against the fake GitHub
 * as a loopback HTTP server, signed deliveries in bursts, redeliveries mixed in; with faults a
 * comment written then 502, 429, secondary and primary rate limits, slow answers, a job held
 * past its cap, two `kill -9`s and deliveries refused while the app is down (recovered through
 * the deliveries API). It checks what users see (one comment per race issue, every label
 * added once, a removed label not added again) and prints acknowledgement times, drain time
 * and API calls per issue.
 *
 *   npm run bench:load
 *   npm run bench:load -- --burst 100 --spacing 50
 *
 * Same-run baseline: the same deliveries without faults or kills. Bounded: 1,000 deliveries a
 * run, 300 s at most to settle, loopback only.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, REPO_ROOT, runScenario, type ScenarioResult } from '../test/support/blackbox.js';

const { values: args } = parseArgs({ options: { burst: { type: 'string', default: '50' }, spacing: { type: 'string', default: '50' } } });
const BURST = Number(args.burst);
const SPACING = Number(args.spacing);
// 400 race issues: 400 opened, 300 edits, 300 redeliveries.
const ISSUES = 400;
const REDELIVERIES = 300;

execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-if-stale.mjs')], { stdio: 'inherit' });
console.log(`load benchmark: node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}, SQLite, write spacing ${SPACING} ms per installation, bursts of ${BURST}`);

function report(name: string, r: ScenarioResult): void {
  const row = (label: string, value: string) => console.log(`  ${label.padEnd(30)}${value}`);
  console.log(`\n${name}`);
  row('deliveries sent', `${r.deliveries} (${r.refused} refused or unanswered, ${r.redelivered} redelivered on request)`);
  row('ack time p50 / p99 / max', `${percentile(r.acks, 50).toFixed(1)} / ${percentile(r.acks, 99).toFixed(1)} / ${r.acks.at(-1)!.toFixed(1)} ms`);
  row('drained after', `${(r.drainMs / 1000).toFixed(1)} s`);
  row('GitHub API calls', `${r.apiCalls} (${(r.apiCalls / (r.issues + 1)).toFixed(2)} per issue)`);
  row('kill -9', String(r.kills));
  row('check', r.problems.length === 0 ? 'one comment per race issue, every label added once, nothing lost' : `FAILED: ${r.problems.slice(0, 5).join('; ')}`);
  if (r.problems.length > 0) process.exitCode = 1;
}

const common = { issues: ISSUES, redeliveries: REDELIVERIES, burst: BURST, writeSpacingMs: SPACING, settleMs: 300_000 };
report('baseline: no faults', await runScenario({ ...common, appPort: 38_791, githubPort: 38_792, faults: false }));
report('faults: 5xx after writes, 429, rate limits, slow answers, a capped job, two kill -9s, refused deliveries', await runScenario({ ...common, appPort: 38_793, githubPort: 38_794, log: (l) => console.log(`  (${l})`) }));
