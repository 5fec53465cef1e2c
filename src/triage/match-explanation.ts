/**
 * Why a likely duplicate is listed, in the words of its stacks: which frames are the same on
 * which side, which matched only by their parts (a moved type, a renamed function), and what
 * could not be compared because one of the pastes stops early or shows one side only. Shown
 * folded in the comment, so a maintainer can judge a "73% similar" in seconds.
 */
import type { AnalysedRace } from '../race/types.js';
import { code } from './markdown.js';
import type { DuplicateLine, RaceMatchExplanation } from './types.js';

/** Frame names listed per side before "and N more". */
const NAMED_FRAMES = 4;

/** One line per listed duplicate. `ref` is how the comment writes the duplicate (`#41105`). */
export function explanationLine(duplicate: DuplicateLine, ref: string, races: AnalysedRace[]): string | undefined {
  const explanations = duplicate.explanation ?? [];
  if (explanations.length === 0) return undefined;
  const parts = explanations.map((e) => raceExplanation(e, ref, races, duplicate.exact));
  const many = explanations.length > 1 || races.length > 1;
  return `- ${ref}: ${parts.map((p, i) => (many ? `race ${explanations[i]!.race + 1}: ${p}` : p)).join('; ')}`;
}

function raceExplanation(e: RaceMatchExplanation, ref: string, races: AnalysedRace[], exact: boolean): string {
  const race = races[e.race];
  if (!race) return 'matched';
  const sides = e.sides.map((s) => {
    const keys = race.signature.sides[s.side]?.keys ?? [];
    const phrases = [`${frameList(s.same)} the same`];
    if (s.renamed.length > 0) phrases.push(`${frameList(s.renamed)} renamed`);
    if (s.compared[1] < s.shown[1]) phrases.push(`${s.compared[1]} of its ${s.shown[1]} frames compared, as this report's stack stops there`);
    if (s.compared[0] < s.shown[0]) phrases.push(`${s.compared[0]} of this report's ${s.shown[0]} frames compared, as the stack in ${ref} stops there`);
    return `the side of ${code(name(keys[0] ?? '?'))}: ${phrases.join(', ')}`;
  });
  const lead = exact ? 'the same signature; ' : '';
  const other = e.oneSided ? `; the other side is not in ${race.signature.sides.length < 2 ? 'this report' : ref}, so it was not compared` : '';
  return `${lead}${sides.join('; ')}${other}`;
}

function frameList(keys: string[]): string {
  if (keys.length === 0) return 'no frame';
  const shown = keys.slice(0, NAMED_FRAMES).map((k) => code(name(k)));
  const more = keys.length - shown.length;
  const noun = keys.length === 1 ? 'frame' : 'frames';
  return `${keys.length} ${noun} (${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
}

/** `util/memory.(*Tracker).Consume` -> `memory.(*Tracker).Consume`. */
function name(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
