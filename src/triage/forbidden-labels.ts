/**
 * Labels a race bot must never set, whatever a rule, an OWNERS file or the history says.
 * They are the repository's bookkeeping, and other bots act on them: at TiDB,
 * `severity/critical` starts release triage and `flaky-test` feeds a CI dashboard. The list
 * is built in on purpose: no config key turns it off, so no config can set them by accident.
 */
import { labelMatcher } from './label-patterns.js';

export const FORBIDDEN_LABELS: readonly string[] = Object.freeze([
  'severity/*',
  'priority/*',
  'affects-*',
  'may-affects-*',
  'flaky-test',
  'status/*',
  'needs-*',
  'duplicate',
  'type/duplicate',
]);

/** True for a label race-triage never sets (matched without regard to case). */
export const isForbiddenLabel: (label: string) => boolean = labelMatcher(FORBIDDEN_LABELS);

/** Why a forbidden label was not applied, for the comment's folded details. */
export function forbiddenReason(label: string): string {
  const pattern = FORBIDDEN_LABELS.find((p) => labelMatcher([p])(label)) ?? label;
  const what = pattern.includes('*') ? `${pattern} labels` : pattern;
  return `race-triage never sets ${what}: other tools and people act on it, and it says nothing about who owns the code`;
}
