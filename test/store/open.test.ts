/**
 * Start-up: where the index lives by default, and the errors an operator sees when it
 * cannot be opened. Each failure is an `IndexOpenError` naming the file or host.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { IndexOpenError, openIndex, type OpenIndexOptions } from '../../src/store/index.js';

async function openFailure(options: OpenIndexOptions): Promise<IndexOpenError> {
  try {
    const index = await openIndex(options);
    await index.close();
  } catch (error) {
    if (error instanceof IndexOpenError) return error;
    throw error;
  }
  throw new Error('the index opened');
}

describe('opening the race index', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'race-triage-open-'));
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses race-triage.sqlite under RACE_TRIAGE_DATA_DIR when no DATABASE_URL is set', async () => {
    delete process.env.DATABASE_URL;
    process.env.RACE_TRIAGE_DATA_DIR = join(dir, 'data');
    const index = await openIndex();
    await index.close();
    expect(existsSync(join(dir, 'data', 'race-triage.sqlite'))).toBe(true);
  });

  it('works in memory for offline replays', async () => {
    const index = await openIndex({ sqlitePath: ':memory:' });
    expect(await index.getIssue({ installationId: 1, repo: 'a/b', number: 1 })).toBeUndefined();
    await index.close();
  });

  it('names the path of a file that is not a database', async () => {
    const file = join(dir, 'race-triage.sqlite');
    writeFileSync(file, 'this is not a SQLite database, it is a text file '.repeat(200));
    const error = await openFailure({ sqlitePath: file });
    expect(error.reason).toBe('corrupt');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/backfill/);
  });

  it('names the path when the directory cannot be written', async () => {
    // A regular file where the data directory should be: no user, not even root, can create it.
    writeFileSync(join(dir, 'data'), '');
    const path = join(dir, 'data', 'race-triage.sqlite');
    const error = await openFailure({ sqlitePath: path });
    expect(error.reason).toBe('unwritable');
    expect(error.message).toContain(path);
  });

  it('names host and port of an unreachable PostgreSQL, never the password', async () => {
    const error = await openFailure({ databaseUrl: 'postgres://triage:s3cret-pw@127.0.0.1:1/index' });
    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('s3cret-pw');
    expect(JSON.stringify(error)).not.toContain('s3cret-pw');
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', async () => {
    process.env.DATABASE_URL = 'mysql://root@localhost/index';
    const error = await openFailure({});
    expect(error.reason).toBe('misconfigured');
    expect(error.message).toContain('DATABASE_URL');
  });
});
