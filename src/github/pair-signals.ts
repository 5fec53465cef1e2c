/**
 * The strongest ground truth a repository has, read without being asked: an issue closed as a
 * duplicate (its target from the `MarkedAsDuplicateEvent` of its timeline: the REST close
 * carries none) is a confirmed pair; a merged pull request that closes several race issues
 * makes them "fixed by the same pull request" (evidence only), and records each fix.
 *
 * A signal never overrides what a person said with a command.
 */
import type { IssuePairs, RaceIndex } from '../store/index.js';
import { closingReferences } from '../triage/closing-refs.js';
import type { IssueLocation } from './types.js';

/** Any client that speaks GitHub's GraphQL (an installation's Octokit, a token's). */
export interface GraphQLClient {
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>;
}

/** The latest "marked as duplicate" of an issue and what it named. */
export const DUPLICATE_TARGET = `query DuplicateTarget($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    issue(number: $number) {
      timelineItems(itemTypes: [MARKED_AS_DUPLICATE_EVENT], last: 5) {
        nodes {
          ... on MarkedAsDuplicateEvent {
            createdAt
            actor {
              login
            }
            canonical {
              ... on Issue {
                number
                repository {
                  nameWithOwner
                }
              }
            }
          }
        }
      }
    }
  }
}`;

interface DuplicateTargetAnswer {
  repository?: {
    issue?: {
      timelineItems?: {
        nodes?: ({ createdAt?: string; actor?: { login?: string } | null; canonical?: { number?: number; repository?: { nameWithOwner?: string } } | null } | null)[];
      } | null;
    } | null;
  } | null;
}

/** The issue an issue was marked a duplicate of, in the same repository; undefined when none. */
export async function duplicateTarget(octokit: GraphQLClient, where: Omit<IssueLocation, 'installationId'>): Promise<{ number: number; actor?: string } | undefined> {
  const answer = await octokit.graphql<DuplicateTargetAnswer>(DUPLICATE_TARGET, { owner: where.owner, repo: where.repo, number: where.number });
  const nodes = answer.repository?.issue?.timelineItems?.nodes ?? [];
  const here = `${where.owner}/${where.repo}`.toLowerCase();
  for (const node of [...nodes].reverse()) {
    const canonical = node?.canonical;
    if (!canonical?.number || canonical.repository?.nameWithOwner?.toLowerCase() !== here || canonical.number === where.number) continue;
    return { number: canonical.number, ...(node?.actor?.login ? { actor: node.actor.login } : {}) };
  }
  return undefined;
}

/**
 * An issue closed as a duplicate: the pair is recorded, credited to whoever marked it. One
 * GraphQL request, skipped when the pair is known already (the bot closed it on a command).
 */
export async function recordClosedAsDuplicate(
  octokit: GraphQLClient,
  where: IssueLocation,
  closedBy: string | undefined,
  pairs: IssuePairs,
  now: () => number = Date.now,
): Promise<number | undefined> {
  const repo = { installationId: where.installationId, repo: `${where.owner}/${where.repo}`.toLowerCase() };
  const known = await pairs.touching(repo, [where.number]);
  const confirmed = known.find((p) => p.kind === 'confirmed-dup' && p.issue === where.number);
  if (confirmed) return confirmed.other;
  const target = await duplicateTarget(octokit, where);
  if (!target) return undefined;
  const user = target.actor ?? closedBy;
  await pairs.record(
    repo,
    { issue: where.number, other: target.number, kind: 'confirmed-dup', source: { kind: 'closed-as-duplicate', ...(user ? { user } : {}) }, at: new Date(now()).toISOString() },
    { replace: false },
  );
  return target.number;
}

export interface MergedPullRequest {
  number: number;
  body?: string | null;
  merged_at?: string | null;
}

/**
 * A merged pull request: every issue of this repository it closes gets the fix recorded; the
 * race issues among them (known to the index) are paired as fixed by the same pull request.
 * No request to GitHub. Returns the race issues paired.
 */
export async function recordMergedPullRequest(
  repo: { installationId: number; repo: string },
  pr: MergedPullRequest,
  pairs: IssuePairs,
  index: RaceIndex,
): Promise<number[]> {
  if (!pr.merged_at) return [];
  const here = repo.repo.toLowerCase();
  const closed = closingReferences(pr.body)
    .filter((r) => (r.repo ?? here) === here && r.number !== pr.number)
    .map((r) => r.number);
  const raceIssues: number[] = [];
  for (const issue of closed) {
    await pairs.recordFix(repo, { issue, pr: pr.number, mergedAt: pr.merged_at });
    if (await index.getIssue({ ...repo, number: issue })) raceIssues.push(issue);
  }
  for (const [i, a] of raceIssues.entries()) {
    for (const b of raceIssues.slice(i + 1)) {
      await pairs.record(repo, { issue: a, other: b, kind: 'same-fix', source: { kind: 'pull-request', number: pr.number }, at: pr.merged_at }, { replace: false });
    }
  }
  return raceIssues;
}
