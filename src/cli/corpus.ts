/**
 * Reads a corpus of issues: a JSON array or JSON Lines, in the shape GitHub's REST API returns
 * issues (`created_at`, `labels: [{name}]`, `state: "open"`) or the shape
 * `gh issue list --json number,title,body,labels,state,createdAt` prints (`createdAt`,
 * `state: "OPEN"`). Unknown fields are ignored, missing ones get defaults, and an entry that
 * cannot be read is skipped with a warning naming its line.
 */
import { z } from 'zod';
import type { StoredReport } from '../race/index.js';
import type { IssueState } from '../store/types.js';

/** One issue of a corpus, normalised. */
export interface CorpusIssue {
  /** `owner/name`, lower-cased; empty when the corpus does not say (then every frame counts as the project's). */
  repo: string;
  number: number;
  title: string;
  body: string;
  state: IssueState;
  stateReason: string | null;
  labels: string[];
  createdAt: string | null;
  /** Earlier issues this one duplicates (ground truth for `eval`); null when unknown. */
  duplicateOf: number[] | null;
  /** Earlier issues known to report a different race (hard negatives); null when unknown. */
  notDuplicateOf: number[] | null;
  /** Whether the issue's text shows a race at all, as the corpus says; null when it does not say. */
  showsRace: boolean | null;
  /** Its races as the index stores them (a history read from the index): then the body is not read. */
  reports?: StoredReport[];
}

export const UNKNOWN_REPO = '';

const labelSchema = z.union([z.string(), z.looseObject({ name: z.string() })]);

const issueSchema = z.looseObject({
  number: z.number().int().positive(),
  title: z.string().nullish(),
  body: z.string().nullish(),
  state: z.string().nullish(),
  state_reason: z.string().nullish(),
  stateReason: z.string().nullish(),
  labels: z.array(labelSchema).nullish(),
  created_at: z.string().nullish(),
  createdAt: z.string().nullish(),
  duplicate_of: z.array(z.number().int().positive()).nullish(),
  not_duplicate_of: z.array(z.number().int().positive()).nullish(),
  shows_race: z.boolean().nullish(),
  repository: z.union([z.string(), z.looseObject({ full_name: z.string() })]).nullish(),
  repository_url: z.string().nullish(),
  html_url: z.string().nullish(),
  url: z.string().nullish(),
});

type RawIssue = z.infer<typeof issueSchema>;

/** The repository an issue belongs to, from whichever field the shape has. */
function repoOf(raw: RawIssue): string {
  if (typeof raw.repository === 'string') return raw.repository.toLowerCase();
  if (raw.repository) return raw.repository.full_name.toLowerCase();
  for (const url of [raw.repository_url, raw.html_url, raw.url]) {
    const m = url?.match(/github\.com\/(?:repos\/)?([^/\s]+\/[^/\s]+)/);
    if (m) return m[1]!.toLowerCase();
  }
  return UNKNOWN_REPO;
}

function normalise(raw: RawIssue): CorpusIssue {
  return {
    repo: repoOf(raw),
    number: raw.number,
    title: raw.title ?? '',
    body: raw.body ?? '',
    state: raw.state?.toLowerCase() === 'closed' ? 'closed' : 'open',
    stateReason: raw.state_reason ?? raw.stateReason ?? null,
    labels: (raw.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name)),
    createdAt: raw.created_at ?? raw.createdAt ?? null,
    duplicateOf: raw.duplicate_of ?? null,
    notDuplicateOf: raw.not_duplicate_of ?? null,
    showsRace: raw.shows_race ?? null,
  };
}

export interface Corpus {
  issues: CorpusIssue[];
  /** One line per skipped entry: `corpus.jsonl:7: skipped: number: expected number`. */
  warnings: string[];
}

/** Thrown when a corpus cannot be read at all; the message names the file. */
export class CorpusError extends Error {}

/** Parses corpus text. `name` appears in warnings and errors. */
export function parseCorpus(text: string, name: string): Corpus {
  const warnings: string[] = [];
  const entries: { where: string; value: unknown }[] = [];
  if (text.trimStart().startsWith('[')) {
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (err) {
      throw new CorpusError(`${name}: not a valid JSON array: ${(err as Error).message}`);
    }
    (values as unknown[]).forEach((value, i) => entries.push({ where: `${name}: entry ${i + 1}`, value }));
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${name}:${i + 1}`;
      try {
        entries.push({ where, value: JSON.parse(line) });
      } catch {
        warnings.push(`${where}: skipped: not a JSON object`);
      }
    });
  }
  // One entry per issue: a later entry for the same issue replaces the earlier one.
  const issues = new Map<string, CorpusIssue>();
  for (const { where, value } of entries) {
    const parsed = issueSchema.safeParse(value);
    if (parsed.success) {
      const issue = normalise(parsed.data);
      const id = `${issue.repo}#${issue.number}`;
      if (issues.delete(id)) warnings.push(`${where}: issue ${id} appears again; this entry replaces the earlier one`);
      issues.set(id, issue);
    } else {
      const problem = parsed.error.issues[0]!;
      const field = problem.path.join('.') || 'entry';
      warnings.push(`${where}: skipped: ${field}: ${problem.message}`);
    }
  }
  return { issues: [...issues.values()], warnings };
}

/**
 * Issues in the order they were filed. GitHub numbers a repository's issues in filing order, so
 * the number is the reliable clock (corpora often carry placeholder dates); repositories never
 * see each other's issues, so their relative order does not matter.
 */
export function inFilingOrder(issues: CorpusIssue[]): CorpusIssue[] {
  return [...issues].sort((a, b) => a.repo.localeCompare(b.repo) || a.number - b.number);
}

const groupsSchema = z.looseObject({
  groups: z
    .array(
      z.looseObject({
        repository: z.string(),
        issues: z.array(z.number().int().positive()),
        members_with_race_text: z.array(z.number().int().positive()).nullish(),
      }),
    )
    .nullish(),
  hard_negatives: z.array(z.looseObject({ repository: z.string(), issues: z.array(z.number().int().positive()) })).nullish(),
});

/**
 * A corpus directory's `groups.json`, applied to its issues: hard negatives become
 * `notDuplicateOf` of their later issue, and group members whose text shows no race (a
 * panic, a link) are marked, so they are neither asked about nor expected to be found.
 * Returns the warning when the file is not of that shape.
 */
export function applyGroups(issues: CorpusIssue[], groupsText: string, name: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(groupsText);
  } catch (err) {
    return `${name}: not valid JSON: ${(err as Error).message}`;
  }
  const parsed = groupsSchema.safeParse(value);
  if (!parsed.success || !Array.isArray(parsed.data.groups ?? parsed.data.hard_negatives)) {
    return `${name}: no groups or hard_negatives list of repositories and issue numbers; ignored`;
  }
  const byId = new Map(issues.map((issue) => [`${issue.repo}#${issue.number}`, issue]));
  for (const group of parsed.data.groups ?? []) {
    if (!group.members_with_race_text) continue;
    const shown = new Set(group.members_with_race_text);
    for (const number of group.issues) {
      const issue = byId.get(`${group.repository.toLowerCase()}#${number}`);
      if (issue) issue.showsRace = shown.has(number);
    }
  }
  for (const negative of parsed.data.hard_negatives ?? []) {
    const [first, ...later] = [...negative.issues].sort((a, b) => a - b);
    for (const number of later) {
      const issue = byId.get(`${negative.repository.toLowerCase()}#${number}`);
      if (issue && first !== undefined) issue.notDuplicateOf = [...new Set([...(issue.notDuplicateOf ?? []), ...negative.issues.filter((n) => n < number)])];
    }
  }
  return undefined;
}
