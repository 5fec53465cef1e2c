/**
 * Events that change what the repository teaches about ownership without changing any race:
 * a label added or removed (or an issue closed, whose payload carries its labels), and a
 * push to the default branch, after which the OWNERS files are read again. Both are cheap:
 * no config is read and no request is sent, so this app's own label events cannot loop.
 */
import { issueRef } from './executor.js';
import { peopleLabels } from './ownership-index.js';
import type { TriageDeps } from './triage-issue.js';
import { labelNames, type IssueLocation, type IssuePayload } from './types.js';

/** The fields of a `push` payload read here. */
export interface PushPayload {
  ref?: string;
  repository?: { name?: string; owner?: { login?: string; name?: string }; default_branch?: string };
}

/**
 * The issue's labels as its payload has them now: all of them into the race index (the nearest
 * races' vote reads them), those people gave it into the ownership history.
 */
export async function labelsChanged(where: IssueLocation, issue: IssuePayload, deps: Pick<TriageDeps, 'index' | 'ownership' | 'botState'>): Promise<void> {
  const ref = issueRef(where);
  const labels = labelNames(issue.labels);
  await deps.index.setLabels(ref, labels, issue.updated_at);
  const state = await deps.botState.get(ref);
  const own = state ? [...state.labels, ...state.pendingAdd, ...state.pendingRemove] : [];
  await deps.ownership.setLabels(ref, peopleLabels(labels, own), issue.updated_at);
}

/** Whether a push is to the repository's default branch: pushes to other branches are not even queued. */
export function isDefaultBranchPush(payload: unknown): boolean {
  const { ref, repository } = (payload ?? {}) as PushPayload;
  return !!repository?.default_branch && ref === `refs/heads/${repository.default_branch}`;
}

/** A push to the default branch makes the next triage read the OWNERS files again; other branches change nothing. */
export function ownersPushed(payload: PushPayload, installationId: number, deps: Pick<TriageDeps, 'owners'>): 'indexed' | 'ignored' {
  const repository = payload.repository;
  const owner = repository?.owner?.login ?? repository?.owner?.name;
  if (!repository?.name || !owner || !isDefaultBranchPush(payload)) return 'ignored';
  deps.owners.pushed({ installationId, owner, repo: repository.name });
  return 'indexed';
}
