/**
 * Labels on day one, through the app as production runs it: OWNERS files read from the
 * default branch (and again after a push), labels learned from how maintainers labelled
 * earlier issues in the same package (kept current by label events), and the labels a race
 * bot never sets. Asserts what GitHub sees: the requests, the labels sent, the comment.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { OwnershipHistory, type JobsDatabase, type OwnershipTables } from '../../src/store/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { BOT } from '../support/github/fake-github.js';
import { INSTALLATION_ID, issueObject, issuesEvent, labelEvent, pushEvent } from '../support/payloads.js';
import { panicReport, raceReport } from '../support/race-text.js';

const PORT = 38_471;
const REPO = '/repos/pingcap/tidb';
const TREE = `GET ${REPO}/git/trees/master`;
const LABELS = ['type/data-race', 'sig/planner', 'sig/execution', 'sig/sql-infra', 'severity/critical', 'flaky-test', 'needs-triage', 'priority/high'];

let h: TestApp;
beforeEach(async () => {
  h = await startApp({ port: PORT });
  h.github.repoLabels.set('pingcap/tidb', LABELS);
  // No config anywhere: what a maintainer gets on installing the app.
  h.github.configs.delete('pingcap/tidb');
});
afterEach(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

const file = (number: number, body: string) => h.deliver('issues', issuesEvent('opened', { number, title: `Issue ${number}`, body }));
const labelsSent = (number: number) => h.github.calls.filter((c) => c.method === 'POST' && c.path === `${REPO}/issues/${number}/labels`).map((c) => (c.body as { labels: string[] }).labels);
const commentOn = (number: number) => h.github.commentsOn(`pingcap/tidb#${number}`)[0]?.body ?? '';
const pushJobs = async () => (await h.database.opened.db.withTables<JobsDatabase>().selectFrom('jobs').select('id').where('event', '=', 'push').execute()).length;
const history = () => new OwnershipHistory(h.database.opened.db.withTables<OwnershipTables>()).list(INSTALLATION_ID, 'pingcap/tidb');

/** A maintainer labels issue `number` (as GitHub then holds it) with `labels`. */
async function label(number: number, labels: string[], at = '2026-01-02T00:00:00Z'): Promise<void> {
  h.github.issueLabels.set(`pingcap/tidb#${number}`, labels);
  await h.deliver('issues', labelEvent('labeled', { number, body: raceReport('pkg/ddl', number), labels, updatedAt: at }, labels.at(-1)!));
}

describe('OWNERS files', () => {
  beforeEach(() => {
    h.github.branchFiles.set(
      'pingcap/tidb',
      new Map([
        ['README.md', '# TiDB\n'],
        ['OWNERS_ALIASES', 'aliases:\n  sig-planner: [alice]\n'],
        ['pkg/planner/OWNERS', 'approvers: [sig-planner]\nlabels:\n  - sig/planner\n'],
        ['pkg/planner/core/plan.go', 'package core\n'],
      ]),
    );
  });

  test('label the races in their directory, read once, and again after a push to the default branch', async () => {
    await file(300, raceReport('pkg/planner/core', 1));
    const blobs = () => h.github.requests.filter((r) => r.startsWith(`GET ${REPO}/git/blobs/`));
    expect(h.github.requests.filter((r) => r === TREE)).toHaveLength(1);
    expect(blobs()).toHaveLength(1); // pkg/planner/OWNERS only
    expect(labelsSent(300)).toEqual([['type/data-race', 'sig/planner']]);
    expect(commentOn(300)).toContain('`sig/planner`');
    expect(commentOn(300)).toContain('pkg/planner/OWNERS');

    // Read once: the next race costs no tree listing; a push to another branch changes nothing.
    h.github.branchFiles.get('pingcap/tidb')!.set('pkg/planner/OWNERS', 'filters:\n  ".*":\n    labels: [sig/execution]\n');
    h.github.calls.length = 0;
    expect((await h.deliver('push', pushEvent('refs/heads/feature'))).status).toBe(200);
    expect(await pushJobs()).toBe(0); // not even queued
    await file(301, raceReport('pkg/planner/core', 2));
    expect(h.github.requests).not.toContain(TREE);
    expect(labelsSent(301)).toEqual([['type/data-race', 'sig/planner']]);

    // A push to the default branch: the next race reads the tree again, and only the OWNERS file that changed.
    h.github.calls.length = 0;
    await h.deliver('push', pushEvent('refs/heads/master'));
    expect(await pushJobs()).toBe(1);
    expect(h.github.calls).toEqual([]); // the push itself sends nothing
    await file(302, raceReport('pkg/planner/core', 3));
    expect(h.github.requests.filter((r) => r === TREE)).toHaveLength(1);
    expect(blobs()).toHaveLength(1);
    expect(labelsSent(302)).toEqual([['type/data-race', 'sig/execution']]);
  });

  test('two race issues at once share one read', async () => {
    // The listing answers slowly, so the second job asks while the first one's read is under way.
    h.github.fail({ method: 'GET', path: /\/git\/trees\//, delayMs: 400 });
    await Promise.all([h.post('issues', issuesEvent('opened', { number: 330, body: raceReport('pkg/planner/core', 1) })), h.post('issues', issuesEvent('opened', { number: 331, body: raceReport('pkg/planner/core', 2) }))]);
    await h.drained();
    expect(h.github.requests.filter((r) => r === TREE)).toHaveLength(1);
    expect(h.github.requests.filter((r) => r.startsWith(`GET ${REPO}/git/blobs/`))).toHaveLength(1);
    expect([...labelsSent(330), ...labelsSent(331)]).toEqual([['type/data-race', 'sig/planner'], ['type/data-race', 'sig/planner']]);
  });

  test('a tree GitHub fails to list is logged, and triage goes on without it', async () => {
    h.github.fail({ method: 'GET', path: /\/git\/trees\//, status: 502 });
    await file(310, raceReport('pkg/planner/core', 1));
    expect(labelsSent(310)).toEqual([['type/data-race']]);
    expect(h.logs.some((l) => l.msg === 'could not read the OWNERS files; triage goes on with the rules read before, if any')).toBe(true);
  });

  test('an OWNERS file that fails to download is logged, the race is labelled without OWNERS rules, and the read is tried again ten minutes on', async () => {
    h.github.fail({ method: 'GET', path: /\/git\/blobs\//, status: 403 });
    await file(311, raceReport('pkg/planner/core', 1));
    expect(labelsSent(311)).toEqual([['type/data-race']]);
    expect(h.logs.some((l) => l.msg === 'could not read the OWNERS files; triage goes on with the rules read before, if any')).toBe(true);

    h.clock.now += 11 * 60_000;
    await file(312, raceReport('pkg/planner/core', 2));
    expect(labelsSent(312)).toEqual([['type/data-race', 'sig/planner']]);
  });

  test('a tree listing GitHub cuts short is used as far as it goes, and says so', async () => {
    h.github.truncatedTrees.add('pingcap/tidb');
    await file(320, raceReport('pkg/planner/core', 1));
    expect(h.logs.some((l) => l.msg === 'the repository tree is too large for one listing; OWNERS files beyond it are not read')).toBe(true);
    expect(h.github.problems).toEqual([]);
  });
});

describe('learned from history, kept current by label events', () => {
  test('a race in a package maintainers routed a dozen times gets their label, with the reason', async () => {
    for (let n = 101; n <= 112; n++) await file(n, raceReport('pkg/ddl', n));
    // Filed unlabelled: nothing learned yet, and nothing said.
    expect(labelsSent(112)).toEqual([['type/data-race']]);
    expect((await history()).map((r) => r.number)).toHaveLength(12);

    h.github.calls.length = 0;
    for (let n = 101; n <= 112; n++) await label(n, ['type/data-race', 'sig/sql-infra']);
    // Label events read no config and send nothing.
    expect(h.github.calls).toEqual([]);
    // The race label is the bot's own: only what people decided is learned.
    expect((await history()).map((r) => r.labels)).toEqual(Array.from({ length: 12 }, () => ['sig/sql-infra']));
    // The race index keeps every label, as GitHub shows them.
    expect((await h.database.index.getIssue({ installationId: INSTALLATION_ID, repo: 'pingcap/tidb', number: 101 }))?.labels).toEqual(['type/data-race', 'sig/sql-infra']);

    await file(200, raceReport('pkg/ddl', 200));
    expect(labelsSent(200)).toEqual([['type/data-race', 'sig/sql-infra']]);
    expect(commentOn(200)).toContain('12 of the 12 earlier routed issues in ddl were labelled sig/sql-infra');

    // The bot's own label event changes nothing, costs nothing, and its label is not learned from.
    h.github.calls.length = 0;
    await h.deliver('issues', labelEvent('labeled', { number: 200, body: raceReport('pkg/ddl', 200), labels: ['type/data-race', 'sig/sql-infra'], updatedAt: '2026-01-03T00:00:00Z' }, 'sig/sql-infra', BOT));
    expect(h.github.calls).toEqual([]);
    expect((await history()).find((r) => r.number === 200)?.labels).toEqual([]);

    // A maintainer who takes a label off: the history follows.
    await h.deliver('issues', labelEvent('unlabeled', { number: 112, body: raceReport('pkg/ddl', 112), labels: ['type/data-race'], updatedAt: '2026-01-04T00:00:00Z' }, 'sig/sql-infra'));
    expect((await history()).find((r) => r.number === 112)?.labels).toEqual([]);
  });

  test('with too little history it abstains and says why in the details', async () => {
    for (let n = 101; n <= 103; n++) await file(n, raceReport('pkg/ddl', n));
    for (let n = 101; n <= 103; n++) await label(n, ['sig/sql-infra']);
    // The same race as #101 again: a comment for the duplicate, and no learned label.
    await file(210, raceReport('pkg/ddl', 101));
    expect(labelsSent(210)).toEqual([['type/data-race']]);
    const body = commentOn(210);
    expect(body).toMatch(/#101\b/);
    expect(body).toContain('Labels not applied:');
    expect(body).toMatch(/`sig\/sql-infra`: .*earlier routed issues in ddl were labelled sig\/sql-infra.*too few to show 90% precision/);
  });

  test('an issue with only a panic in the package teaches it too; closing keeps it, deleting forgets it', async () => {
    await file(401, panicReport('pkg/ddl', 1));
    expect(h.github.calls.filter((c) => c.method !== 'GET')).toEqual([]); // no race: nothing posted
    expect((await history()).map((r) => [r.number, r.packages])).toEqual([[401, [{ package: 'ddl', weight: 1 }]]]);

    await h.deliver('issues', issuesEvent('closed', { number: 401, body: panicReport('pkg/ddl', 1), labels: ['sig/sql-infra'], state: 'closed', updatedAt: '2026-01-05T00:00:00Z' }));
    expect((await history()).map((r) => r.labels)).toEqual([['sig/sql-infra']]);

    await h.deliver('issues', issuesEvent('deleted', { number: 401, body: panicReport('pkg/ddl', 1) }));
    expect(await history()).toEqual([]);

    // An issue that names no code is not in the history, and a label on it does not put it there.
    await file(402, 'The docs have a typo in the README.');
    await h.deliver('issues', labelEvent('labeled', { number: 402, body: 'The docs have a typo in the README.', labels: ['sig/docs'], updatedAt: '2026-01-06T00:00:00Z' }, 'sig/docs'));
    expect(await history()).toEqual([]);
  });
});

describe('installing the app', () => {
  test('the backfill reads the labelled history, so the first new race is routed like the earlier ones', async () => {
    // Closed issues maintainers routed: races, panics, and issues that name no code at all.
    h.github.histories.set('pingcap/tidb', [
      ...Array.from({ length: 10 }, (_, i) => issueObject({ number: i + 1, body: raceReport('pkg/ddl', i + 1), labels: ['sig/sql-infra', 'severity/major'], state: 'closed' })),
      ...Array.from({ length: 4 }, (_, i) => issueObject({ number: i + 11, body: panicReport('pkg/ddl', i + 1), labels: ['sig/sql-infra'], state: 'closed' })),
      issueObject({ number: 15, body: 'Please document the DDL owner election.', labels: ['sig/planner'] }),
    ]);
    const installation = {
      action: 'created',
      installation: { id: INSTALLATION_ID, account: { login: 'pingcap', type: 'Organization' } },
      repositories: [{ id: 1, name: 'tidb', full_name: 'pingcap/tidb', private: false }],
      sender: { login: 'alice', type: 'User' },
    };
    await h.deliver('installation', installation);
    expect((await history()).map((r) => r.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(h.github.calls.filter((c) => c.method !== 'GET')).toEqual([]);

    await file(100, raceReport('pkg/ddl', 100));
    expect(labelsSent(100)).toEqual([['type/data-race', 'sig/sql-infra']]);
    expect(commentOn(100)).toContain('14 of the 14 earlier routed issues in ddl were labelled sig/sql-infra');
  });
});

describe('labels a race bot never sets', () => {
  test('not from OWNERS files, not from label rules, not from the history', async () => {
    h.github.configs.set(
      'pingcap/tidb',
      ['label_rules:', '  "executor/**": [needs-triage, sig/execution]', 'learned_ownership:', '  families: ["priority/*", "sig/*"]', '  min_precision: 0', ''].join('\n'),
    );
    h.github.branchFiles.set('pingcap/tidb', new Map([['pkg/planner/OWNERS', 'labels: [severity/critical, flaky-test, sig/planner]\n']]));

    await file(500, raceReport('pkg/planner/core', 1));
    await file(501, raceReport('pkg/executor', 1));
    for (let n = 510; n <= 512; n++) await file(n, raceReport('pkg/ddl', n));
    for (let n = 510; n <= 512; n++) await label(n, ['priority/high', 'sig/sql-infra']);
    await file(520, raceReport('pkg/ddl', 520));

    expect(labelsSent(500)).toEqual([['type/data-race', 'sig/planner']]);
    expect(labelsSent(501)).toEqual([['type/data-race', 'sig/execution']]);
    expect(labelsSent(520)).toEqual([['type/data-race', 'sig/sql-infra']]);
    const sent = h.github.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/labels')).flatMap((c) => (c.body as { labels: string[] }).labels);
    for (const forbidden of ['severity/critical', 'flaky-test', 'needs-triage', 'priority/high']) expect(sent).not.toContain(forbidden);
    expect(commentOn(500)).toContain('`severity/critical`: race-triage never sets severity/\\* labels');
    expect(commentOn(500)).toContain('`flaky-test`: race-triage never sets flaky-test');
    expect(commentOn(501)).toContain('`needs-triage`: race-triage never sets needs-\\* labels');
  });
});

describe('what a plain issue costs', () => {
  test('no race and no stack: the config lookup alone; a race: one tree listing, once per repository', async () => {
    await file(600, 'The docs have a typo in the README.');
    expect(h.github.requests).toEqual([`GET ${REPO}/contents/.github%2Frace-triage.yml`, 'GET /repos/pingcap/.github/contents/.github%2Frace-triage.yml']);

    h.github.calls.length = 0;
    await file(601, raceReport('pkg/ddl', 1));
    // This repository has no OWNERS files: one listing of its tree says so.
    expect(h.github.requests).toEqual([`GET ${REPO}/labels`, TREE, `POST ${REPO}/issues/601/labels`]);

    h.github.calls.length = 0;
    await file(602, raceReport('pkg/ddl', 2));
    expect(h.github.requests).toEqual([`POST ${REPO}/issues/602/labels`]);
  });
});
