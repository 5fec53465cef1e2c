/**
 * A new engine version signs the stored races again at start-up, from their stored frames and
 * the repository's engine options, so issues that shared a fingerprint still share one. Races
 * stored without frames keep theirs and are named for a backfill. Both backends.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { analyse, SIGNATURE_VERSION, storedReport, type EngineOptions } from '../../src/race/index.js';
import { KyselyRaceIndex, openDatabase, resignNotes, type IndexedIssue } from '../../src/store/index.js';
import { backends, type TestBackend } from './support/backends.js';

const REPO = { installationId: 3, repo: 'acme/shop' };
const fixture = (name: string) => {
  const text = readFileSync(join(process.cwd(), 'fixtures/reports', `${name}.txt`), 'utf8');
  return text.slice(text.indexOf('\n\n') + 2);
};

/** The issue as an older engine stored it: the same races under a `v1` fingerprint. */
function signedBefore(number: number, body: string, engine: EngineOptions, keepFrames = true): IndexedIssue {
  return {
    ...REPO,
    number,
    title: `#${number}`,
    state: 'open',
    stateReason: null,
    labels: [],
    fixingPr: null,
    private: false,
    updatedAt: '2024-01-01T00:00:00Z',
    engine,
    races: analyse(body, engine).map((race) => ({
      ...race.signature,
      fingerprint: race.signature.fingerprint.replace(/^v\d+/, 'v1'),
      ...(keepFrames ? { report: storedReport(race.report) } : {}),
    })),
  };
}

describe.each(backends)('signing stored races again on %s', (_name, makeBackend) => {
  let backend: TestBackend;
  beforeEach(() => {
    backend = makeBackend();
  });
  afterEach(() => backend.dispose());

  it('moves every race with stored frames to the new version, once, with the repository engine options', async () => {
    // The v2 refactor moved packages under pkg/; the repository's alias maps them back.
    const engine: EngineOptions = { aliases: { 'pkg/cart': 'cart' } };
    const first = await openDatabase(backend.options);
    const old = new KyselyRaceIndex(first.db);
    await old.upsertIssues([
      signedBefore(1, fixture('go-generated-v1-TestCheckout'), engine),
      signedBefore(2, fixture('go-generated-v2-TestCheckout'), engine),
      signedBefore(3, fixture('go-generated-v1-TestReserveMany'), engine, false),
    ]);
    await sql`delete from index_meta`.execute(first.db);
    await old.close();

    const second = await openDatabase(backend.options);
    expect(second.resigned.resigned).toBe(2);
    expect(second.resigned.unsignable).toEqual([{ ...REPO, races: 1 }]);
    expect(resignNotes(second.resigned)).toEqual([
      `signed 2 stored races again with engine ${SIGNATURE_VERSION}`,
      '1 races of acme/shop were stored without their frames and keep their old fingerprints; run `race-triage backfill acme/shop` to sign them again',
    ]);
    const index = new KyselyRaceIndex(second.db);
    const fresh = analyse(fixture('go-generated-v1-TestCheckout'), engine)[0]!.signature;
    const [one, two] = await Promise.all([index.getIssue({ ...REPO, number: 1 }), index.getIssue({ ...REPO, number: 2 })]);
    expect(one!.races.map((r) => r.fingerprint)).toEqual([fresh.fingerprint]);
    expect(two!.races.map((r) => r.fingerprint)).toEqual([fresh.fingerprint]);
    // The inverted index was rebuilt too: a fresh report finds both as the same race.
    const found = await index.candidates({ ...REPO, races: [fresh], limit: 5 });
    expect(found.filter((c) => c.exact).map((c) => c.issue.number).sort()).toEqual([1, 2]);
    await index.close();

    const third = await openDatabase(backend.options);
    expect(third.resigned).toEqual({ resigned: 0, unsignable: [] });
    await third.db.destroy();
  });
});
