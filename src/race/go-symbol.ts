/**
 * Go linker symbols split into a package path and a stable chain of named functions.
 *
 * Closure and wrapper numbers change with unrelated edits and between Go releases
 * (`.func1`, `.func2.1`, `·dwrap·21`, `.gowrap1`, `.deferwrap1`, `-range1`, `func·001`,
 * `glob..func228`), so a closure is reduced to its enclosing named function(s) plus one
 * closure marker, and adjacent repeated names are collapsed: Go 1.24 prints
 * `main.foo.foo.func1.func2` for what Go 1.22 printed as `main.foo.func1.1` (golang/go#71835).
 * Generic type arguments are dropped, bracket-aware, because shapes contain `]`.
 */

/** Longest symbol looked at; anything longer is cut so untrusted text costs bounded work. */
const MAX_SYMBOL_LENGTH = 1024;
/** The marker that stands for "some closure or go/defer wrapper inside". */
export const CLOSURE_MARKER = 'func*';

export interface GoSymbol {
  /** Import path as printed, `%2e` escapes decoded and GOPATH `vendor/` removed. */
  packagePath: string;
  /** Named functions from the outside in: `['(*Cart)', 'AddAsync']`; repeats collapsed. */
  names: string[];
  /** True when the frame is a closure or go/defer wrapper inside `names`. */
  closure: boolean;
}

const CLOSURE_SEGMENT = /^(?:func\d*|\d+|gowrap\d+|deferwrap\d+)$/;
const RANGE_SUFFIX = /(?:-range\d+)+$/;
const VALUE_RECEIVER = /^\((\w+)\)$/;

export function parseGoSymbol(printed: string): GoSymbol {
  const text = withoutTypeArguments(printed.slice(0, MAX_SYMBOL_LENGTH).trim().replace(/\(\)$/, ''));
  const dot = text.indexOf('.', text.lastIndexOf('/') + 1);
  if (dot < 0) return { packagePath: '', names: text ? [text] : [], closure: false };
  const packagePath = decodeEscapes(text.slice(0, dot)).replace(/^.*?\/vendor\//, '');
  return { packagePath, ...parseChain(text.slice(dot + 1)) };
}

/** `(*Cart).AddAsync.func2.1` -> names `['(*Cart)', 'AddAsync']`, closure. */
function parseChain(symbol: string): { names: string[]; closure: boolean } {
  const names: string[] = [];
  let closure = false;
  const spelled = symbol
    .replace(/-fm$/, '') // method value wrapper: the method itself
    .replace(/·dwrap·\d+/g, '.func') // Go 1.17 go/defer wrapper
    .replace(/^func·\d+$/, 'func'); // Go <= 1.4 package-level closure
  for (const segment of spelled.split('.')) {
    if (segment === '') {
      // `glob..func1`: a closure in a package-level initialiser.
      if (names[names.length - 1] === 'glob') names[names.length - 1] = 'glob.';
      continue;
    }
    if (CLOSURE_SEGMENT.test(segment)) {
      closure = true;
      continue;
    }
    // `net/http.(Handler).ServeHTTP` (older Go) is `net/http.Handler.ServeHTTP`: a value receiver or interface.
    const name = segment.replace(RANGE_SUFFIX, '').replace(VALUE_RECEIVER, '$1');
    if (name !== segment) closure = true;
    if (name !== '' && names[names.length - 1] !== name) names.push(name);
  }
  return { names, closure };
}

/** Removes every `[...]` group, nested ones included, in one pass. */
function withoutTypeArguments(text: string): string {
  if (!text.includes('[')) return text;
  let out = '';
  let depth = 0;
  for (const char of text) {
    if (char === '[') depth++;
    else if (char === ']' && depth > 0) depth--;
    else if (depth === 0) out += char;
  }
  return out;
}

/** `gopkg.in/check%2ev1` -> `gopkg.in/check.v1`: the compiler escapes dots in the last path element. */
function decodeEscapes(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The symbol part of a key: `(*Cart).AddAsync.func*`. */
export function chainText(symbol: Pick<GoSymbol, 'names' | 'closure'>): string {
  const names = symbol.names.join('.');
  if (!symbol.closure) return names;
  return names ? `${names}.${CLOSURE_MARKER}` : CLOSURE_MARKER;
}
