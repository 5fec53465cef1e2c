/**
 * What a frame key is made of, for frames whose key changed while the code did not: a
 * dependency moved a type (`cache.(*LRU).Get` became `cache/lru.(*Cache).Get`), the Go bundler
 * prefixed a type with its package (`http2.(*responseWriter).write` is
 * `net/http.(*http2responseWriter).write` inside net/http), or a refactor renamed a function.
 * Keys are compared by their parts, and only where the rest of the stack agrees (side-match.ts).
 */
import { CLOSURE_MARKER } from './go-symbol.js';

export interface FrameParts {
  /** Package path elements: `['util', 'memory']`; empty for C/C++ names without a namespace. */
  packagePath: string[];
  /** Receiver type without `*` and parentheses: `Tracker`; empty for plain functions. */
  receiver: string;
  /** The last named function: `Consume`; the enclosing function for a closure. */
  name: string;
  /** Lower-case words of the package path and receiver: `cache/lru.(*Cache)` -> cache, lru. */
  qualifier: Set<string>;
}

const CLOSURE_SUFFIX = `.${CLOSURE_MARKER}`;

/** `util/memory.(*Tracker).Consume` -> path `[util, memory]`, receiver `Tracker`, name `Consume`. */
export function frameParts(key: string): FrameParts {
  const bare = key.endsWith(CLOSURE_SUFFIX) ? key.slice(0, -CLOSURE_SUFFIX.length) : key;
  if (bare.includes('::')) return nativeParts(bare);
  const slash = bare.lastIndexOf('/');
  const dot = bare.indexOf('.', slash + 1);
  const packageText = dot < 0 ? '' : bare.slice(0, dot);
  const chain = (dot < 0 ? bare : bare.slice(dot + 1)).split('.').filter(Boolean);
  const receiverIndex = chain.findIndex((part) => part.startsWith('('));
  const receiver = receiverIndex < 0 ? '' : chain[receiverIndex]!.replace(/[()*]/g, '');
  const name = chain[chain.length - 1] ?? '';
  const packagePath = packageText.split('/').filter(Boolean);
  return { packagePath, receiver, name, qualifier: words([...packagePath, receiver]) };
}

function nativeParts(name: string): FrameParts {
  const parts = name.split('::').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  const receiver = parts.length > 1 ? parts[parts.length - 2]! : '';
  const packagePath = parts.slice(0, -2);
  return { packagePath, receiver, name: last, qualifier: words([...packagePath, receiver]) };
}

/** Words of identifiers: split at non-letters, case changes and digits (`http2responseWriter` -> http, 2, response, writer). */
function words(identifiers: string[]): Set<string> {
  const found = new Set<string>();
  for (const identifier of identifiers) {
    for (const word of identifier.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/)) {
      if (word) found.add(word.toLowerCase());
    }
  }
  return found;
}

/**
 * A frame moved or renamed without changing what it does: the same function name, and the
 * words of one's package and receiver all among the other's (`cache.(*LRU)` within
 * `cache/lru.(*Cache)`, `http2.(*responseWriter)` within `net/http.(*http2responseWriter)`).
 * Two methods of different types in one package (`(*JSONFormatter).Format`,
 * `(*TextFormatter).Format`) are not: neither's words contain the other's.
 */
export function sameCodeRenamed(a: FrameParts, b: FrameParts): boolean {
  if (a.name === '' || a.name !== b.name) return false;
  const [fewer, more] = a.qualifier.size <= b.qualifier.size ? [a.qualifier, b.qualifier] : [b.qualifier, a.qualifier];
  if (fewer.size === 0) return false;
  for (const word of fewer) if (!more.has(word)) return false;
  return true;
}

/**
 * The accessing function renamed by a refactor, as far as its key shows it: one part of its
 * identity kept (the name, the receiver, the package or the source file). Only worth anything
 * when many callers below it are the same, in another build (side-match.ts decides).
 */
export function sharesAPart(a: FrameParts, b: FrameParts, fileA: string, fileB: string): boolean {
  if (a.name !== '' && a.name === b.name) return true;
  if (a.receiver !== '' && a.receiver === b.receiver) return true;
  if (fileA !== '' && fileA === fileB) return true;
  return a.packagePath.length > 0 && a.packagePath.join('/') === b.packagePath.join('/');
}
