/**
 * C, C++ and Rust function names from ThreadSanitizer frames, cleaned for identity:
 * Rust legacy mangling decoded and its `::h<16 hex>` hash dropped, C++ parameter lists,
 * cv-qualifiers and `[clone ...]` suffixes dropped. Namespaces and `{{closure}}` stay.
 */

/** Longest name looked at; anything longer is cut so untrusted text costs bounded work. */
const MAX_NAME_LENGTH = 1024;

const RUST_ESCAPES: Record<string, string> = {
  SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',',
};
const RUST_LEGACY_ESCAPE = /\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-fA-F]{2,6})\$/g;
const HAS_RUST_LEGACY_ESCAPE = /\$(?:SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-fA-F]{2,6})\$/;

export function cleanNativeName(printed: string): string {
  let name = printed.slice(0, MAX_NAME_LENGTH).trim();
  if (HAS_RUST_LEGACY_ESCAPE.test(name) || /::h[0-9a-f]{16}$/.test(name)) name = demangleRustLegacy(name);
  name = name.replace(/::h[0-9a-f]{16}$/, '').replace(/\s*\[clone [^\]]*\]/g, '');
  return withoutReturnType(withoutParameterList(name));
}

/**
 * Demangled template functions print their return type first:
 * `void std::__invoke_impl<void, F>` -> `std::__invoke_impl<void, F>`. Spaces inside
 * `<>`, `()` and `{}` belong to the name; `operator new` keeps its `operator`.
 */
function withoutReturnType(name: string): string {
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < name.length; i++) {
    const char = name[i]!;
    if ('<({'.includes(char)) depth++;
    else if ('>)}'.includes(char) && depth > 0) depth--;
    else if (char === ' ' && depth === 0 && !/(?:^|::|\s)operator$/.test(name.slice(0, i))) cut = i;
  }
  return cut < 0 ? name : name.slice(cut + 1);
}

/** `_$LT$alloc..boxed..Box$LT$F$GT$$GT$::call_once` -> `<alloc::boxed::Box<F>>::call_once`. */
function demangleRustLegacy(name: string): string {
  return name
    .replace(RUST_LEGACY_ESCAPE, (_, code: string) =>
      code.startsWith('u') ? String.fromCodePoint(parseInt(code.slice(1), 16)) : (RUST_ESCAPES[code] ?? ''),
    )
    .replace(/\.\./g, '::')
    .replace(/(^|::)_(?=[<{])/g, '$1')
    .replace(/closure\.\d+$/, 'closure'); // old rustc numbered closures
}

/** Drops trailing qualifiers and the last balanced `(...)` group: `f(int) const` -> `f`. */
function withoutParameterList(name: string): string {
  let text = name;
  for (;;) {
    const trimmed = text.replace(/\s*(?:const|volatile|noexcept|&&|&)\s*$/, '');
    if (trimmed === text) break;
    text = trimmed;
  }
  if (!text.endsWith(')')) return text;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return i > 0 ? text.slice(0, i).trimEnd() : text;
  }
  return text;
}

/** `::`-separated parts outside template arguments: `a::b<c::d>::f` -> `['a', 'b<c::d>', 'f']`. */
export function nativeParts(name: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const char = name[i];
    if (char === '<') depth++;
    else if (char === '>' && depth > 0) depth--;
    else if (depth === 0 && char === ':' && name[i + 1] === ':') {
      parts.push(name.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  parts.push(name.slice(start));
  return parts;
}

/** Namespace components of a cleaned name, template arguments and lambda scopes left out. */
export function nativeNamespace(parts: readonly string[]): string[] {
  return parts
    .slice(0, -1)
    .map((part) => part.replace(/<.*$/, ''))
    .filter((part) => part !== '' && !/[\s{(]/.test(part));
}
