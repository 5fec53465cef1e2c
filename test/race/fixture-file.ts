/**
 * Report fixtures, syzkaller style: `fixtures/reports/<name>.txt` holds header lines
 * (`RACES: N`, then per race `TITLE:`, `FINGERPRINT:`, `PARTIAL:`, `TEST:`, `ACCESSES:`, `TOP:`), a blank
 * line, then the issue body exactly as GitHub returns it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/reports');

export interface Fixture {
  name: string;
  path: string;
  header: string;
  body: string;
}

export function readFixture(path: string): Fixture {
  const text = readFileSync(path, 'utf8');
  const split = text.indexOf('\n\n');
  const name = path.slice(path.lastIndexOf('/') + 1, -'.txt'.length);
  if (split < 0) throw new Error(`${path}: no blank line between header and body`);
  return { name, path, header: text.slice(0, split), body: text.slice(split + 2) };
}

export function readFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => readFixture(join(FIXTURE_DIR, file)));
}
