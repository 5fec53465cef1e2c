/**
 * What a decision asks the world to change, as data: the shell's one executor runs these in
 * order, and nothing else writes. Pure, so the CLI can show what the app would do.
 */
import type { RaceSignature } from '../race/types.js';

export type Reaction = 'eyes' | '+1' | 'confused';

export type Effect =
  /** Record the issue with these races in the index; none: forget it. */
  | { kind: 'index'; races: RaceSignature[] }
  /** Add labels (one call), never ones on the issue already. */
  | { kind: 'add-labels'; labels: string[] }
  /** Remove labels the bot added that no longer apply. */
  | { kind: 'remove-labels'; labels: string[] }
  /** Write the bot's one comment: edit it in place, or create it. */
  | { kind: 'comment'; body: string }
  /** React to a comment (a command's acknowledgement). */
  | { kind: 'react'; commentId: number; content: Reaction };

/** The bot's labels after a decision: what it owns and what people turned down. */
export interface LabelMemory {
  labels: string[];
  declined: string[];
}
