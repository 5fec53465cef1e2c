/**
 * The decision on real TiDB race reports (/work/shared/seeds), through the real engine. The
 * assertions hold for any engine that reads the reports; exact bodies are pinned in
 * decide.test.ts on hand-built races.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { analyse, issueSimilarity, type AnalysedRace } from '../../src/race/index.js';
import type { Candidate } from '../../src/store/types.js';
import { engineOptions, parseConfig } from '../../src/triage/config.js';
import { decide } from '../../src/triage/decide.js';
import { plain } from '../../src/triage/markdown.js';
import { issue } from './races.js';

const SEEDS = '/work/shared/seeds';
const { config } = parseConfig('ignore_frames: [testkit.]\n');

interface Seed {
  number: number;
  title: string;
  races: AnalysedRace[];
}

const seeds: Seed[] = readdirSync(SEEDS)
  .sort()
  .map((file) => {
    const text = readFileSync(`${SEEDS}/${file}`, 'utf8');
    return {
      number: Number(/^ID: (\d+)/m.exec(text)![1]),
      title: /^Title: (.*)$/m.exec(text)![1]!,
      races: analyse(text, engineOptions(config)),
    };
  });

function asCandidate(earlier: Seed, now: AnalysedRace[]): Candidate {
  const mine = new Set(now.filter((r) => !r.signature.partial).map((r) => r.signature.fingerprint));
  const shared = earlier.races.map((r) => r.signature.fingerprint).filter((f) => mine.has(f));
  return {
    issue: { installationId: 7, repo: 'pingcap/tidb', number: earlier.number, title: earlier.title, state: 'open', stateReason: null, labels: [], fixingPr: null, private: false, updatedAt: '2026-01-01T00:00:00Z' },
    score: issueSimilarity(now.map((r) => r.signature), earlier.races.map((r) => r.signature)),
    exact: shared.length > 0,
    sharedFingerprints: shared,
    races: earlier.races.map((r) => r.signature),
  };
}

describe.each(seeds.map((s) => [s.number, s] as const))('seed #%i', (_number, seed) => {
  const refiled = decide({
    issue: issue({ number: 90000 + seed.number, title: seed.title }),
    races: seed.races,
    candidates: seeds.map((earlier) => asCandidate(earlier, seed.races)),
    config,
    repoLabels: null,
  });
  const comment = refiled.comment!;

  it('holds a race the engine reads', () => {
    expect(seed.races.length).toBeGreaterThan(0);
  });

  it('refiled, names the original as the same signature', () => {
    expect(refiled.duplicates[0]).toMatchObject({ number: seed.number, exact: true });
    expect(comment).toContain(`- #${seed.number} (open) · same signature · ${plain(seed.title)}`);
  });

  it('names each race with its test, its accesses and its short signature', () => {
    for (const { report, signature } of seed.races) {
      const line = comment.split('\n').find((l) => l.includes(`signature \`${signature.fingerprint.slice(0, signature.fingerprint.indexOf(':') + 9)}\``));
      expect(line).toBeDefined();
      if (report.test) expect(line).toContain(`caught by \`${report.test}\``);
      for (const access of report.accesses) expect(line).toContain(`(${access.atomic ? 'atomic ' : ''}${access.kind})`);
    }
  });

  it('sets the race label', () => {
    expect(refiled.labelsToAdd[0]).toBe('type/data-race');
  });
});

describe('seeds 001 and 002 share ResetContextOfStmt on one side only', () => {
  const [s001, s002] = [seeds.find((s) => s.number === 41105)!, seeds.find((s) => s.number === 55467)!];

  it.each([
    [s001, s002],
    [s002, s001],
  ])('so neither is listed as the other’s duplicate', (now, earlier) => {
    const decision = decide({ issue: issue({ number: now.number }), races: now.races, candidates: [asCandidate(earlier, now.races)], config, repoLabels: null });
    expect(decision.duplicates).toEqual([]);
    expect(decision.marker.duplicates).toEqual([]);
  });
});
