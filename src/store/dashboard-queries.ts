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
}

export interface ClusterSummary {
  /** The cluster key: its (canonical) fingerprint. */
  fingerprint: string;
  /** The racing pair, from the newest report's signature. */
  title: string;
  partial: boolean;
  reports: number;
  openIssues: number;
  firstSeen: string;
  lastSeen: string;
  /** Newest first, at most `ISSUES_PER_ROW`. */
  issues: RaceReportRow[];
  /** Every label on any of its issues, sorted. */
  labels: string[];
  /** Issues of the cluster with a known fixing PR, newest fix first. */
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
  reports: number;
  firstSeen: string;
  lastSeen: string;
  /** Newest first, at most `REPORTS_PER_CLUSTER_PAGE`, each with its own signature. */
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
    const grouped = this.clusterAggregates(repoId, filter);
    const [rows, count] = await Promise.all([
      grouped.orderBy('last_ms', 'desc').orderBy('cluster').offset(page.offset).limit(page.limit).execute(),
      this.db.selectFrom(grouped.as('c')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    ]);
    const keys = rows.map((r) => r.cluster);
    const [members, titles] = await Promise.all([this.members(repoId, keys), this.signatures(rows.map((r) => Number(r.newest_race)))]);
    const clusters = rows.map((row): ClusterSummary => {
      const reports = members.get(row.cluster) ?? [];
      const fixes = fixesOf(reports);
      return {
        fingerprint: row.cluster,
        title: titles.get(Number(row.newest_race))?.title ?? row.cluster,
        partial: Number(row.partial) === 1,
        reports: Number(row.reports),
        openIssues: Number(row.open_issues),
        firstSeen: iso(row.first_ms),
        lastSeen: iso(row.last_ms),
        issues: reports.slice(0, ISSUES_PER_ROW),
        labels: [...new Set(reports.flatMap((r) => r.labels))].sort(),
        fixes,
        seenAfterFix: seenAfterFix(Number(row.last_ms), fixes),
      };
    });
    return { clusters, total: Number(count.n) };
  }

  /** The cluster of one fingerprint, or undefined when this repository has no such race. */
  async cluster(repoId: number, fingerprint: string): Promise<ClusterDetail | undefined> {
    const rows = await this.db
      .selectFrom('races')
      .innerJoin('issues', 'issues.id', 'races.issue_id')
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
      reports: new Set(issues.map((i) => i.number)).size,
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

  /** Clusters of the repository matching the filter, with their counts and dates, ungrouped order. */
  private clusterAggregates(repoId: number, filter: ClusterFilter) {
    const openCount = sql<number>`sum(case when issues.state = 'open' then 1 else 0 end)`;
    let query = this.db
      .selectFrom('races')
      .innerJoin('issues', 'issues.id', 'races.issue_id')
      .where('races.repo_id', '=', repoId)
      .groupBy(clusterKey)
      .select([
        clusterKey.as('cluster'),
        sql<number>`count(distinct races.issue_id)`.as('reports'),
        openCount.as('open_issues'),
        sql<number>`min(${seenMs})`.as('first_ms'),
        sql<number>`max(${seenMs})`.as('last_ms'),
        sql<number>`min(races.partial)`.as('partial'),
        sql<number>`max(races.id)`.as('newest_race'),
      ]);
    if (filter.openOnly) query = query.having(openCount, '>', 0);
    if (filter.label !== undefined) query = query.where(clusterKey, 'in', this.clustersWithLabel(repoId, filter.label));
    if (filter.text) query = query.where(clusterKey, 'in', this.clustersWithFrame(repoId, filter.text));
    return query;
  }

  private clustersWithLabel(repoId: number, label: string): RawBuilder<string> {
    const hasLabel =
      this.backend === 'postgres'
        ? sql`issues.labels::jsonb @> jsonb_build_array(${label}::text)`
        : sql`exists (select 1 from json_each(issues.labels) l where l.value = ${label})`;
    return sql<string>`(select ${clusterKey} from races inner join issues on issues.id = races.issue_id
      where races.repo_id = ${repoId} and ${hasLabel})`;
  }

  /** Clusters with a frame (a stored signature key, either side) containing `text`. */
  private clustersWithFrame(repoId: number, text: string): RawBuilder<string> {
    const pattern = `%${text.replace(/[\\%_]/g, '\\$&')}%`;
    const hasFrame =
      this.backend === 'postgres'
        ? sql`exists (select 1 from jsonb_array_elements(races.signature::jsonb -> 'sides') s, jsonb_array_elements_text(s -> 'keys') k
            where k ilike ${pattern} escape '\\')`
        : sql`exists (select 1 from json_each(races.signature, '$.sides') s, json_each(s.value, '$.keys') k
            where k.value like ${pattern} escape '\\')`;
    return sql<string>`(select ${clusterKey} from races where races.repo_id = ${repoId} and ${hasFrame})`;
  }

  /** Every report of the given clusters, newest first. */
  private async members(repoId: number, keys: string[]): Promise<Map<string, RaceReportRow[]>> {
    const byCluster = new Map<string, RaceReportRow[]>();
    if (keys.length === 0) return byCluster;
    const rows = await this.db
      .selectFrom('races')
      .innerJoin('issues', 'issues.id', 'races.issue_id')
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
  'issues.fixing_pr',
  'issues.fixed_at',
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
  };
}

function fixesOf(reports: RaceReportRow[]): ClusterSummary['fixes'] {
  return reports
    .filter((r) => r.fixingPr !== null)
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
