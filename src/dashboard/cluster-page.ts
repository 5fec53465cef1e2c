/** `/races/{owner}/{repo}/{fingerprint}`: one race, both stacks, every issue that reported it. */
import type { SideSignature } from '../race/types.js';
import type { ClusterDetail } from '../store/dashboard-queries.js';
import { html, type Html } from './html.js';
import { day, fixCell, issueChip } from './list-page.js';
import { commentUrl, issueUrl, listPath, type RepoName } from './links.js';

function side(s: SideSignature, i: number): Html {
  return html`<section class="side"><h3>${i === 0 ? 'One side' : 'The other side'}: ${s.kind}</h3>
<ol class="frames">${s.keys.map((k) => html`<li>${k}</li>`)}</ol></section>`;
}

export function renderCluster(repo: RepoName, githubUrl: string, c: ClusterDetail): Html {
  const sig = c.signature;
  const more = c.reports - c.issues.length;
  return html`<p><a href="${listPath(repo)}">← All races in ${repo.owner}/${repo.repo}</a></p>
<h1><code>${sig.title}</code></h1>
<p><code>${c.fingerprint}</code>${sig.partial ? html` <span class="badge partial">one side only: it can resemble other races, never equal them</span>` : ''}${sig.test ? html` · caught by <code>${sig.test}</code>` : ''}</p>
<p>${c.reports} report${c.reports === 1 ? '' : 's'} · first seen ${day(c.firstSeen)} · last seen ${day(c.lastSeen)} · fix: ${fixCell(githubUrl, repo, c)}</p>
<h2>The racing stacks, as normalised</h2>
<p class="muted">Significant frames only, top first, from the newest full report: instrumentation and test-harness frames are left out, package paths and closure numbers normalised.</p>
<div class="sides">${sig.sides.map(side)}</div>
<h2>Reported in</h2>
<table class="reports"><thead><tr><th scope="col">Issue</th><th scope="col">Where</th><th scope="col">Title</th><th scope="col">Reported</th><th scope="col">Labels</th><th scope="col">Its stacks</th></tr></thead>
<tbody>${c.issues.map(
    (i) => html`<tr><td>${issueChip(githubUrl, repo, i)}</td><td>${i.commentId === null ? 'the issue' : html`<a href="${commentUrl(githubUrl, repo, i.number, i.commentId)}">a comment</a>`}</td><td><a href="${issueUrl(githubUrl, repo, i.number)}">${i.title}</a></td><td>${day(i.seenAt)}</td>
<td>${i.labels.map((l) => html`<span class="label">${l}</span>`)}</td>
<td>${JSON.stringify(i.signature.sides) === JSON.stringify(sig.sides) ? html`<span class="muted">as above</span>` : html`<details><summary>differ below the top frame</summary><div class="sides">${i.signature.sides.map(side)}</div></details>`}</td></tr>`,
  )}</tbody></table>
${more > 0 ? html`<p class="muted">and ${more} older reports.</p>` : ''}`;
}
