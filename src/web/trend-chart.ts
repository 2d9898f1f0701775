// The Trends page's duration chart: one line a job over a branch's runs, drawn as SVG on the
// server. Positions are percentages of the plot box (padded by CSS), so the chart stretches to
// any width while its text keeps its size: no script, no library, nothing fetched.
import { escapeHtml } from './escape-html.js';
import { formatDuration } from '../pipeline/duration.js';

/** One run as the chart needs it: its id and each job's duration (null when it did not run). */
export interface TrendRun {
  id: string;
  jobs: { name: string; state: string; durationMs: number | null; cached: boolean }[];
}

/** A job's line: a colour and a point a run (undefined where the job has no duration). */
export interface TrendSeries {
  job: string;
  colour: string;
  points: ({ x: number; y: number; ms: number; state: string; cached: boolean; run: string } | undefined)[];
}

// Distinct on white and for the common colour-blindnesses, cycled past ten jobs.
const COLOURS = ['#0969da', '#bc4c00', '#8250df', '#1a7f37', '#bf3989', '#1b7c83', '#cf222e', '#9a6700', '#57606a', '#6639ba'];
const Y_TICKS = 4;

/** The series of the chart: every job that ran in any run (first seen first), x and y in percent. */
export function trendSeries(runs: TrendRun[]): { series: TrendSeries[]; maxSeconds: number } {
  const names: string[] = [];
  for (const run of runs) for (const job of run.jobs) if (!names.includes(job.name)) names.push(job.name);
  const maxMs = Math.max(0, ...runs.flatMap((r) => r.jobs.map((j) => j.durationMs ?? 0)));
  const maxSeconds = niceCeiling(maxMs / 1000);
  const xOf = (i: number): number => (runs.length === 1 ? 50 : (i / (runs.length - 1)) * 100);
  const series = names.map((job, n) => ({
    job,
    colour: COLOURS[n % COLOURS.length]!,
    points: runs.map((run, i) => {
      const j = run.jobs.find((x) => x.name === job);
      if (!j || j.durationMs === null) return undefined;
      return { x: xOf(i), y: 100 - (j.durationMs / 1000 / maxSeconds) * 100, ms: j.durationMs, state: j.state, cached: j.cached, run: run.id };
    }),
  }));
  return { series, maxSeconds };
}

/** The chart (oldest run left) and its legend, or a "no runs yet" note for an empty history. */
export function renderTrendChart(runs: TrendRun[]): string {
  if (runs.length === 0) return '<p class="empty">No runs yet: push to the branch and its jobs\' durations show here.</p>';
  const { series, maxSeconds } = trendSeries(runs);
  const grid = Array.from({ length: Y_TICKS + 1 }, (_, k) => {
    const y = pct(100 - (k / Y_TICKS) * 100);
    return `<line class="grid" x1="0" x2="100%" y1="${y}" y2="${y}"/><text class="tick y" x="-8" y="${y}" dy="0.32em">${secondsLabel((maxSeconds * k) / Y_TICKS)}</text>`;
  }).join('');
  const lines = series.map((s) => `<g class="series" data-job="${escapeHtml(s.job)}" stroke="${s.colour}" fill="${s.colour}">${segments(s)}${dots(s)}</g>`).join('\n');
  const xLabels = runs.length === 1
    ? `<text class="tick x" x="50%" y="100%" dy="1.4em" text-anchor="middle">1 run</text>`
    : `<text class="tick x" x="0" y="100%" dy="1.4em" text-anchor="start">oldest</text><text class="tick x" x="100%" y="100%" dy="1.4em" text-anchor="end">newest (${runs.length} runs)</text>`;
  const legend = series
    .map((s) => `<li data-job="${escapeHtml(s.job)}"><svg class="swatch" width="14" height="14" aria-hidden="true"><rect width="14" height="4" y="5" rx="2" fill="${s.colour}"/></svg>${escapeHtml(s.job)}</li>`)
    .join('');
  return `<figure class="trend-chart">
<svg class="plot" role="img" aria-label="duration of each job over the last ${runs.length} runs, in seconds">
${grid}
<line class="axis" x1="0" x2="100%" y1="100%" y2="100%"/>
${lines}
${xLabels}
</svg>
<figcaption><ul class="legend">${legend}</ul></figcaption>
</figure>`;
}

// Lines between consecutive points; a run without the job breaks its line.
function segments(s: TrendSeries): string {
  const out: string[] = [];
  s.points.forEach((p, i) => {
    const next = s.points[i + 1];
    if (p && next) out.push(`<line x1="${pct(p.x)}" y1="${pct(p.y)}" x2="${pct(next.x)}" y2="${pct(next.y)}"/>`);
  });
  return out.join('');
}

// A dot a run with a tooltip; failed jobs are hollow, so a glance shows where the line broke.
function dots(s: TrendSeries): string {
  return s.points
    .map((p) => {
      if (!p) return '';
      const hollow = p.state === 'failed' || p.state === 'error' ? ' class="hollow"' : '';
      const tip = `${s.job} ${formatDuration(p.ms)} ${p.state}${p.cached ? ' (cached)' : ''} · run ${p.run}`;
      return `<circle${hollow} cx="${pct(p.x)}" cy="${pct(p.y)}" r="3.5"><title>${escapeHtml(tip)}</title></circle>`;
    })
    .join('');
}

// 0.8 -> 1, 3.2 -> 4, 13 -> 20, 47 -> 50: a top of the axis whose quarters read well.
function niceCeiling(seconds: number): number {
  if (seconds <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(seconds));
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * step >= seconds) return m * step;
  return 10 * step;
}

function secondsLabel(seconds: number): string {
  return `${Number(seconds.toPrecision(3))} s`;
}

function pct(n: number): string {
  return `${Number(n.toFixed(2))}%`;
}
