// PLACEHOLDER: replaced by the real normaliser.
import type { Dialect, EngineOptions, Frame, RawFrame } from './types.js';

/** Normalise one printed frame: stable key, package, short name, significance. */
export function normalizeFrame(raw: RawFrame, _dialect: Dialect, _options: EngineOptions = {}): Frame {
  const pkg = raw.function.replace(/\.[^./]*$/, '');
  return { ...raw, key: raw.function, package: pkg, short: raw.function, significant: true };
}
