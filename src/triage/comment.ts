/**
 * The bot's one comment on an issue: short on top (the races, the likely duplicates, the
 * labels), details folded, and a footer on how to re-run it. Everything quoted from issues
 * goes through `plain` or `code`; the whole stays under GitHub's comment limit.
 */
import type { Access, AnalysedRace, Frame } from '../race/types.js';
import { CONFIG_FILE } from './config.js';
import { code, plain } from './markdown.js';
import { renderMarker } from './marker.js';
import { explanationLine } from './match-explanation.js';
import type { DuplicateLine, LabelDecision, MarkerData, Regression, SkippedLabel } from './types.js';

/** GitHub rejects longer comment bodies. */
export const MAX_COMMENT_LENGTH = 65_536;
/** Races listed on top; all of them are in the folded details. */
const MAX_LISTED_RACES = 10;
/** Frames per side shown in the folded details. */
const DETAIL_FRAMES = 5;
/** Hex digits of the fingerprint shown on top; the full one is in the details. */
const SHORT_FINGERPRINT = 8;
const TRUNCATION_NOTE = "_The rest of this comment was cut to stay within GitHub's 65,536-character limit._";

export interface CommentInput {
  /** Repository of the issue (`owner/name`), to write sibling repositories' references in full. */
  repo: string;
  races: AnalysedRace[];
  duplicates: DuplicateLine[];
  /** The race is seen again after the fix of an earlier issue was merged. */
  regression?: Regression;
  /** Other issues a merged pull request closed together with this one (evidence, not confirmation). */
  sameFix?: { number: number; pr: number }[];
  labels: LabelDecision[];
  skippedLabels: SkippedLabel[];
  marker: MarkerData;
  configError?: string;
  /** The race's page on the dashboard, when it is on: the signature links there. */
  raceUrl?: (fingerprint: string) => string;
}

/** The comment for an issue with races. */
export function renderComment(input: CommentInput): string {
  const { races, duplicates, labels, skippedLabels } = input;
  const top: string[] = [];
  if (races.length === 1) {
    top.push(`**Data race:** ${raceLine(races[0]!, input.raceUrl)}`);
  } else {
    top.push(`**${races.length} data races** in this issue:`);
    races.slice(0, MAX_LISTED_RACES).forEach((race, i) => top.push(`${i + 1}. ${raceLine(race, input.raceUrl)}`));
    if (races.length > MAX_LISTED_RACES) top.push('', `and ${races.length - MAX_LISTED_RACES} more, in the details below.`);
  }
  top.push('');
  if (input.regression) {
    const r = input.regression;
    const ref = r.repo && r.repo !== input.repo ? `${r.repo}#${r.number}` : `#${r.number}`;
    const pr = r.repo && r.repo !== input.repo ? `${r.repo}#${r.pr}` : `#${r.pr}`;
    top.push(
      `**Seen again after its fix:** this race was reported in ${ref}, fixed by ${pr} on ${day(r.fixedAt)}, and this issue was filed after that fix was merged. It may be a regression.`,
      '',
    );
  }
  if (duplicates.length > 0) {
    top.push('**Likely duplicates**');
    for (const d of duplicates) top.push(`- ${duplicateLine(d, input.repo)}`);
  } else {
    top.push(`No earlier issue reports ${races.length === 1 ? 'this race' : 'these races'}.`);
  }
  if (input.sameFix && input.sameFix.length > 0) {
    top.push('', `**Fixed by the same pull request:** ${input.sameFix.map((f) => `#${f.number} (by #${f.pr})`).join(', ')}. One pull request may fix several races, so this is a hint, not a confirmation.`);
  }
  if (labels.length > 0) top.push('', `**Labels:** ${labels.map((l) => code(l.name)).join(', ')}`);

  const details = ['<details>', '<summary>Details</summary>', ''];
  if (labels.length > 0) {
    details.push('Why these labels:');
    for (const l of labels) details.push(`- ${code(l.name)}: ${plain(l.reason, 400)}`);
    details.push('');
  }
  if (skippedLabels.length > 0) {
    details.push('Labels not applied:');
    for (const l of skippedLabels) details.push(`- ${code(l.name)}: ${plain(l.reason, 400)}`);
    details.push('');
  }
  // Where a race was reported is worth a word only once some race came from a comment.
  const sayWhere = races.some((race) => race.origin?.kind === 'comment');
  races.forEach((race, i) => details.push(...raceDetails(race, races.length > 1 ? i + 1 : undefined, sayWhere)));
  const explained = duplicates.flatMap((d) => explanationLine(d, reference(d, input.repo), races) ?? []);
  if (explained.length > 0) details.push('Why the likely duplicates match:', ...explained, '');
  details.push('</details>');

  return assemble(input.marker, [...top, '', ...details], footer(input.configError));
}

/** The update to an earlier comment when an edit removed the issue's last race report. */
export function renderNoRaceComment(marker: MarkerData, removedLabels: string[], configError?: string): string {
  const lines = ['This issue no longer holds a data-race report, so race-triage has nothing to match.'];
  if (removedLabels.length > 0) {
    lines.push('', `Removed the labels it had added: ${removedLabels.map((l) => code(l)).join(', ')}.`);
  }
  return assemble(marker, lines, footer(configError));
}

function raceLine({ report, signature, origin }: AnalysedRace, raceUrl?: (fingerprint: string) => string): string {
  const sides = report.accesses.map(accessSummary);
  if (sides.length === 1) sides.push(`an access not in the report${report.partialReason ? ` (${plain(report.partialReason)})` : ''}`);
  const test = report.test ?? signature.test;
  return [
    sides.join(' ↔ '),
    ...(test ? [`caught by ${code(test)}`] : []),
    ...(origin?.kind === 'comment' ? [`in ${originText(origin)}`] : []),
    `signature ${link(code(shortFingerprint(signature.fingerprint)), raceUrl?.(signature.fingerprint))}${signature.partial ? ' (partial)' : ''}`,
  ].join(' · ');
}

/** `a comment` linked to it; comment addresses come from GitHub, and only github.com ones are linked. */
function originText(origin: NonNullable<AnalysedRace['origin']>): string {
  if (origin.kind === 'body') return 'the issue body';
  return origin.url && /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues\/\d+#issuecomment-\d+$/.test(origin.url) ? `[a comment](${origin.url})` : 'a comment';
}

function accessSummary(access: Access): string {
  const top = access.frames.find((f) => f.significant);
  const kind = `${access.atomic ? 'atomic ' : ''}${access.kind}`;
  if (!top) return `${access.stackLost ? 'a lost stack' : 'an unknown function'} (${kind})`;
  return `${code(functionName(top))} (${kind})`;
}

function raceDetails({ report, signature, origin }: AnalysedRace, index: number | undefined, sayWhere: boolean): string[] {
  const where = sayWhere ? `, reported in ${originText(origin ?? { kind: 'body' })}` : '';
  const lines = [`**${index ? `Race ${index}` : 'Race'}:** ${code(signature.title)}, signature ${code(signature.fingerprint)}${where}`];
  for (const access of report.accesses) {
    const who = access.actor ? ` by ${plain(access.actor)}` : '';
    const kind = `${access.previous ? 'previous ' : ''}${access.atomic ? 'atomic ' : ''}${access.kind}`;
    lines.push(`- ${kind[0]!.toUpperCase()}${kind.slice(1)}${who}:`);
    const frames = access.frames.filter((f) => f.significant).slice(0, DETAIL_FRAMES);
    if (frames.length === 0) lines.push(`  - ${access.stackLost ? 'the stack was lost' : 'no frames of this project'}`);
    for (const f of frames) lines.push(`  - ${code(functionName(f))}${f.file ? ` at ${code(location(f))}` : ''}`);
  }
  lines.push('');
  return lines;
}

/** How the comment names a listed issue: `#41105`, or `pingcap/tiflow#88` in a sibling repository. */
function reference(d: DuplicateLine, repo: string): string {
  return d.repo && d.repo !== repo ? `${d.repo}#${d.number}` : `#${d.number}`;
}

function duplicateLine(d: DuplicateLine, repo: string): string {
  const ref = reference(d, repo);
  if (d.unindexed) return `${ref} · ${d.confirmedBy ?? 'confirmed'}`;
  const state = d.state === 'open' ? 'open' : d.stateReason ? `closed as ${d.stateReason.replace(/_/g, ' ')}` : 'closed';
  const fix = d.fixingPr ? `, fixed by ${d.repo && d.repo !== repo ? `${d.repo}#` : '#'}${d.fixingPr}${d.fixedAt ? ` on ${day(d.fixedAt)}` : ''}` : '';
  const match = d.exact ? 'same signature' : d.confirmedBy && d.score === 0 ? undefined : `${Math.floor(d.score * 100)}% similar`;
  return [`${ref} (${state}${fix})`, ...(d.confirmedBy ? [d.confirmedBy] : []), ...(match ? [match] : []), plain(d.title)].join(' · ');
}

/** `2023-03-01` of an ISO 8601 time (UTC). */
function day(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? plain(iso.slice(0, 10)) : new Date(ms).toISOString().slice(0, 10);
}

function footer(configError?: string): string[] {
  const lines = [
    `<sub>Comment ${code('/retriage')} to run race-triage again, ${code('/race help')} to correct it. Settings: ${code(CONFIG_FILE)}.</sub>`,
  ];
  if (configError) lines.push('', `**Config problem:** ${plain(configError, 1000)}`);
  return lines;
}

/** `memory.(*Tracker).Consume`: the short name with the last element of its package. */
function functionName(frame: Frame): string {
  if (frame.short.includes('/')) return frame.short.slice(frame.short.lastIndexOf('/') + 1);
  const pkg = frame.package.split('/').pop() ?? '';
  return pkg && !frame.short.startsWith(`${pkg}.`) ? `${pkg}.${frame.short}` : frame.short;
}

function location(frame: Frame): string {
  return frame.line > 0 ? `${frame.file}:${frame.line}` : frame.file;
}

/** `[text](url)`; the URL is the app's own (its configured address and an encoded path). */
function link(text: string, url: string | undefined): string {
  return url ? `[${text}](${url})` : text;
}

function shortFingerprint(fingerprint: string): string {
  const colon = fingerprint.indexOf(':');
  return fingerprint.slice(0, colon + 1 + SHORT_FINGERPRINT);
}

/**
 * Marker, body, footer. When too long, the body is cut at a line boundary, any folded
 * section left open is closed, and a visible note says so; marker and footer always stay.
 */
function assemble(marker: MarkerData, body: string[], foot: string[]): string {
  const head = renderMarker(marker);
  const whole = [head, ...body, '', ...foot].join('\n');
  if (whole.length <= MAX_COMMENT_LENGTH) return whole;

  const closing = '\n</details>';
  const fixed = head.length + foot.join('\n').length + TRUNCATION_NOTE.length + 8;
  let budget = MAX_COMMENT_LENGTH - fixed;
  const kept: string[] = [];
  let openDetails = 0;
  for (const line of body) {
    const opens = (line.match(/<details>/g) ?? []).length - (line.match(/<\/details>/g) ?? []).length;
    const cost = line.length + 1 + (openDetails + opens) * closing.length;
    if (cost > budget) break;
    kept.push(line);
    budget -= line.length + 1;
    openDetails += opens;
  }
  for (; openDetails > 0; openDetails--) kept.push('</details>');
  return [head, ...kept, '', TRUNCATION_NOTE, '', ...foot].join('\n');
}
