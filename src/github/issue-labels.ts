/**
 * Label writes on one issue: one call adds everything new; removals are one call each
 * (GitHub has no bulk remove that leaves other labels alone) and only ever name labels
 * the bot added itself.
 */
import type { GitHub, IssueLocation } from './types.js';

export async function addLabels(octokit: GitHub, issue: IssueLocation, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
    owner: issue.owner,
    repo: issue.repo,
    issue_number: issue.number,
    labels: names,
  });
}

export async function removeLabels(octokit: GitHub, issue: IssueLocation, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      await octokit.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', {
        owner: issue.owner,
        repo: issue.repo,
        issue_number: issue.number,
        name,
      });
    } catch (error) {
      // Someone removed it already: the outcome we wanted.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
}
