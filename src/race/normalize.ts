/**
 * One printed frame -> a normalised frame: a stable identity (`key`), the repo-relative
 * package, a short display name, and whether it counts for the signature.
 * Pure and total: any input gives a frame, never an exception.
 */
import { goSkipReason, tsanSkipReason } from './frame-classes.js';
import { matchesFramePattern } from './frame-pattern.js';
import { chainText, parseGoSymbol } from './go-symbol.js';
import { cleanNativeName, nativeNamespace, nativeParts } from './native-symbol.js';
import { applyAliases, normaliseAliases, packageIdentity } from './package-path.js';
import type { Dialect, EngineOptions, Frame, RawFrame } from './types.js';

interface CompiledOptions {
  modulePrefixes: string[];
  aliases: Array<[string, string]>;
  ignoreFrames: string[];
}

/** Options are compiled once per options object: the extractor calls this for every frame. */
const compiledCache = new WeakMap<EngineOptions, CompiledOptions>();

function compile(options: EngineOptions): CompiledOptions {
  let compiled = compiledCache.get(options);
  if (!compiled) {
    compiled = {
      modulePrefixes: options.modulePrefixes ?? [],
      aliases: normaliseAliases(options),
      ignoreFrames: (options.ignoreFrames ?? []).filter(Boolean),
    };
    compiledCache.set(options, compiled);
  }
  return compiled;
}

type Normalised = Omit<Frame, keyof RawFrame | 'significant'>;

/** Normalise one printed frame: stable key, package, short name, significance. */
export function normalizeFrame(raw: RawFrame, dialect: Dialect, options: EngineOptions = {}): Frame {
  const compiled = compile(options);
  const normalised = dialect === 'go' ? normaliseGo(raw, compiled) : normaliseNative(raw);
  const skipReason = normalised.skipReason ?? configuredSkip(raw.function, normalised.key, compiled);
  return {
    function: raw.function,
    file: raw.file,
    line: raw.line,
    key: normalised.key,
    package: normalised.package,
    module: normalised.module,
    short: normalised.short,
    significant: skipReason === undefined,
    ...(skipReason === undefined ? {} : { skipReason }),
  };
}

function configuredSkip(printed: string, key: string, compiled: CompiledOptions): string | undefined {
  const hit = compiled.ignoreFrames.find((pattern) => matchesFramePattern(pattern, key) || matchesFramePattern(pattern, printed));
  return hit ? `config: ${hit}` : undefined;
}

function normaliseGo(raw: RawFrame, compiled: CompiledOptions): Normalised {
  const symbol = parseGoSymbol(raw.function);
  const chain = chainText(symbol);
  const { module, package: relative } = packageIdentity(symbol.packagePath, compiled.modulePrefixes);
  const pkg = applyAliases(relative, compiled.aliases);
  const key = pkg ? `${pkg}.${chain}` : chain;
  // Methods read well alone (`(*Tracker).Consume`); plain functions keep their package name (`distsql.Select`).
  const isMethod = symbol.names[0]?.startsWith('(') ?? false;
  const pkgName = pkg.slice(pkg.lastIndexOf('/') + 1);
  const short = isMethod || !pkgName ? chain : `${pkgName}.${chain}`;
  const qualified = symbol.packagePath ? `${symbol.packagePath}.${chain}` : chain;
  const skipReason = goSkipReason(qualified, raw.file);
  return { key, package: pkg, module, short, ...(skipReason === undefined ? {} : { skipReason }) };
}

function normaliseNative(raw: RawFrame): Normalised {
  const name = cleanNativeName(raw.function);
  const parts = nativeParts(name);
  const namespace = nativeNamespace(parts);
  const pkg = namespace.length > 0 ? namespace.join('/') : sourceDirectory(raw.file);
  const short = parts.slice(-2).join('::');
  const skipReason = tsanSkipReason(name, raw.file);
  return { key: name, package: pkg, module: '', short, ...(skipReason === undefined ? {} : { skipReason }) };
}

/** `os_crypto/shared/msgs.c` -> `os_crypto/shared`; absolute and unknown paths give no package. */
function sourceDirectory(file: string): string {
  if (file === '' || /^(?:\/|[A-Za-z]:|\?|<|-)/.test(file) || file.startsWith('../')) return '';
  const slash = file.lastIndexOf('/');
  return slash > 0 ? file.slice(0, slash).replace(/^\.\//, '') : '';
}
