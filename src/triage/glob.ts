/**
 * Package globs for label rules: `*` matches within one path segment, `**` across
 * segments, `?` one character. `dir/**` also matches `dir` itself, because a rule for a
 * directory is meant for the package at its root too.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      const slashBefore = i === 0 || glob[i - 1] === '/';
      if (slashBefore && slashAfter) {
        source += '(?:.*/)?'; // `a/**/b` also matches `a/b`
        i += 2;
      } else if (slashBefore && i + 2 === glob.length && source.endsWith('/')) {
        source = `${source.slice(0, -1)}(?:/.*)?`; // `a/**` also matches `a`
        i += 1;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const pattern = new RegExp(`^${source}$`);
  return (path) => pattern.test(path);
}
