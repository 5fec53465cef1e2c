// PLACEHOLDER: replaced by the real signature.
import type { EngineOptions, RaceReport, RaceSignature } from './types.js';

export const SIGNATURE_VERSION = 'v1';

export function signRace(report: RaceReport, _options: EngineOptions = {}): RaceSignature {
  const sides = report.accesses.map((a) => ({
    kind: a.kind,
    keys: a.frames.filter((f) => f.significant).map((f) => f.key).slice(0, 5),
  }));
  sides.sort((x, y) => x.keys.join('|').localeCompare(y.keys.join('|')));
  const partial = report.partial || sides.length < 2;
  return {
    fingerprint: `${partial ? 'v1p' : 'v1'}:${sides.map((s) => s.keys.slice(0, 3).join('|')).join('~')}`,
    title: sides.map((s) => s.keys[0] ?? '?').join(' ↔ '),
    partial,
    sides,
    packages: [],
    ...(report.test ? { test: report.test } : {}),
  };
}
