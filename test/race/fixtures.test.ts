/**
 * Every fixture body must give the races its header describes. TITLE and FINGERPRINT lines come
 * from the signature, so a change to normalisation or signing shows here too, fingerprint by
 * fingerprint (a moved fingerprint needs a SIGNATURE_VERSION bump):
 * `UPDATE_FIXTURES=1 npm test -- test/race/fixtures.test.ts` rewrites the headers from the
 * current engine; review the diff before committing it.
 */
import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { extractReports } from '../../src/race/extract.js';
import { signRace } from '../../src/race/signature.js';
import { readFixtures } from './fixture-file.js';

const update = process.env.UPDATE_FIXTURES === '1';

/** The header the engine gives a body today. */
function renderHeader(body: string): string {
  const reports = extractReports(body);
  const lines = [`RACES: ${reports.length}`];
  for (const report of reports) {
    lines.push(
      `TITLE: ${signRace(report).title}`,
      `FINGERPRINT: ${signRace(report).fingerprint}`,
      `PARTIAL: ${report.partial ? `true (${report.partialReason})` : 'false'}`,
      `TEST: ${report.test ?? '-'}`,
      `ACCESSES: ${report.accesses.map((a) => `${a.previous ? 'previous ' : ''}${a.atomic ? 'atomic ' : ''}${a.kind}`).join(', ')}`,
      `TOP: ${report.accesses.map((a) => a.frames[0]?.function ?? '-').join(' ; ')}`,
    );
  }
  return lines.join('\n');
}

const fixtures = readFixtures();

describe('report fixtures', () => {
  test('the folder holds seeds, corpus copies, public issues and hand-made variants', () => {
    const names = fixtures.map((f) => f.name);
    expect(names.filter((n) => n.startsWith('seed-'))).toHaveLength(5);
    expect(names.filter((n) => n.startsWith('go-generated-'))).toHaveLength(8);
    expect(names.filter((n) => n.startsWith('go-kvdb-'))).toHaveLength(24);
    expect(names.filter((n) => n.startsWith('tsan-')).length).toBeGreaterThanOrEqual(15);
    expect(names.filter((n) => n.startsWith('nonrace-')).length).toBeGreaterThanOrEqual(4);
  });

  test.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const actual = renderHeader(fixture.body);
    if (update) {
      writeFileSync(fixture.path, `${actual}\n\n${fixture.body}`);
      return;
    }
    expect(actual).toBe(fixture.header);
  });
});
