/**
 * The race dashboard's reads: one repository's race clusters, a cluster's reports, the
 * weekly count of new reports. Every query is bounded by one repository (the
 * `(repo_id, ...)` indexes) and aggregates in the database; nothing loads the index.
 *
 * A cluster is the set of issues that report the same race. Today that is one fingerprint
 * (full or partial) in `races`. Every query reaches the cluster through `clusterKey`, so
 * maintainer-confirmed duplicates can later merge clusters by mapping fingerprints to one
 * canonical fingerprint there (a join on a mapping table), without changing the callers.
 *
 * When a race was seen is the reporting issue's `created_at`, or its `updated_at` for an
 * issue indexed before creation times were recorded.
 *
 * An issue's fix is read from `issue_fixes`, where every merged pull request that closed it is
 * recorded (webhook and backfill alike), whether or not the issue was indexed yet: the one
 * record of fixes, which the bot's comment reads too.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RaceSignature } from '../race/types.js';
import type { IssueState } from '../triage/types.js';
import type { Backend } from './migrations.js';
import type { IndexTables } from './schema.js';

/** A repository as the dashboard sees it. */
export interface DashboardRepository {
  id: number;
  /** True when any of its indexed issues came from a private repository. */
  private: boolean;
}

export interface ClusterFilter {
  /** Only clusters with at least one open issue. */
  openOnly: boolean;
  /** Only clusters with an issue carrying this label. */
  label?: string;
  /** Only clusters with a frame containing this text (case-insensitive). */
  text?: string;
}

/** One issue that reported a race. */
export interface RaceReportRow {
  number: number;
  title: string;
  state: IssueState;
  stateReason: string | null;
  labels: string[];
  /** ISO 8601. */
  seenAt: string;
  fixingPr: number | null;
  /** When the fix was merged, ISO 8601; null when unknown. */
  fixedAt: string | null;
  /** The comment that reported it; null for the issue's body. */
  commentId: number | null;
}

export interface ClusterSummary {
  /** The cluster key: its (canonical) fingerprint. */
  fingerprint: string;
  /** The racing pair, from the newest report's signature. */
  title: string;
  partial: boolean;
  /** Reports: issue bodies and comments. */
  reports: number;
  /** Distinct issues among them. */
  issueCount: number;
  openIssues: number;
  firstSeen: string;
  lastSeen: string;
  /** Newest first, at most `ISSUES_PER_ROW`. */
  issues: RaceReportRow[];
  /** Every label on any of its issues, sorted. */
  labels: string[];
  /** Issues of the cluster with a merged fix, newest fix first, one per issue (its latest). */
  fixes: { pr: number; issue: number; fixedAt: string | null }[];
  /** Reported again after the latest known fix was merged. */
  seenAfterFix: boolean;
}

export interface ClusterPage {
  clusters: ClusterSummary[];
  /** Clusters matching the filter, over all pages. */
  total: number;
}

export interface ClusterDetail {
  fingerprint: string;
  /** The newest report's signature: both stacks as the engine normalised them. */
  signature: RaceSignature;
  /** Reports: issue bodies and comments. */
  reports: number;
  firstSeen: string;
  lastSeen: string;
  /** Newest first, one per report (an issue's body and its comments apart), at most `REPORTS_PER_CLUSTER_PAGE`, each with its own signature. */
  issues: (RaceReportRow & { signature: RaceSignature })[];
  fixes: ClusterSummary['fixes'];
  seenAfterFix: boolean;
}

/** New reports of one week with one set of labels. */
export interface WeeklyCount {
  /** Weeks since the start of the range, from 0. */
  week: number;
  labels: string[];
  count: number;
}

/** Issues listed in one row of the list; the cluster page lists more. */
export const ISSUES_PER_ROW = 10;
/** Reports listed on a cluster page. */
export const REPORTS_PER_CLUSTER_PAGE = 200;
/** Labels offered by the label filter. */
const MAX_LABELS = 500;
export const WEEK_MS = 7 * 24 * 3600 * 1000;

const seenMs = sql<number>`coalesce(issues.created_ms, issues.updated_ms)`;
/**
 * A column of the issue's latest merged fix (one indexed read per report; `repos` joined). The
 * latest, as the bot's comment names it: an issue reopened and fixed again is fixed by the later
 * pull request, and only a report after that merge is seen again after its fix.
 */
const latestFix = <T extends 'pr' | 'merged_at'>(column: T) =>
  sql<(T extends 'pr' ? number | string : string) | null>`(select f.${sql.ref(column)} from issue_fixes f
    where f.installation_id = repos.installation_id and f.repo = repos.name and f.issue = issues.number
    order by f.merged_at desc, f.pr desc limit 1)`;
/** The cluster a race belongs to (see the file comment). */
const clusterKey = sql<string>`races.fingerprint`;

type MemberRow = {
  cluster: string;
  number: number | string;
  title: string;
  state: string;
  state_reason: string | null;
  labels: string;
  fixing_pr: number | string | null;
  fixed_at: string | null;
  comment_id: number | string | null;
  seen_ms: number | string;
};

export class DashboardQueries {
  constructor(
    private readonly db: Kysely<IndexTables>,
    private readonly backend: Backend,
  ) {}

  /** The repository named `owner/name` (any case), or undefined when the index holds none of its issues. */
  async repository(name: string): Promise<DashboardRepository | undefined> {
    const rows = await this.db
      .selectFrom('repos')
      .innerJoin('issues', 'issues.repo_id', 'repos.id')
      .where('repos.name', '=', name.toLowerCase())
      .groupBy('repos.id')
      .select(['repos.id', sql<number>`max(issues.private)`.as('private'), sql<number>`max(issues.updated_ms)`.as('newest')])
      .execute();
    if (rows.length === 0) return undefined;
    // A repository reinstalled under a new installation has two rows: the live one is written to last.
    const live = rows.sort((a, b) => Number(b.newest) - Number(a.newest))[0]!;
    return { id: Number(live.id), private: rows.some((r) => Number(r.private) === 1) };
  }

  /** One page of clusters, most recently seen first. */
  async clusters(repoId: number, filter: ClusterFilter, page: { offset: number; limit: number }): Promise<ClusterPage> {
    const rows = await this.clusterAggregates(repoId, filter)
      .orderBy('last_ms', 'desc')
      .orderBy('cluster')
      .offset(page.offset)
      .limit(page.limit)
      .execute();
    // A page past the end has no row to carry the total: count once more, without the page.
    const total = rows[0]?.total ?? (page.offset === 0 ? 0 : (await this.clusterAggregates(repoId, filter).limit(1).execute())[0]?.total ?? 0);
    const keys = rows.map((r) => r.cluster);
    const [members, titles] = await Promise.all([this.members(repoId, keys), this.signatures(rows.map((r) => Number(r.newest_race)))]);
    const clusters = rows.map((row): ClusterSummary => {
      const reports = members.get(row.cluster) ?? [];
      const fixes = fixesOf(reports);
      const newest = titles.get(Number(row.newest_race));
      return {
        fingerprint: row.cluster,
        title: newest?.title ?? row.cluster,
        // Races of one fingerprint are all partial or all full.
        partial: newest?.partial ?? false,
        reports: Number(row.reports),
        issueCount: reports.length,
        openIssues: Number(row.open_issues),
        firstSeen: iso(row.first_ms),
        lastSeen: iso(row.last_ms),
        issues: reports.slice(0, ISSUES_PER_ROW),
        labels: [...new Set(reports.flatMap((r) => r.labels))].sort(),
        fixes,
        seenAfterFix: seenAfterFix(Number(row.last_ms), fixes),
      };
    });
    return { clusters, total: Number(total) };
  }

  /** The cluster of one fingerprint, or undefined when this repository has no such race. */
  async cluster(repoId: number, fingerprint: string): Promise<ClusterDetail | undefined> {
    const rows = await this.db
      .selectFrom('races')
      .innerJoin('issues', 'issues.id', 'races.issue_id')
      .innerJoin('repos', 'repos.id', 'issues.repo_id')
      .where('races.repo_id', '=', repoId)
      .where(clusterKey, '=', fingerprint)
      .select([...memberColumns, 'races.signature'])
      .orderBy('seen_ms', 'desc')
      .orderBy('issues.number', 'desc')
      .execute();
    if (rows.length === 0) return undefined;
    const issues = rows.map((row) => ({ ...toReport(row), signature: JSON.parse(row.signature) as RaceSignature }));
    const fixes = fixesOf(issues);
    const seen = rows.map((r) => Number(r.seen_ms));
    const lastMs = Math.max(...seen);
    // A full report shows both stacks: prefer the newest one that has them.
    const representative = issues.find((i) => !i.signature.partial) ?? issues[0]!;
    return {
      fingerprint,
      signature: representative.signature,
      reports: issues.length,
      firstSeen: iso(Math.min(...seen)),
      lastSeen: iso(lastMs),
      issues: issues.slice(0, REPORTS_PER_CLUSTER_PAGE),
      fixes,
      seenAfterFix: seenAfterFix(lastMs, fixes),
    };
  }

  /** Labels on the repository's race issues, for the label filter. */
  async labels(repoId: number): Promise<string[]> {
    const query =
      this.backend === 'postgres'
        ? sql<{ label: string }>`select distinct jsonb_array_elements_text(labels::jsonb) as label from issues where repo_id = ${repoId} order by 1 limit ${MAX_LABELS}`
        : sql<{ label: string }>`select distinct l.value as label from issues, json_each(issues.labels) l where issues.repo_id = ${repoId} order by 1 limit ${MAX_LABELS}`;
    return (await query.execute(this.db)).rows.map((r) => r.label);
  }

  /** Issues first seen in [fromMs, toMs), counted per week and label set. */
  async weeklyReports(repoId: number, fromMs: number, toMs: number): Promise<WeeklyCount[]> {
    const dated = this.db
      .selectFrom('issues')
      .where('issues.repo_id', '=', repoId)
      .where(seenMs, '>=', fromMs)
      .where(seenMs, '<', toMs)
      .select([sql<number>`cast((${seenMs} - ${fromMs}) / ${WEEK_MS} as integer)`.as('week'), 'issues.labels']);
    const rows = await this.db
      .selectFrom(dated.as('d'))
      .groupBy(['d.week', 'd.labels'])
      .select(['d.week', 'd.labels', sql<number>`count(*)`.as('n')])
      .execute();
    return rows.map((r) => ({ week: Number(r.week), labels: JSON.parse(r.labels) as string[], count: Number(r.n) }));
  }

  /**
   * The repository's clusters matching the filter, with counts, dates and the number of
   * matches over all pages (`total`), in one pass over its races: a filter is a per-race
   * flag that the cluster must have at least once, so counts and dates still cover every
   * report of a matching cluster.
   */
  private clusterAggregates(repoId: number, filter: ClusterFilter) {
    const openCount = sql<number>`sum(case when issues.state = 'open' then 1 else 0 end)`;
    let query = this.db
      .selectFrom('races')
      .innerJoin('issues', 'issues.id', 'races.issue_id')
      .where('races.repo_id', '=', repoId)
      .groupBy(clusterKey)
      .select([
        clusterKey.as('cluster'),
        // One row per report: an issue's body, or one of its comments.
        sql<number>`count(*)`.as('reports'),
        openCount.as('open_issues'),
        sql<number>`min(${seenMs})`.as('first_ms'),
        sql<number>`max(${seenMs})`.as('last_ms'),
        sql<number>`max(races.id)`.as('newest_race'),
        sql<number>`count(*) over ()`.as('total'),
      ]);
    if (filter.openOnly) query = query.having(openCount, '>', 0);
    if (filter.label !== undefined) query = query.having(sql`max(case when ${this.hasLabel(filter.label)} then 1 else 0 end)`, '=', 1);
    if (filter.text) query = query.having(sql`max(${this.frameMatches(filter.text)})`, '=', 1);
    return query;
  }

  /** The issue carries exactly this label. */
  private hasLabel(label: string): RawBuilder<boolean> {
    return this.backend === 'postgres'
      ? sql`issues.labels::jsonb @> jsonb_build_array(${label}::text)`
      : sql`exists (select 1 from json_each(issues.labels) l where l.value = ${label})`;
  }

  /**
   * 1 when a frame of the race (a signature key, either side) contains `text`, any case; else 0.
   * A LIKE over the stored JSON text rules most races out before any JSON is parsed.
   */
  private frameMatches(text: string): RawBuilder<number> {
    const pattern = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;
    const inJson = pattern(JSON.stringify(text).slice(1, -1));
    const inKey = pattern(text);
    const parsed =
      this.backend === 'postgres'
        ? sql`exists (select 1 from jsonb_array_elements(races.signature::jsonb -> 'sides') s, jsonb_array_elements_text(s -> 'keys') k
            where k ilike ${inKey} escape '\\')`
        : sql`exists (select 1 from json_each(races.signature, '$.sides') s, json_each(s.value, '$.keys') k
            where k.value like ${inKey} escape '\\')`;
    const like = this.backend === 'postgres' ? sql`ilike` : sql`like`;
    // CASE, unlike AND, evaluates in order on both backends.
    return sql`case when races.signature ${like} ${inJson} escape '\\' then (case when ${parsed} then 1 else 0 end) else 0 end`;
  }

  /** Every report of the given clusters, newest first. */
  private async members(repoId: number, keys: string[]): Promise<Map<string, RaceReportRow[]>> {
    const byCluster = new Map<string, RaceReportRow[]>();
    if (keys.length === 0) return byCluster;
    const rows = await this.db
      .selectFrom('races')
      .innerJoin('issues', 'issues.id', 'races.issue_id')
      .innerJoin('repos', 'repos.id', 'issues.repo_id')
      .where('races.repo_id', '=', repoId)
      .where(clusterKey, 'in', keys)
      .select(memberColumns)
      .orderBy('seen_ms', 'desc')
      .orderBy('issues.number', 'desc')
      .execute();
    for (const row of rows as MemberRow[]) {
      const list = byCluster.get(row.cluster) ?? [];
      if (!list.some((r) => r.number === Number(row.number))) list.push(toReport(row));
      byCluster.set(row.cluster, list);
    }
    return byCluster;
  }

  private async signatures(raceIds: number[]): Promise<Map<number, RaceSignature>> {
    if (raceIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('races').where('id', 'in', raceIds).select(['id', 'signature']).execute();
    return new Map(rows.map((r) => [Number(r.id), JSON.parse(r.signature) as RaceSignature]));
  }
}

const memberColumns = [
  clusterKey.as('cluster'),
  'issues.number',
  'issues.title',
  'issues.state',
  'issues.state_reason',
  'issues.labels',
  latestFix('pr').as('fixing_pr'),
  latestFix('merged_at').as('fixed_at'),
  'races.comment_id',
  seenMs.as('seen_ms'),
] as const;

function toReport(row: MemberRow): RaceReportRow {
  return {
    number: Number(row.number),
    title: row.title,
    state: row.state === 'closed' ? 'closed' : 'open',
    stateReason: row.state_reason,
    labels: JSON.parse(row.labels) as string[],
    seenAt: iso(row.seen_ms),
    fixingPr: row.fixing_pr === null ? null : Number(row.fixing_pr),
    fixedAt: row.fixed_at,
    commentId: row.comment_id === null ? null : Number(row.comment_id),
  };
}

function fixesOf(reports: RaceReportRow[]): ClusterSummary['fixes'] {
  return reports
    .filter((r, i) => r.fixingPr !== null && reports.findIndex((o) => o.number === r.number) === i)
    .map((r) => ({ pr: r.fixingPr!, issue: r.number, fixedAt: r.fixedAt }))
    .sort((a, b) => (b.fixedAt ?? '').localeCompare(a.fixedAt ?? ''));
}

/** Seen after the latest fix whose merge time is known. */
function seenAfterFix(lastSeenMs: number, fixes: ClusterSummary['fixes']): boolean {
  const merged = fixes.map((f) => (f.fixedAt ? Date.parse(f.fixedAt) : NaN)).filter((ms) => !Number.isNaN(ms));
  return merged.length > 0 && lastSeenMs > Math.max(...merged);
}

function iso(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}
