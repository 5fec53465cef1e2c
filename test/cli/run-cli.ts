/** Runs the real `race-triage` command as a child process, from the TypeScript sources. */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** CI keeps the shared data beside the checkout. */
export const SHARED = resolve(REPO_ROOT, '../shared');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    input: input ?? '',
    encoding: 'utf8',
    // Jest's --experimental-vm-modules is for Jest, not for the command under test.
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}
