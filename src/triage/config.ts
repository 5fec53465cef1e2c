/**
 * The repository's `.github/race-triage.yml`: its schema, its defaults, and a parser that
 * turns any mistake into one readable message naming the file and the line. Pure: the app
 * and the CLI fetch the text, this module only reads it.
 */
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Node } from 'yaml';
import { z } from 'zod';
import type { EngineOptions } from '../race/types.js';

/** Where the app looks for the file, relative to the repository root. */
export const CONFIG_FILE = '.github/race-triage.yml';

const fraction = (what: string) =>
  z
    .number({ error: `must be a number between 0 and 1` })
    .min(0, { error: 'must be a number between 0 and 1' })
    .max(1, { error: 'must be a number between 0 and 1' })
    .describe(what);

const count = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` })
    .describe(what);

const text = z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' });
const textList = z.array(text, { error: 'must be a list of text' });
/** GitHub caps label names at 50 characters. */
const labelName = text.max(50, { error: 'must be a label name of at most 50 characters' });
const labelList = z.union([labelName.transform((l) => [l]), z.array(labelName)], {
  error: 'must be a label name or a list of label names',
});

/** Label families learned ownership considers unless the config says otherwise. */
export const DEFAULT_OWNERSHIP_FAMILIES = ['sig/*', 'component/*', 'area/*', 'kind/*', 'subsystem/*'] as const;

export const RETRIAGE_ROLES = ['author', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type RetriageRole = (typeof RETRIAGE_ROLES)[number];

const repoName = z
  .string({ error: 'must be text' })
  .regex(/^[\w.-]+\/[\w.-]+$/, { error: 'must be a repository written as owner/name' })
  .transform((r) => r.toLowerCase());

export const configSchema = z
  .strictObject({
    race_label: z
      .union([labelName, z.literal(false), z.null()], {
        error: 'must be a label name, or false to apply no race label',
      })
      .default('type/data-race')
      .describe('Label for every issue holding a data-race report; false or null for none.'),
    label_rules: z
      .record(text, labelList, { error: 'must map package globs to labels' })
      .default({})
      .describe('Package glob -> labels, e.g. "pkg/executor/**": [sig/execution, component/executor].'),
    default_component_prefix: z
      .union([text, z.literal(false), z.null()], { error: 'must be a label prefix, or false' })
      .default('component/')
      .describe('With no label_rules: label "<prefix><top-level package directory>"; false for none.'),
    container_dirs: textList
      .default(['pkg', 'internal'])
      .describe('Directories skipped when finding the top-level package directory (pkg/executor -> executor).'),
    create_labels: z
      .boolean({ error: 'must be true or false' })
      .default(false)
      .describe('Apply labels the repository does not have yet (GitHub creates them).'),
    ignore_frames: textList
      .default([])
      .describe('Extra frames to leave out of the signature: the start of the function name, * for any run (testkit.).'),
    module_prefixes: textList
      .default([])
      .describe('Module path prefixes to strip from package paths (github.com/pingcap/tidb/).'),
    aliases: z
      .record(text, text, { error: 'must map old package paths to new ones' })
      .default({})
      .describe('Old package path prefix -> new one, so a moved package keeps its signature.'),
    thresholds: z
      .strictObject({
        duplicate: fraction('Lowest issue similarity listed as a likely duplicate.').default(0.75),
        component_agreement: fraction(
          'Share of the racing frames (top-weighted) that must agree before a component label is applied.',
        ).default(0.6),
      })
      .default({ duplicate: 0.75, component_agreement: 0.6 }),
    max_duplicates: count('Most likely duplicates listed in the comment.', 1, 20).default(5),
    dry_run: z
      .boolean({ error: 'must be true or false' })
      .default(false)
      .describe('Log what would be done; post nothing and set no labels.'),
    comments_per_hour: count('Most comments posted per hour in this repository.', 1, 1000).default(20),
    retriage: z
      .array(z.enum(RETRIAGE_ROLES, { error: `must list roles from: ${RETRIAGE_ROLES.join(', ')}` }), {
        error: `must be a list of roles from: ${RETRIAGE_ROLES.join(', ')}`,
      })
      .default(['author', 'triage', 'write', 'maintain', 'admin'])
      .describe('Who may run /retriage and the /race commands: the issue author and/or repository roles.'),
    commands: z
      .strictObject({
        close_on_dup: z
          .boolean({ error: 'must be true or false' })
          .default(true)
          .describe('Close an issue as a duplicate when someone with write access runs /race dup on it.'),
      })
      .default({ close_on_dup: true })
      .describe('What the /race commands do besides teaching race-triage.'),
    siblings: z
      .array(repoName, { error: 'must be a list of repositories written as owner/name' })
      .default([])
      .describe('Other repositories of the same installation whose issues may be named as duplicates.'),
    learned_labels: z
      .strictObject({
        enabled: z.boolean({ error: 'must be true or false' }).default(false),
        neighbours: count('How many of the most similar past race issues vote.', 1, 50).default(5),
        min_support: count('How many of them must carry a label before it is suggested.', 1, 50).default(3),
      })
      .default({ enabled: false, neighbours: 5, min_support: 3 })
      .describe("Suggest labels from the labels maintainers put on the most similar past races."),
    learned_ownership: z
      .strictObject({
        enabled: z.boolean({ error: 'must be true or false' }).default(true),
        families: z
          .array(labelName, { error: 'must be a list of label patterns such as sig/*' })
          .default([...DEFAULT_OWNERSHIP_FAMILIES])
          .describe('Label families learned from history; * matches any run of characters.'),
        min_precision: fraction(
          'Precision the history, replayed in filing order, must show before a learned label is applied; 0 applies every vote.',
        ).default(0.9),
        half_life_days: count('Days after which an earlier issue counts half (teams and labels change).', 30, 3650).default(730),
      })
      .default({ enabled: true, families: [...DEFAULT_OWNERSHIP_FAMILIES], min_precision: 0.9, half_life_days: 730 })
      .describe('Labels learned from how maintainers labelled earlier issues in the same packages.'),
    owners_files: z
      .boolean({ error: 'must be true or false' })
      .default(true)
      .describe('Apply the labels of prow-style OWNERS files to their directory and below.'),
    _extends: z.string().optional().describe('Probot: inherit settings from another repository.'),
  }, { error: 'must be a mapping of settings (key: value lines)' })
  .describe('race-triage configuration (.github/race-triage.yml)');

export type Config = z.output<typeof configSchema>;

/** The defaults, frozen: every bad or missing file shares this one object. */
export const DEFAULT_CONFIG: Config = deepFreeze(configSchema.parse({}));

export interface ParsedConfig {
  /** The config to use: the file's, or the defaults when it could not be used. */
  config: Config;
  /** Readable message naming file, line and reason. Set for a bad file (defaults used) and for ignored unknown keys. */
  error?: string;
}

/** Most problems spelled out in one message; the rest are counted. */
const MAX_REPORTED = 3;

/**
 * Read the config file's text. Never throws. An empty file gives the defaults. A bad
 * value or a YAML syntax error gives the defaults and an error; unknown keys (usually
 * typos) are reported and ignored, and the rest of the file is used.
 */
export function parseConfig(yamlText: string, fileName: string = CONFIG_FILE): ParsedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lines.linePos(offset).line;

  if (doc.errors.length > 0) {
    const messages = doc.errors.map((e) => `${fileName} line ${lineOf(e.pos[0])}: ${firstLine(e.message)}`);
    return { config: DEFAULT_CONFIG, error: `${summarise(messages)}; the defaults are used` };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    // Alias bombs and similar: the parser refuses them, and so do we.
    return { config: DEFAULT_CONFIG, error: `${fileName}: ${(e as Error).message}; the defaults are used` };
  }
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return { config: parsed.data };

  // Problems are told in the order of the file, each at the line of its value (or key).
  const at = (path: PropertyKey[], text: string, key?: string) => {
    const offset = nodeAt(doc.contents, path, key)?.range?.[0];
    return offset === undefined
      ? { line: 0, text: `${fileName}: ${text}` }
      : { line: lineOf(offset), text: `${fileName} line ${lineOf(offset)}: ${text}` };
  };
  const inFileOrder = (found: { line: number; text: string }[]) =>
    found.sort((a, b) => a.line - b.line).map((m) => m.text);
  const unknown = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
  const invalid = parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');

  if (invalid.length > 0) {
    const messages = inFileOrder(invalid.map((i) => at(i.path, `${describePath(i.path)} ${i.message}`)));
    return { config: DEFAULT_CONFIG, error: `${summarise(messages)}; the defaults are used` };
  }

  const messages = inFileOrder(
    unknown.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => at(i.path, `unknown key ${describePath([...i.path, k])} is ignored`, k))
        : [],
    ),
  );
  return { config: configSchema.parse(withoutUnknownKeys(value, unknown)), error: summarise(messages) };
}

/** The engine options the repository's config asks for. */
export function engineOptions(config: Config): EngineOptions {
  return {
    modulePrefixes: config.module_prefixes,
    aliases: config.aliases,
    ignoreFrames: config.ignore_frames,
  };
}

function summarise(messages: string[]): string {
  const shown = messages.slice(0, MAX_REPORTED).join('; ');
  const more = messages.length - MAX_REPORTED;
  return more > 0 ? `${shown} (and ${more} more)` : shown;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

function describePath(path: PropertyKey[]): string {
  if (path.length === 0) return 'the file';
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`)).join('');
}

/**
 * The YAML node for a zod issue path, or the nearest existing parent when the key is
 * missing. With `key`, the key node of that entry (for unknown keys).
 */
function nodeAt(root: unknown, path: PropertyKey[], key?: string): Node | undefined {
  let node = root as Node | undefined;
  const steps = key === undefined ? path : [...path, key];
  for (const [i, step] of steps.entries()) {
    if (!node || !('items' in node) || !Array.isArray(node.items)) return node;
    const items: unknown[] = node.items;
    if (isMap(node)) {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!isPair(pair)) return node;
      const isLast = i === steps.length - 1;
      node = (key !== undefined && isLast ? pair.key : (pair.value ?? pair.key)) as Node | undefined;
    } else {
      const next = typeof step === 'number' ? items[step] : undefined;
      if (!next) return node;
      node = next as Node;
    }
  }
  return node;
}

function withoutUnknownKeys(value: unknown, issues: z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    let target: unknown = copy;
    for (const step of issue.path) target = (target as Record<PropertyKey, unknown>)?.[step as string];
    if (target && typeof target === 'object') {
      for (const k of issue.keys) delete (target as Record<string, unknown>)[k];
    }
  }
  return copy;
}

/** The JSON Schema of the file, for editors (published as docs/config.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input' }),
    title: 'race-triage configuration',
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
