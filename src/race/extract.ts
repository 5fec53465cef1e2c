// PLACEHOLDER: replaced by the real extractor.
import type { EngineOptions, RaceReport } from './types.js';

export function extractReports(_body: string, _options: EngineOptions = {}): RaceReport[] {
  return [];
}
