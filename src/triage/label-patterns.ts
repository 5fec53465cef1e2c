/** Label patterns, as the config and the built-in lists write them: `*` matches any run of characters (`sig/*`). */

/** A predicate for label patterns, matched without regard to case, as GitHub matches label names. */
export function labelMatcher(patterns: readonly string[]): (label: string) => boolean {
  const regexes = patterns.map(
    (p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'),
  );
  return (label) => regexes.some((r) => r.test(label));
}

/**
 * The family a label belongs to, for "one source decides a family": `sig/*` for
 * `sig/execution`; a label without a `/` is a family of its own.
 */
export function labelFamily(label: string): string {
  const slash = label.indexOf('/');
  return slash > 0 ? `${label.slice(0, slash + 1).toLowerCase()}*` : label.toLowerCase();
}
