/**
 * `ignoreFrames` patterns from repo config: a prefix in which `*` matches any run of
 * characters, anchored at the start of a symbol or after any `/` of its package path
 * (`testkit.` matches `github.com/pingcap/tidb/pkg/testkit.(*TestKit).Exec`).
 *
 * Matched without regular expressions: a pattern such as `a*a*a*a*b` would make a regex
 * backtrack for polynomial time on a long symbol. The greedy wildcard walk below backtracks
 * only to the last `*`, so a match costs at most pattern length x text length.
 */
export function matchesFramePattern(pattern: string, text: string): boolean {
  if (pattern === '') return false;
  if (matchesPrefix(pattern, text, 0)) return true;
  for (let slash = text.indexOf('/'); slash >= 0; slash = text.indexOf('/', slash + 1)) {
    if (matchesPrefix(pattern, text, slash + 1)) return true;
  }
  return false;
}

/** True when `pattern` matches some prefix of `text` starting at `start`. */
function matchesPrefix(pattern: string, text: string, start: number): boolean {
  let p = 0;
  let t = start;
  let star = -1;
  let resume = start;
  for (;;) {
    if (p === pattern.length) return true; // a prefix match: the rest of the text is free
    if (pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (t < text.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0 && resume < text.length) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
}
