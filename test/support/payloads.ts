/**
 * Webhook payloads built from GitHub's own examples (`@octokit/webhooks-examples`), with
 * the fields a test cares about replaced. The examples carry no `installation`; it is added.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface ExampleGroup {
  name: string;
  examples: Record<string, any>[];
}

const examples = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples'), 'utf8'),
) as ExampleGroup[];

/** GitHub's example for the action; a few actions (`issues.closed`) have none, so another action's is adapted. */
function example(event: string, action: string): any {
  const group = examples.find((g) => g.name === event);
  const found = group?.examples.find((e) => e.action === action) ?? group?.examples[0];
  if (!found) throw new Error(`no ${event} example`);
  return { ...structuredClone(found), action };
}

export const INSTALLATION_ID = 4242;
export const OWNER = 'pingcap';
export const REPO = 'tidb';

export interface IssueSpec {
  number: number;
  title?: string;
  body?: string;
  author?: string;
  comments?: number;
  labels?: string[];
  state?: 'open' | 'closed';
  stateReason?: string | null;
  updatedAt?: string;
  createdAt?: string;
  repo?: string;
}

/** The `issue` object of a payload. */
export function issueObject(spec: IssueSpec): any {
  const issue = example('issues', 'opened').issue;
  const repo = spec.repo ?? REPO;
  return {
    ...issue,
    node_id: `I_${repo}_${spec.number}`,
    number: spec.number,
    title: spec.title ?? `Issue ${spec.number}`,
    body: spec.body ?? '',
    user: { ...issue.user, login: spec.author ?? 'alice', type: 'User' },
    comments: spec.comments ?? 0,
    labels: (spec.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
    state: spec.state ?? 'open',
    state_reason: spec.stateReason ?? null,
    updated_at: spec.updatedAt ?? '2026-01-01T00:00:00Z',
    ...(spec.createdAt ? { created_at: spec.createdAt } : {}),
    url: `https://api.github.com/repos/${OWNER}/${repo}/issues/${spec.number}`,
    html_url: `https://github.com/${OWNER}/${repo}/issues/${spec.number}`,
  };
}

function withRepo(payload: any, repo: string, sender: { login: string; type: string }): any {
  payload.repository = {
    ...payload.repository,
    name: repo,
    full_name: `${OWNER}/${repo}`,
    private: false,
    owner: { ...payload.repository.owner, login: OWNER },
  };
  payload.sender = { ...payload.sender, ...sender };
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  return payload;
}

export function issuesEvent(action: string, spec: IssueSpec, extra: Record<string, unknown> = {}, sender?: { login: string; type: string }): any {
  const payload = example('issues', action);
  payload.issue = issueObject(spec);
  Object.assign(payload, extra);
  return withRepo(payload, spec.repo ?? REPO, sender ?? { login: spec.author ?? 'alice', type: 'User' });
}

export function commentEvent(spec: IssueSpec, comment: { id: number; body: string; login: string; type?: string }, action = 'created'): any {
  const payload = example('issue_comment', action);
  payload.issue = issueObject(spec);
  delete payload.issue.pull_request;
  payload.comment = { ...payload.comment, id: comment.id, body: comment.body, user: { ...payload.comment.user, login: comment.login, type: comment.type ?? 'User' } };
  return withRepo(payload, spec.repo ?? REPO, { login: comment.login, type: comment.type ?? 'User' });
}

/** A push of `ref` (`refs/heads/master`: the default branch of the examples' repository). */
export function pushEvent(ref: string, repo = REPO): any {
  const group = examples.find((g) => g.name === 'push');
  const payload: any = { ...structuredClone(group!.examples[0]!), ref };
  withRepo(payload, repo, { login: 'alice', type: 'User' });
  payload.repository.owner = { ...payload.repository.owner, name: OWNER };
  return payload;
}

/** `issues.labeled` or `issues.unlabeled`: `spec.labels` are the issue's labels after the change. */
export function labelEvent(action: 'labeled' | 'unlabeled', spec: IssueSpec, label: string, sender: { login: string; type: string } = { login: 'maintainer', type: 'User' }): any {
  return issuesEvent(action, spec, { label: { id: 1, node_id: 'LA_1', url: `https://api.github.com/repos/${OWNER}/${spec.repo ?? REPO}/labels/${encodeURIComponent(label)}`, name: label, color: 'ededed', default: false, description: null } }, sender);
}

/**
 * A `pull_request` event (GitHub's example) for pull request `number` with `body`, merged at
 * `mergedAt` (null: closed unmerged) into `base` (default: the repository's default branch).
 */
export function pullRequestEvent(action: string, pr: { number: number; body: string; mergedAt: string | null; login?: string; base?: string }): any {
  const payload = example('pull_request', action);
  payload.pull_request = {
    ...payload.pull_request,
    base: { ...payload.pull_request.base, ref: pr.base ?? payload.repository.default_branch },
    number: pr.number,
    body: pr.body,
    state: action === 'closed' ? 'closed' : 'open',
    merged: pr.mergedAt !== null,
    merged_at: pr.mergedAt,
    closed_at: action === 'closed' ? (pr.mergedAt ?? '2026-01-01T00:00:00Z') : null,
  };
  return withRepo(payload, REPO, { login: pr.login ?? 'alice', type: 'User' });
}

/** A pull request as `GET /repos/{owner}/{repo}/pulls` lists it (GitHub's webhook example, adapted), into `base` (default: the default branch). */
export function pullObject(pr: { number: number; body: string; mergedAt: string | null; updatedAt?: string; base?: string }): any {
  const { merged: _merged, merged_by: _by, comments: _c, review_comments: _rc, commits: _commits, additions: _a, deletions: _d, changed_files: _f, mergeable: _m, mergeable_state: _ms, rebaseable: _r, maintainer_can_modify: _mcm, ...simple } =
    example('pull_request', 'closed').pull_request;
  return {
    ...simple,
    base: { ...simple.base, ref: pr.base ?? simple.base.repo.default_branch },
    number: pr.number,
    body: pr.body,
    state: 'closed',
    merged_at: pr.mergedAt,
    closed_at: pr.mergedAt ?? '2026-01-01T00:00:00Z',
    updated_at: pr.updatedAt ?? pr.mergedAt ?? '2026-01-01T00:00:00Z',
  };
}
