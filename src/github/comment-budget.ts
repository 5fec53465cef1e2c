/**
 * A per-repository cap on new bot comments per hour, so a burst of filings (a CI job that
 * opens 40 issues at once) does not become a burst of bot comments. Edits of the bot's
 * existing comment are not counted: they add no notification noise of their own.
 */
const HOUR_MS = 60 * 60_000;

export class CommentBudget {
  readonly #now: () => number;
  readonly #posted = new Map<string, number[]>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Takes one comment from the repository's hourly budget; false when it is spent. */
  take(repoKey: string, perHour: number): boolean {
    const now = this.#now();
    const recent = (this.#posted.get(repoKey) ?? []).filter((at) => now - at < HOUR_MS);
    if (recent.length >= perHour) {
      this.#posted.set(repoKey, recent);
      return false;
    }
    recent.push(now);
    this.#posted.set(repoKey, recent);
    return true;
  }
}
