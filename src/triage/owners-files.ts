/**
 * Prow-style OWNERS files (https://go.k8s.io/owners) as label rules: the `labels:` of an
 * OWNERS file, at its top level or under a `filters:` pattern, apply to its directory and
 * everything below it. As in prow, a directory collects the labels of every OWNERS file on
 * the way up to the root, and stops after one whose `options.no_parent_owners` is true.
 * Pure: the shell fetches the files, this module only reads them.
 *
 *   pkg/planner/OWNERS:
 *     options: { no_parent_owners: true }
 *     filters:
 *       ".*": { approvers: [sig-approvers-planner], labels: [sig/planner] }
 */
import { parse } from 'yaml';
import { z } from 'zod';

/** One OWNERS file as fetched: its path in the repository and its text. */
export interface OwnersFile {
  path: string;
  text: string;
}

/** Labels one OWNERS file gives the files under its directory, or those a filter pattern matches. */
export interface OwnersLabelRule {
  /** Directory of the OWNERS file, as the engine names packages (`planner` for `pkg/planner`); '' for the root. */
  dir: string;
  /** Where the rule was read, for reasons: `pkg/planner/OWNERS`. */
  source: string;
  labels: string[];
  /** A `filters:` key: the file paths (relative to `dir`) the labels apply to; absent for top-level labels. */
  files?: RegExp;
}

export interface OwnersRules {
  rules: OwnersLabelRule[];
  /** Directories whose OWNERS file sets `no_parent_owners`: labels of directories above them do not apply. */
  noParentOwners: string[];
  /** What could not be read, one line per problem, naming the file. */
  problems: string[];
}

export const NO_OWNERS_RULES: OwnersRules = Object.freeze({ rules: [], noParentOwners: [], problems: [] }) as OwnersRules;

/** The longest filter pattern read: prow's are short, and a long one could make matching slow. */
const MAX_PATTERN_LENGTH = 200;
/** OWNERS files read at most; a repository has tens to a few hundred. */
export const MAX_OWNERS_FILES = 2000;

const labels = z.array(z.string().trim().min(1).max(50)).optional();
const ownersSchema = z.looseObject({
  labels,
  options: z.looseObject({ no_parent_owners: z.boolean().optional() }).nullish(),
  filters: z.record(z.string(), z.looseObject({ labels }).nullish()).nullish(),
});

/** The label rules of a repository's OWNERS files. Never throws; a file that cannot be read is named in `problems`. */
export function parseOwnersFiles(files: readonly OwnersFile[]): OwnersRules {
  const rules: OwnersLabelRule[] = [];
  const noParentOwners: string[] = [];
  const problems: string[] = [];
  for (const file of files.slice(0, MAX_OWNERS_FILES)) {
    const parsed = readOwners(file);
    if ('problem' in parsed) {
      problems.push(`${file.path}: ${parsed.problem}`);
      continue;
    }
    const dir = ownersDir(file.path);
    const { value } = parsed;
    if (value.options?.no_parent_owners) noParentOwners.push(dir);
    if (value.labels?.length) rules.push({ dir, source: file.path, labels: value.labels });
    for (const [pattern, filter] of Object.entries(value.filters ?? {})) {
      if (!filter?.labels?.length) continue;
      const files = filterPattern(pattern);
      if (typeof files === 'string') problems.push(`${file.path}: filters key ${JSON.stringify(pattern.slice(0, 60))} ${files}`);
      else rules.push({ dir, source: file.path, labels: filter.labels, files });
    }
  }
  if (files.length > MAX_OWNERS_FILES) problems.push(`${files.length - MAX_OWNERS_FILES} OWNERS files beyond the first ${MAX_OWNERS_FILES} were not read`);
  return { rules, noParentOwners, problems };
}

function readOwners(file: OwnersFile): { value: z.output<typeof ownersSchema> } | { problem: string } {
  let value: unknown;
  try {
    value = parse(file.text, { maxAliasCount: 100, prettyErrors: false }) ?? {};
  } catch (error) {
    return { problem: `not valid YAML (${(error as Error).message.split('\n', 1)[0]})` };
  }
  const parsed = ownersSchema.safeParse(value);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { problem: `${issue.path.join('.') || 'the file'}: ${issue.message}` };
}

/** `pkg/planner/OWNERS` -> `planner`, as the engine drops a leading `pkg/` from package paths. */
export function ownersDir(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  parts.pop();
  if (parts.length > 1 && parts[0] === 'pkg') parts.shift();
  return parts.join('/');
}

/** A filter key, a Go regular expression, as a JavaScript one; a string says why it cannot be used. */
function filterPattern(pattern: string): RegExp | string {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  // RE2 flags groups such as `(?i)` have no JavaScript spelling; the rest of prow's patterns read the same.
  const caseless = pattern.startsWith('(?i)');
  try {
    return new RegExp(caseless ? pattern.slice(4) : pattern, caseless ? 'i' : '');
  } catch {
    return 'is not a regular expression race-triage can read';
  }
}

/**
 * The labels OWNERS files give a package directory (as the engine names it), with the files
 * they come from. `file` is the frame's source file: filter patterns are matched against its
 * path relative to the OWNERS file's directory; without it, only top-level labels apply.
 */
export function ownersLabels(owners: OwnersRules, pkg: string, file = ''): { label: string; source: string }[] {
  const found: { label: string; source: string }[] = [];
  const stop = new Set(owners.noParentOwners);
  const base = file.slice(file.lastIndexOf('/') + 1);
  for (let dir: string | undefined = pkg; dir !== undefined; dir = parentDir(dir)) {
    const inside = dir === '' ? pkg : pkg.slice(dir.length + 1);
    const relative = base ? [inside, base].filter(Boolean).join('/') : '';
    for (const rule of owners.rules) {
      if (rule.dir !== dir) continue;
      if (rule.files && !(relative && rule.files.test(relative))) continue;
      for (const label of rule.labels) found.push({ label, source: rule.source });
    }
    if (stop.has(dir)) break;
  }
  return found;
}

function parentDir(dir: string): string | undefined {
  if (dir === '') return undefined;
  const slash = dir.lastIndexOf('/');
  return slash < 0 ? '' : dir.slice(0, slash);
}
