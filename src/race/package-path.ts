/**
 * Repo-relative Go package paths: the part of a frame's identity that survives module moves.
 *
 * `github.com/pingcap/tidb/executor`, `github.com/pingcap/tidb/pkg/executor` and the bazel
 * test package `pkg/executor/executor_test` all become `executor`.
 */
import type { EngineOptions } from './types.js';

/** Code hosts whose module paths are `host/org/repo`. */
const THREE_PART_HOSTS = new Set(['github.com', 'gitlab.com', 'bitbucket.org', 'gitee.com', 'codeberg.org']);
/** Hosts whose module paths are `host/group/name` for a fixed group. */
const GROUPED_HOSTS = new Set(['golang.org/x', 'cloud.google.com/go']);
const MAJOR_VERSION = /^v\d+$/;

/** A package path with module prefix drift removed, before configured aliases. */
export function repoRelativePackage(path: string, modulePrefixes: readonly string[] = []): string {
  return packageIdentity(path, modulePrefixes).package;
}

/** The module root a package path names (`github.com/tikv/client-go`), and the package relative to it. */
export function packageIdentity(path: string, modulePrefixes: readonly string[] = []): { module: string; package: string } {
  const { module, rest } = stripModule(path.replace(/^.*?\/vendor\//, ''), modulePrefixes);
  if (rest.length > 1 && rest[0] === 'pkg') rest.shift();
  return { module, package: dropTestPackageSuffix(rest).join('/') };
}

/** Splits off the module root; a path that is only a module root keeps its last element. */
function stripModule(path: string, modulePrefixes: readonly string[]): { module: string; rest: string[] } {
  const parts = path.split('/').filter(Boolean);
  const rootLength = configuredRootLength(path, modulePrefixes) ?? hostRootLength(parts);
  // Major versions are module suffixes (`client-go/v2`, nested `etcd/server/v3`): not part of a package's identity.
  const root = parts.slice(0, rootLength).filter((p) => !MAJOR_VERSION.test(p));
  const module = root.join('/');
  const rest = parts.slice(rootLength).filter((part) => !MAJOR_VERSION.test(part));
  if (rest.length > 0) return { module, rest };
  return { module, rest: root.length > 0 ? [root[root.length - 1]!] : parts };
}

function configuredRootLength(path: string, modulePrefixes: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const raw of modulePrefixes) {
    const prefix = raw.replace(/\/+$/, '');
    if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) {
      const length = prefix.split('/').filter(Boolean).length;
      if (best === undefined || length > best) best = length;
    }
  }
  return best;
}

/** `github.com/o/r` is 3 elements, `golang.org/x/net` 3, `k8s.io/client-go` 2; no host, 0. */
function hostRootLength(parts: readonly string[]): number {
  const host = parts[0] ?? '';
  if (!host.includes('.') || parts.length < 2) return 0;
  if (THREE_PART_HOSTS.has(host) || GROUPED_HOSTS.has(`${host}/${parts[1]}`)) return Math.min(3, parts.length);
  return 2;
}

/**
 * Test packages get synthetic names: `x_test` (external tests), bazel's `x/x_test_test`
 * and `x/go_default_test`. They all mean package `x`.
 */
function dropTestPackageSuffix(parts: string[]): string[] {
  const last = parts[parts.length - 1];
  if (last === undefined) return parts;
  const base = last.replace(/(?:_test)+$/, '');
  if (base === last) return parts;
  const parent = parts[parts.length - 2];
  if (parent !== undefined && (base === parent || base === 'go_default')) return parts.slice(0, -1);
  return [...parts.slice(0, -1), base];
}

/** Applies the longest configured alias whose key is a path prefix of `pkg`. */
export function applyAliases(pkg: string, aliases: ReadonlyArray<readonly [string, string]>): string {
  for (const [from, to] of aliases) {
    if (pkg === from) return to;
    if (pkg.startsWith(`${from}/`)) return to + pkg.slice(from.length);
  }
  return pkg;
}

/** Aliases with both sides normalised like frame packages, longest key first. */
export function normaliseAliases(options: EngineOptions): Array<[string, string]> {
  const prefixes = options.modulePrefixes ?? [];
  return Object.entries(options.aliases ?? {})
    .map(([from, to]): [string, string] => [repoRelativePackage(from, prefixes), repoRelativePackage(to, prefixes)])
    .filter(([from]) => from !== '')
    .sort((a, b) => b[0].length - a[0].length);
}
