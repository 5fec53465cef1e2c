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
  repo?: string;
}

/** The `issue` object of a payload. */
export function issueObject(spec: IssueSpec): any {
  const issue = example('issues', 'opened').issue;
  const repo = spec.repo ?? REPO;
  return {
    ...issue,
    number: spec.number,
    title: spec.title ?? `Issue ${spec.number}`,
    body: spec.body ?? '',
    user: { ...issue.user, login: spec.author ?? 'alice', type: 'User' },
    comments: spec.comments ?? 0,
    labels: (spec.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
    state: spec.state ?? 'open',
    state_reason: spec.stateReason ?? null,
    updated_at: spec.updatedAt ?? '2026-01-01T00:00:00Z',
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
