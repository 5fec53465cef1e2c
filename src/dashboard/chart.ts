/**
 * New race reports per week over the last year, stacked by component label, as server-side
 * SVG. Screen readers get the chart's title and a summary in words (`<title>`, `<desc>`),
 * each bar its own title, and the numbers as a table below it; no script is needed.
 */
import { WEEK_MS, type WeeklyCount } from '../store/dashboard-queries.js';
import { html, type Html } from './html.js';

export const CHART_WEEKS = 52;
/** Components shown by name; the rest are summed as "other components". */
const MAX_SERIES = 7;
export const NO_COMPONENT = 'no component label';
const OTHER = 'other components';
/** Okabe-Ito: told apart with any colour vision. Grey is for "other" and "none". */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442'];
const GREY = '#8a8a8a';
const WIDTH = 760;
const HEIGHT = 180;
const LEFT = 32;
const BOTTOM = 20;

export interface ChartSeries {
  name: string;
  colour: string;
  /** Reports per week, oldest week first. */
  weeks: number[];
}

/** A report's component: its first label (alphabetically) with one of the prefixes. */
export function componentOf(labels: string[], prefixes: string[]): string {
  return [...labels].sort().find((l) => prefixes.some((p) => l.startsWith(p))) ?? NO_COMPONENT;
}

export function chartSeries(counts: WeeklyCount[], prefixes: string[]): ChartSeries[] {
  const byComponent = new Map<string, number[]>();
  for (const { week, labels, count } of counts) {
    if (week < 0 || week >= CHART_WEEKS) continue;
    const name = componentOf(labels, prefixes);
    const weeks = byComponent.get(name) ?? new Array<number>(CHART_WEEKS).fill(0);
    weeks[week]! += count;
    byComponent.set(name, weeks);
  }
  const sum = (w: number[]) => w.reduce((a, b) => a + b, 0);
  const named = [...byComponent.entries()].filter(([n]) => n !== NO_COMPONENT).sort((a, b) => sum(b[1]) - sum(a[1]) || a[0].localeCompare(b[0]));
  const series = named.slice(0, MAX_SERIES).map(([name, weeks], i) => ({ name, colour: COLOURS[i]!, weeks }));
  const rest = named.slice(MAX_SERIES).map(([, w]) => w);
  if (rest.length > 0) series.push({ name: OTHER, colour: GREY, weeks: rest.reduce((acc, w) => acc.map((x, i) => x + w[i]!)) });
  const none = byComponent.get(NO_COMPONENT);
  if (none) series.push({ name: NO_COMPONENT, colour: '#c8c8c8', weeks: none });
  return series;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function renderChart(series: ChartSeries[], fromMs: number): Html {
  const totals = Array.from({ length: CHART_WEEKS }, (_, w) => series.reduce((s, x) => s + x.weeks[w]!, 0));
  const total = totals.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...totals);
  const plotHeight = HEIGHT - BOTTOM;
  const barWidth = (WIDTH - LEFT) / CHART_WEEKS;
  const toMs = fromMs + CHART_WEEKS * WEEK_MS;
  const busiest = totals.indexOf(Math.max(...totals));
  const summary =
    total === 0
      ? `No new race reports from ${day(fromMs)} to ${day(toMs)}.`
      : `${total} new race report${total === 1 ? '' : 's'} in the ${CHART_WEEKS} weeks from ${day(fromMs)} to ${day(toMs)}; ` +
        `the most, ${totals[busiest]}, in the week of ${day(fromMs + busiest * WEEK_MS)}. By component: ` +
        series.map((s) => `${s.name} ${s.weeks.reduce((a, b) => a + b, 0)}`).join(', ') + '.';

  const bars = totals.flatMap((_, w) => {
    let y = plotHeight;
    return series.flatMap((s) => {
      const n = s.weeks[w]!;
      if (n === 0) return [];
      const h = (n / max) * (plotHeight - 8);
      y -= h;
      return [
        html`<rect x="${(LEFT + w * barWidth + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.colour}"><title>Week of ${day(fromMs + w * WEEK_MS)}: ${n} ${s.name}</title></rect>`,
      ];
    });
  });
  const months = Array.from({ length: CHART_WEEKS }, (_, w) => w).filter((w) => {
    const start = new Date(fromMs + w * WEEK_MS);
    return start.getUTCDate() <= 7;
  });
  const axis = months.map(
    (w) => html`<text x="${(LEFT + w * barWidth).toFixed(1)}" y="${HEIGHT - 6}" font-size="10" fill="#555">${new Date(fromMs + w * WEEK_MS).toISOString().slice(0, 7)}</text>`,
  );
  return html`<figure class="chart">
  <figcaption>New race reports per week, by component label</figcaption>
  <svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet">
    <title id="chart-title">New race reports per week, ${day(fromMs)} to ${day(toMs)}</title>
    <desc id="chart-desc">${summary}</desc>
    <line x1="${LEFT}" y1="${plotHeight}" x2="${WIDTH}" y2="${plotHeight}" stroke="#999"/>
    <text x="0" y="12" font-size="10" fill="#555">${max}</text><text x="0" y="${plotHeight}" font-size="10" fill="#555">0</text>
    ${bars}${axis}
  </svg>
  <ul class="legend">${series.map((s) => html`<li><span class="swatch" aria-hidden="true"><svg width="10" height="10"><rect width="10" height="10" fill="${s.colour}"/></svg></span>${s.name}</li>`)}</ul>
  <p class="summary">${summary}</p>
  <details><summary>The numbers</summary>
    <table class="chart-data"><thead><tr><th scope="col">Week of</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}<th scope="col">All</th></tr></thead>
    <tbody>${totals.map((t, w) => (t === 0 ? '' : html`<tr><th scope="row">${day(fromMs + w * WEEK_MS)}</th>${series.map((s) => html`<td>${s.weeks[w]}</td>`)}<td>${t}</td></tr>`))}</tbody></table>
  </details>
</figure>`;
}
