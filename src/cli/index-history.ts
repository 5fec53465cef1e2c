/**
 * A repository's history as the app's index holds it, in the shape `eval` replays: each
 * indexed issue with its races as stored (signed again with today's settings), and the
 * ground truth from the pairs maintainers recorded: `/race dup`, `/race not-dup`, issues
 * closed as duplicates. Confirmed duplicates are grouped transitively (A = B and B = C make
 * one race), so each member's earlier duplicates are the group's members filed before it;
 * same-fix pairs are evidence, not truth, and are left out.
 */
import type { IssuePair, KyselyRaceIndex } from '../store/index.js';
import type { CorpusIssue } from './corpus.js';

/** Issues read from the index per page. */
const PAGE = 500;

export interface IndexHistory {
  issues: CorpusIssue[];
  /** Confirmed duplicate pairs and not-duplicate pairs used as ground truth. */
  confirmed: number;
  notDuplicates: number;
}

export async function indexHistory(
  index: KyselyRaceIndex,
  pairs: readonly IssuePair[],
  installationId: number,
  repo: string,
): Promise<IndexHistory> {
  const issues: CorpusIssue[] = [];
  for (let after = 0; ; ) {
    const page = await index.issuesPage(installationId, repo, after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.number;
    for (const issue of page) {
      issues.push({
        repo: issue.repo,
        number: issue.number,
        title: issue.title,
        body: '',
        state: issue.state,
        stateReason: issue.stateReason,
        labels: issue.labels,
        createdAt: issue.createdAt ?? null,
        duplicateOf: null,
        notDuplicateOf: null,
        showsRace: true,
        reports: issue.races.flatMap((race) => (race.report ? [race.report] : [])),
      });
    }
  }
  const known = new Map(issues.map((issue) => [issue.number, issue]));
  const filed = (n: number) => known.get(n)?.createdAt ?? '';
  const earlier = (a: number, b: number) => filed(a) < filed(b) || (filed(a) === filed(b) && a < b);

  // Confirmed duplicates, grouped: union-find over the issue numbers.
  const parent = new Map<number, number>();
  const root = (n: number): number => {
    let r = n;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(n, r);
    return r;
  };
  const usable = pairs.filter((p) => known.has(p.issue) && known.has(p.other));
  const confirmed = usable.filter((p) => p.kind === 'confirmed-dup');
  for (const pair of confirmed) parent.set(root(pair.issue), root(pair.other));
  const groups = new Map<number, number[]>();
  for (const pair of confirmed) {
    for (const n of [pair.issue, pair.other]) {
      const members = groups.get(root(n)) ?? [];
      if (!members.includes(n)) members.push(n);
      groups.set(root(n), members);
    }
  }
  for (const members of groups.values()) {
    for (const n of members) known.get(n)!.duplicateOf = members.filter((m) => m !== n && earlier(m, n));
  }
  const notDuplicates = usable.filter((p) => p.kind === 'not-dup');
  for (const pair of notDuplicates) {
    const [first, later] = earlier(pair.issue, pair.other) ? [pair.issue, pair.other] : [pair.other, pair.issue];
    const issue = known.get(later)!;
    issue.notDuplicateOf = [...(issue.notDuplicateOf ?? []), first];
  }
  return { issues, confirmed: confirmed.length, notDuplicates: notDuplicates.length };
}
