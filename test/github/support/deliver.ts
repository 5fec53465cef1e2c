import { randomUUID } from 'node:crypto';
import type { Harness } from './harness.js';

/** Hands a webhook to Probot as its HTTP middleware would after verifying the signature. */
export async function deliver(h: Harness, name: 'issues' | 'issue_comment', payload: any, id: string = randomUUID()): Promise<void> {
  if (payload.action !== 'deleted' && payload.action !== 'transferred') h.github.rememberIssue(payload.repository.full_name, payload.issue);
  await h.probot.receive({ id, name, payload } as Parameters<Harness['probot']['receive']>[0]);
}
