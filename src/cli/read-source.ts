/**
 * Reads the files a command names, `-` being standard input. A file that cannot be read stops
 * the command with a message naming it (exit code 2), never a stack trace.
 */
import { readFile } from 'node:fs/promises';

/** A problem with the command line or its files: reported in one line, exit code 2. */
export class UsageError extends Error {}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
};

export async function readSource(source: string): Promise<string> {
  try {
    return source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = REASONS[code] ?? (err as Error).message;
    throw new UsageError(`cannot read ${source === '-' ? 'standard input' : `'${source}'`}: ${reason}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
