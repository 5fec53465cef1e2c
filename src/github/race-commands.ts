/**
 * The `/race` commands maintainers use to teach the bot, run for the comments of permitted
 * people (`process-event.ts` checks who may):
 *
 *   /race dup #N      this issue reports the same race as #N: recorded, listed first as
 *                     confirmed, and the issue closed as a duplicate of #N when the commenter
 *                     has write access (unless `commands.close_on_dup: false`)
 *   /race not-dup #N  #N is never listed here again, nor for the other issues of this race
 *   /race undup       forget what was confirmed for this issue
 *   /race help        one reply listing the commands, edited in place when asked again
 *
 * A command naming a pull request, another repository's issue, the issue itself or a number
 * that is no issue changes nothing: the comment gets a short reply saying why, and a confused
 * reaction when none of its commands ran. Every write goes through the executor.
 */
import type { PairSource } from '../store/index.js';
import type { Reaction } from '../triage/effects.js';
import { parseRaceCommands, type RaceCommand } from './commands.js';
import { issueRef } from './executor.js';
import { pastedWith } from './issue-races.js';
import type { PermittedUse, RepoFacts } from './process-event.js';
import type { RepoConfig } from './repo-config.js';
import { fetchIssue, triageIssue, type TriageDeps } from './triage-issue.js';
import type { GitHub, IssueLocation, IssuePayload } from './types.js';

/** Roles that may close an issue on GitHub: only they close one as a duplicate by command. */
const MAY_CLOSE = new Set(['write', 'maintain', 'admin']);

/** The reply to `/race help`; who may run the commands comes from the config. */
export function helpText(roles: readonly string[]): string {
  const who = [...(roles.includes('author') ? ["the issue's author"] : []), ...roles.filter((r) => r !== 'author').map((r) => `\`${r}\``)];
  const allowed = who.length === 0 ? 'nobody may run them here.' : `here they may be run by ${who.join(', ')}${roles.some((r) => r !== 'author') ? ' (repository roles)' : ''}.`;
  return `${HELP_TEXT}\n\nWho: ${allowed} Closing as a duplicate also needs write access.`;
}

const HELP_TEXT = [
  '**race-triage commands.** Each goes on a line of its own, anywhere in a comment on the issue; several may share a comment.',
  '',
  '- `/race dup #123`: this issue reports the same race as #123. race-triage lists #123 first, as confirmed, and closes this issue as a duplicate of it when you have write access (unless the config says `commands.close_on_dup: false`).',
  '- `/race not-dup #123`: #123 is a different race. It is never listed for this issue again, nor for the other issues of this race.',
  '- `/race undup`: forget the duplicates confirmed for this issue.',
  '- `/race help`: this list.',
  '- `/retriage` (as the first line of a comment): run race-triage on this issue again.',
  '',
  'Lines in code blocks and quotes are not read as commands. See the [command reference](https://github.com/race-triage/race-triage/blob/main/docs/commands.md).',
].join('\n');

interface Outcome {
  ran: boolean;
  refusals: string[];
}

export async function runRaceCommands(
  octokit: GitHub,
  signal: AbortSignal,
  where: IssueLocation,
  uses: PermittedUse[],
  repoConfig: RepoConfig,
  deps: TriageDeps,
  repoFacts: RepoFacts,
): Promise<void> {
  const { config } = repoConfig;
  const dry = config.dry_run;
  const react = async (use: PermittedUse, content: Reaction) => {
    if (!dry) await deps.executor.react(octokit, signal, where, use.comment.id, content);
  };
  for (const use of uses) await react(use, 'eyes');

  const ref = issueRef(where);
  const repo = { installationId: ref.installationId, repo: ref.repo };
  // The issue as it is now: its state decides whether it is closed, its node id names it.
  const current = await fetchIssue(octokit, where);
  const others = new Map<number, IssuePayload | string>();
  let changed = false;
  let help = false;
  let close: { target: IssuePayload; use: PermittedUse } | undefined;
  const outcomes = new Map<PermittedUse, Outcome>();

  for (const use of uses) {
    const outcome: Outcome = { ran: false, refusals: [] };
    outcomes.set(use, outcome);
    for (const command of parseRaceCommands(use.comment.body)) {
      if (command.problem || !command.action) {
        outcome.refusals.push(`\`${command.text}\`: ${command.problem ?? 'not a command'}.`);
        continue;
      }
      if (command.action === 'help') {
        help = true;
        outcome.ran = true;
        continue;
      }
      if (command.action === 'undup') {
        const forgotten = await deps.pairs.forgetConfirmed(ref);
        deps.log.info({ repo: ref.repo, issue: where.number, user: use.login, forgotten }, '/race undup');
        changed = true;
        outcome.ran = true;
        continue;
      }
      const target = await targetIssue(octokit, where, command, others);
      if (typeof target === 'string') {
        outcome.refusals.push(`\`${command.text}\`: ${target}.`);
        deps.log.info({ repo: ref.repo, issue: where.number, user: use.login, command: command.text, reason: target }, '/race refused');
        continue;
      }
      const source: PairSource = { kind: 'command', user: use.login };
      const kind = command.action === 'dup' ? 'confirmed-dup' : 'not-dup';
      await deps.pairs.record(repo, { issue: where.number, other: target.number, kind, source, at: new Date().toISOString() }, { replace: true });
      deps.log.info({ repo: ref.repo, issue: where.number, other: target.number, kind, user: use.login }, `/race ${command.action}`);
      changed = true;
      outcome.ran = true;
      if (command.action === 'dup') close = { target, use };
      else if (close?.target.number === target.number) close = undefined;
    }
  }

  if (changed) {
    // The comment lists what was just taught; a race pasted with the command counts too.
    await triageIssue(octokit, signal, where, current, deps, { ...repoFacts, config: repoConfig, fresh: true, comment: pastedWith(uses.at(-1)!.comment) });
  }
  if (close && !dry && config.commands.close_on_dup && current.state === 'open' && MAY_CLOSE.has(close.use.standing.role ?? '')) {
    if (current.node_id && close.target.node_id) {
      await deps.executor.closeAsDuplicate(octokit, signal, where, current.node_id, close.target.node_id);
      deps.log.info({ repo: ref.repo, issue: where.number, duplicateOf: close.target.number }, 'closed as a duplicate');
    }
  }
  if (dry) {
    deps.log.info({ repo: ref.repo, issue: where.number, help, refusals: [...outcomes.values()].flatMap((o) => o.refusals) }, 'dry run: would reply to /race');
    return;
  }
  if (help) await deps.executor.reply(octokit, signal, where, deps.identity, 'help', helpText(config.retriage));
  for (const [use, outcome] of outcomes) {
    if (outcome.refusals.length > 0) {
      await deps.executor.reply(octokit, signal, where, deps.identity, `command:${use.comment.id}`, refusalText(use.login, outcome));
    }
    await react(use, outcome.ran ? '+1' : 'confused');
  }
}

/** The issue a command names, or why it cannot be named. Each number is read once per run. */
async function targetIssue(octokit: GitHub, where: IssueLocation, command: RaceCommand, seen: Map<number, IssuePayload | string>): Promise<IssuePayload | string> {
  const target = command.target!;
  const here = `${where.owner}/${where.repo}`.toLowerCase();
  if (target.owner && `${target.owner}/${target.repo}`.toLowerCase() !== here) {
    return `${target.owner}/${target.repo}#${target.number} is in another repository; only issues of this repository can be named`;
  }
  if (target.pullRequest) return `#${target.number} is a pull request, not an issue`;
  if (target.number === where.number) return `#${target.number} is this issue itself`;
  const known = seen.get(target.number);
  if (known !== undefined) return known;
  let found: IssuePayload | string;
  try {
    const issue = await fetchIssue(octokit, { ...where, number: target.number });
    if (issue.pull_request) found = `#${target.number} is a pull request, not an issue`;
    else if (issue.repository_url && !issue.repository_url.toLowerCase().endsWith(`/repos/${here}`)) found = `#${target.number} was moved to another repository`;
    else found = issue;
  } catch (error) {
    // 404: no such issue; 410: it was deleted. Anything else is a real failure, retried.
    const status = (error as { status?: number }).status;
    if (status !== 404 && status !== 410) throw error;
    found = `there is no issue #${target.number} in this repository`;
  }
  seen.set(target.number, found);
  return found;
}

function refusalText(login: string, outcome: Outcome): string {
  return [
    `@${login}, ${outcome.ran ? 'some of these commands were not run' : 'nothing was changed'}:`,
    '',
    ...outcome.refusals.map((r) => `- ${r}`),
    '',
    'Comment `/race help` for the list of commands.',
  ].join('\n');
}
