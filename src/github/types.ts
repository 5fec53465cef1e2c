/**
 * The plain data the GitHub shell works with. A webhook handler and a queued job both
 * reduce to these shapes, so the per-event work never needs a Probot `context`.
 */
import type { ProbotOctokit } from 'probot';

/** An installation-authenticated client (`context.octokit`, or `await app.auth(installationId)`). */
export type GitHub = InstanceType<typeof ProbotOctokit>;

/** A repository, as the installation sees it. */
export interface RepoRef {
  installationId: number;
  /** As GitHub spells it (the API is case-insensitive; the index lower-cases). */
  owner: string;
  repo: string;
}

/** An issue of a repository. */
export interface IssueLocation extends RepoRef {
  number: number;
}

/** A label as webhook payloads and the REST API give it. */
export type LabelLike = string | { name?: string | null };

/** The fields of GitHub's issue object that the app reads; payloads carry many more. */
export interface IssuePayload {
  number: number;
  /** The GraphQL node id. */
  node_id?: string;
  title: string;
  body?: string | null;
  state?: string;
  state_reason?: string | null;
  labels?: LabelLike[];
  /** Number of comments at the time of the event. */
  comments: number;
  updated_at: string;
  created_at?: string;
  user?: { login: string; type?: string } | null;
  /** Present when the "issue" is a pull request. */
  pull_request?: unknown;
  /** The issue's page on GitHub. */
  html_url?: string;
  /** `https://api.github.com/repos/owner/name`: where the issue lives now (a moved issue answers from its new home). */
  repository_url?: string;
}

/** The account that caused an event. */
export interface Sender {
  login: string;
  type?: string;
}

export function labelNames(labels: LabelLike[] | undefined): string[] {
  return (labels ?? [])
    .map((label) => (typeof label === 'string' ? label : (label.name ?? '')))
    .filter((name) => name !== '');
}

/** Bots never trigger triage: not other apps, not this one (its own comments would loop). */
export function isBot(sender: Sender | null | undefined): boolean {
  if (!sender) return false;
  return sender.type === 'Bot' || sender.login.endsWith('[bot]');
}

/** Where a pull request was merged, as webhook payloads and the pulls listing give it. */
export interface PullBase {
  base?: { ref?: string; repo?: { default_branch?: string } | null } | null;
}

/**
 * GitHub acts on closing keywords only for pull requests merged into the default branch: one
 * merged into a release branch closes nothing, so it fixes nothing the app should record.
 * The default branch is the pull's own base repository's, else the one given; unknown
 * branches (a payload without them) count as the default.
 */
export function intoDefaultBranch(pr: PullBase, defaultBranch?: string): boolean {
  const into = pr.base?.ref;
  const main = pr.base?.repo?.default_branch ?? defaultBranch;
  return into === undefined || main === undefined || into === main;
}
