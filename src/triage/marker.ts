/**
 * The hidden marker at the top of the bot's comment: how the comment is found again, and
 * what the bot remembers about itself (its own labels, the fingerprints, duplicate scores).
 * Anyone can type a marker into a comment, so it is read as untrusted input: only the bot's
 * own comments should be searched, and whatever is found is validated and bounded.
 */
import { z } from 'zod';
import type { MarkerData } from './types.js';

export const MARKER_PREFIX = '<!-- race-triage ';
const MARKER_SUFFIX = ' -->';
/** Far more than a real marker needs (bounded by one issue body), far less than harm needs. */
const MAX_MARKER = 60_000;

const name = z.string().max(200);
const markerSchema = z.object({
  v: z.literal(1),
  fingerprints: z.array(name).max(2000),
  labels: z.array(name).max(100),
  duplicates: z
    .array(z.object({ number: z.number().int().positive(), score: z.number().min(0).max(1), exact: z.boolean() }))
    .max(100),
  declined: z.array(name).max(100).optional(),
});

/** The marker line. `<` and `>` are escaped so no value can end the HTML comment early. */
export function renderMarker(data: MarkerData): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `${MARKER_PREFIX}${json}${MARKER_SUFFIX}`;
}

/**
 * The marker data at the start of a comment body, where the bot puts it; undefined when there
 * is none or it is not valid. A marker further down (someone quoting the bot) is not read.
 */
export function findMarker(commentBody: string): MarkerData | undefined {
  const start = commentBody.length - commentBody.trimStart().length;
  if (!commentBody.startsWith(MARKER_PREFIX, start)) return undefined;
  const from = start + MARKER_PREFIX.length;
  const end = commentBody.indexOf(MARKER_SUFFIX, from);
  if (end < 0 || end - from > MAX_MARKER) return undefined;
  return parseMarker(commentBody.slice(from, end));
}

/** Marker JSON to data; undefined for anything malformed, oversized or of another version. */
export function parseMarker(json: string): MarkerData | undefined {
  if (json.length > MAX_MARKER) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = markerSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { declined, ...rest } = parsed.data;
  return declined ? { ...rest, declined } : rest;
}
