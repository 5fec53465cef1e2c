/**
 * `race-triage backfill owner/repo`: fills the race index, the ownership history and the pair
 * store the app uses (same DATABASE_URL or RACE_TRIAGE_DATA_DIR) from the repository's
 * existing issues, their comments and its pull requests, with a GITHUB_TOKEN. It never
 * comments or labels. A stopped run resumes at its page; a finished one makes the next read
 * only what changed since. Progress: a bar on a terminal, plain lines otherwise.
 */
import { Octokit } from '@octokit/rest';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { backfillRepository, type BackfillProgress } from '../github/backfill.js';
import { BackfillCheckpoints } from '../github/jobs/checkpoints.js';
import { BotStateStore, IssuePairs, KyselyRaceIndex, openDatabase, OwnershipHistory, type BotStateDatabase, type IssuePairsDatabase, type JobsDatabase, type OwnershipTables } from '../store/index.js';
import { engineOptions } from '../triage/config.js';
import { loadConfig } from './config.js';
import { UsageError } from './read-source.js';

interface BackfillFlags {
  installation: string;
  config?: string;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('index the existing issues of a repository (GITHUB_TOKEN); never comments or labels')
    .argument('<repository>', 'owner/name')
    .requiredOption('--installation <id>', "the app's installation id on that repository: its issues are matched only within it")
    .option('--config <file>', 'the repository\'s .github/race-triage.yml, so signatures match the app\'s')
    .action(async (repository: string, flags: BackfillFlags) => runBackfill(repository, flags));
}

async function runBackfill(repository: string, flags: BackfillFlags): Promise<void> {
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) throw new UsageError(`"${repository}" is not a repository: write owner/name`);
  const installationId = Number(flags.installation);
  if (!Number.isSafeInteger(installationId) || installationId <= 0) {
    throw new UsageError(`--installation must be a positive number, not "${flags.installation}"`);
  }
  const token = process.env.GITHUB_TOKEN;
  if (!token) throw new UsageError('set GITHUB_TOKEN to a token that can read the repository\'s issues');
  const { config } = await loadConfig(flags.config);

  const github = new Octokit({ auth: token, baseUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com', log: quiet });
  const database = await openDatabase();
  const index = new KyselyRaceIndex(database.db);
  const history = new OwnershipHistory(database.db.withTables<OwnershipTables>());
  const progress = progressReporter(`${owner}/${repo}`);
  try {
    const { data } = await github.request('GET /repos/{owner}/{repo}', { owner, repo });
    const result = await backfillRepository(
      { installationId, owner, repo, private: data.private },
      {
        github,
        index,
        checkpoints: new BackfillCheckpoints(database.db.withTables<JobsDatabase>()),
        pairs: new IssuePairs(database.db.withTables<IssuePairsDatabase>()),
        engine: engineOptions(config),
        // The history learned ownership reads: every issue that names a Go package, with its labels.
        ownership: {
          history: { recordMany: (entries) => history.record(entries) },
          config,
          botState: new BotStateStore(database.db.withTables<BotStateDatabase>()),
        },
        onProgress: progress.update,
        // A personal token's limit is its own: use it to the end, then wait for the reset.
        rateLimitReserve: 1,
        sleep: (ms) => progress.wait(ms, 'after a GitHub error'),
        waitForReset: (ms) => progress.wait(ms, 'for the rate limit to reset'),
      },
    );
    progress.stop();
    process.stdout.write(
      `${owner}/${repo}: ${result.resumed ? 'resumed backfill' : 'backfill'} finished: ${result.scanned} issues, ${result.comments} comments and ${result.pulls} pull requests read in ${result.pages} pages, ${result.indexed} with races in the index\n`,
    );
  } catch (error) {
    progress.stop();
    process.stderr.write(`race-triage: backfill of ${owner}/${repo} stopped: ${describe(error)}\nRun the same command again to resume.\n`);
    process.exitCode = 1;
  } finally {
    await index.close();
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function describe(error: unknown): string {
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401) return 'GitHub refused the token (401): check GITHUB_TOKEN';
  if (status === 404) return 'GitHub answered 404: the repository does not exist or the token cannot read it';
  return status ? `GitHub answered ${status}: ${message}` : message;
}

/** A bar with rate and ETA on a terminal; one line per page otherwise (logs, CI). */
function progressReporter(name: string) {
  const started = Date.now();
  const rate = (done: number) => Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${name} [{bar}] {value}/{total} issues | {rate}/s | ETA {eta_formatted} | {indexed} with races`,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      update(p: BackfillProgress) {
        const payload = { rate: rate(p.scanned), indexed: p.indexed };
        if (!running) bar.start(p.total ?? p.scanned, p.scanned, payload);
        else bar.setTotal(p.total ?? p.scanned);
        running = true;
        bar.update(p.scanned, payload);
      },
      wait: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      stop: () => running && bar.stop(),
    };
  }
  return {
    update(p: BackfillProgress) {
      const total = p.total === undefined ? '' : `/${p.total}`;
      const comments = p.phase === 'comments' ? ` and ${p.comments} comments` : p.phase === 'pulls' ? `, ${p.comments} comments and ${p.pulls} pull requests` : '';
      process.stderr.write(`${name}: ${p.scanned}${total} issues${comments} read, ${p.indexed} with races, ${rate(p.scanned + p.comments)}/s\n`);
    },
    wait(ms: number, why: string) {
      process.stderr.write(`${name}: waiting ${Math.ceil(ms / 1000)} s ${why}\n`);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    },
    stop() {},
  };
}
