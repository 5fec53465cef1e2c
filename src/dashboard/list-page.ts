/** `/races/{owner}/{repo}`: one row per race cluster, filters, pages, and the weekly chart. */
import type { ClusterPage, ClusterSummary, RaceReportRow } from '../store/dashboard-queries.js';
import { html, type Html } from './html.js';
import { clusterPath, issueUrl, listPath, pullUrl, type RepoName } from './links.js';

export interface ListQuery {
  state: 'open' | 'all';
  label?: string;
  q?: string;
  page: number;
}

export interface ListView {
  repo: RepoName;
  githubUrl: string;
  query: ListQuery;
  result: ClusterPage;
  pageSize: number;
  labels: string[];
  chart: Html;
}

/** The date of an ISO 8601 time. */
export const day = (iso: string) => iso.slice(0, 10);

export function issueChip(githubUrl: string, repo: RepoName, issue: RaceReportRow): Html {
  const state = issue.state === 'open' ? 'open' : issue.stateReason === 'not_planned' ? 'closed, not planned' : 'closed';
  return html`<a class="state ${issue.state}" href="${issueUrl(githubUrl, repo, issue.number)}" title="${issue.title}">#${issue.number} ${state}</a>`;
}

export function fixCell(githubUrl: string, repo: RepoName, c: Pick<ClusterSummary, 'fixes' | 'seenAfterFix'>): Html {
  const fix = c.fixes[0];
  return html`${fix ? html`<a href="${pullUrl(githubUrl, repo, fix.pr)}">#${fix.pr}</a>${fix.fixedAt ? html` <span class="muted">merged ${day(fix.fixedAt)}</span>` : ''}` : html`<span class="muted">none known</span>`}${
    c.seenAfterFix ? html` <span class="badge regressed" title="Reported again after the fix was merged">seen again after its fix</span>` : ''
  }`;
}

function row(view: ListView, c: ClusterSummary): Html {
  const more = c.issueCount - c.issues.length;
  return html`<tr>
  <td><a href="${clusterPath(view.repo, c.fingerprint)}"><code>${c.title}</code></a>${c.partial ? html` <span class="badge partial" title="Only one side of the race was in the report">one side</span>` : ''}<br><span class="muted"><code>${c.fingerprint}</code></span></td>
  <td>${c.issues.map((i) => issueChip(view.githubUrl, view.repo, i))}${more > 0 ? html` <span class="muted">and ${more} more</span>` : ''}</td>
  <td class="num">${c.reports}</td>
  <td>${day(c.firstSeen)}</td>
  <td>${day(c.lastSeen)}</td>
  <td>${c.labels.map((l) => html`<a class="label" href="${listPath(view.repo, { state: view.query.state, label: l, q: view.query.q })}">${l}</a>`)}</td>
  <td>${fixCell(view.githubUrl, view.repo, c)}</td>
</tr>`;
}

export function renderList(view: ListView): Html {
  const { repo, query, result } = view;
  const name = `${repo.owner}/${repo.repo}`;
  const pages = Math.max(1, Math.ceil(result.total / view.pageSize));
  const link = (page: number) => listPath(repo, { state: query.state, label: query.label, q: query.q, page: page > 1 ? String(page) : undefined });
  const filtered = query.state === 'open' ? 'open ' : '';
  return html`<h1>Data races in <a href="${view.githubUrl}/${repo.owner}/${repo.repo}">${name}</a></h1>
${view.chart}
<form class="filters" method="get" action="${listPath(repo)}" role="search">
  <label>Show<select name="state"><option value="open"${query.state === 'open' ? ' selected' : ''}>open races</option><option value="all"${query.state === 'all' ? ' selected' : ''}>all races</option></select></label>
  <label>Label<select name="label"><option value="">any label</option>${view.labels.map((l) => html`<option value="${l}"${l === query.label ? html` selected` : ''}>${l}</option>`)}</select></label>
  <label>Frame contains<input type="search" name="q" value="${query.q ?? ''}" placeholder="e.g. ResetContextOfStmt"></label>
  <button type="submit">Filter</button>
</form>
<p class="muted" id="count">${result.total} ${filtered}race${result.total === 1 ? '' : 's'}${query.label ? html` with label <span class="label">${query.label}</span>` : ''}${query.q ? html` with a frame containing <code>${query.q}</code>` : ''}, most recently seen first. An open race has at least one open issue.</p>
<table class="races" aria-describedby="count">
<thead><tr><th scope="col">Race</th><th scope="col">Issues</th><th scope="col" title="Issue bodies and comments">Reports</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Labels</th><th scope="col">Fix</th></tr></thead>
<tbody>${result.clusters.length === 0 ? html`<tr><td colspan="7">No race matches.</td></tr>` : result.clusters.map((c) => row(view, c))}</tbody>
</table>
<nav class="pages" aria-label="Pages">${query.page > 1 ? html`<a rel="prev" href="${link(query.page - 1)}">Newer</a>` : ''}<span>Page ${query.page} of ${pages}</span>${query.page < pages ? html`<a rel="next" href="${link(query.page + 1)}">Older</a>` : ''}</nav>`;
}
