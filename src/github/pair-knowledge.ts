/**
 * Loads what people and the history taught about an issue's pairs, for `decide`: its confirmed
 * duplicates (followed transitively, a bounded number of steps), the issues said not to be of
 * its race, the pull requests that closed it with others, and the merged fixes of everything
 * it may list. A few small indexed reads; no request to GitHub.
 */
import type { Candidate, IndexedIssue, IssuePair, IssuePairs, IssueRef, RaceIndex } from '../store/index.js';
import { confirmedGroup, excludedIssues, MAX_CONFIRMED, sameFixOf, type PairKnowledge } from '../triage/pairs.js';

/** Rounds of following confirmations outward: enough for any chain people build by hand. */
const MAX_STEPS = 4;

export async function pairKnowledge(pairs: IssuePairs, index: RaceIndex, ref: IssueRef, candidates: Candidate[]): Promise<PairKnowledge> {
  const repo = { installationId: ref.installationId, repo: ref.repo };
  const known = new Map<string, IssuePair>();
  const asked = new Set<number>();
  const ask = async (numbers: number[]) => {
    const fresh = numbers.filter((n) => !asked.has(n));
    fresh.forEach((n) => asked.add(n));
    for (const pair of await pairs.touching(repo, fresh)) known.set(`${pair.issue}:${pair.other}:${pair.kind}`, pair);
  };

  await ask([ref.number]);
  let group = confirmedGroup(ref.number, [...known.values()]);
  for (let step = 0; step < MAX_STEPS && group.size < MAX_CONFIRMED; step++) {
    const unasked = [...group.keys()].filter((n) => !asked.has(n));
    if (unasked.length === 0) break;
    await ask(unasked);
    group = confirmedGroup(ref.number, [...known.values()]);
  }
  // The issues of its race: confirmed the same, or sharing its signature.
  const here = candidates.filter((c) => c.issue.repo.toLowerCase() === ref.repo && c.issue.installationId === ref.installationId);
  const members = [...group.keys(), ...here.filter((c) => c.exact).map((c) => c.issue.number)];
  await ask(members);
  const all = [...known.values()];

  const summaries = new Map<number, IndexedIssue>();
  for (const number of group.keys()) {
    if (here.some((c) => c.issue.number === number)) continue;
    const issue = await index.getIssue({ ...repo, number });
    if (issue) summaries.set(number, issue);
  }
  const fixes = await pairs.fixes(repo, [ref.number, ...group.keys(), ...here.map((c) => c.issue.number)]);
  return {
    confirmed: [...group].map(([number, source]) => {
      const summary = summaries.get(number);
      return { number, source, ...(summary ? { summary } : {}) };
    }),
    excluded: excludedIssues(ref.number, members, all),
    sameFix: sameFixOf(ref.number, all),
    fixes,
  };
}
