// GET /<repo>/runs/<id>: one run: its headline (state, commit, branch, duration) and its jobs in
// DAG order with needs, state, duration, exit code, cache, usage and artifacts. While the run is
// queued or running the client script polls the JSON API and updates the page.
import type { RunView } from '../store/results.js';
import type { JobRecord } from '../report/run-record.js';
import { formatSize } from '../pipeline/size.js';
import { escapeHtml } from './escape-html.js';
import { renderPage } from './page-shell.js';
import { ageHtml, durationText, link, pagePath, shortSha, statePill } from './page-bits.js';
import { dagOrder } from './job-order.js';

interface JobRow {
  name: string;
  state: string;
  needs: string[];
  exitCode: number | null;
  durationMs: number | null;
  cachedFrom: string | null;
  cached: boolean;
  record?: JobRecord;
}

/** The run page of a recorded, running or queued run. */
export function renderRun(repo: string, view: RunView, now = Date.now()): string {
  const s = view.status;
  const id = s.run!;
  const jobs: JobRow[] = view.record
    ? view.record.jobs.map((j) => ({ name: j.name, state: j.state, needs: j.needs ?? [], exitCode: j.exitCode, durationMs: j.durationMs, cached: j.cached, cachedFrom: j.cachedFrom ?? null, record: j }))
    : s.jobs.map((j) => ({
        name: j.name,
        state: j.state,
        // A running run's needs come from its live state.
        needs: view.live?.jobs.find((l) => l.name === j.name)?.needs ?? [],
        exitCode: j.exitCode,
        durationMs: j.durationMs,
        cached: j.cached,
        cachedFrom: j.cachedFrom,
      }));
  const rows = dagOrder(jobs).map((j) => jobRow(repo, id, j));
  const branch = s.branch ?? view.record?.branch ?? '';
  const facts: [string, string][] = [
    ['commit', `<span class="mono">${escapeHtml(shortSha(s.commit))}</span>`],
    ['branch', branch ? link(pagePath(repo, 'log', branch), branch) : '–'],
    ['duration', `<span data-field="duration">${durationText(s.durationMs)}</span>`],
    ['started', ageHtml(s.startedAt, now) || '–'],
  ];
  if (view.record?.trigger) facts.push(['trigger', escapeHtml(view.record.trigger)]);
  if (view.record?.retryOf) facts.push(['retry of', link(pagePath(repo, 'runs', view.record.retryOf), view.record.retryOf)]);
  if (view.record?.supersededBy) facts.push(['superseded by', link(pagePath(repo, 'runs', view.record.supersededBy), view.record.supersededBy)]);
  const problems = view.record?.problems?.length ? `<pre class="problems">${escapeHtml(view.record.problems.join('\n'))}</pre>` : '';
  const error = view.error ? `<p class="run-error">${escapeHtml(view.error)}</p>` : '';
  const body = `<section class="headline">
<h1>${statePill(s.state)} <span class="mono">run ${escapeHtml(id)}</span></h1>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
${error}${problems}
</section>
<section class="card">
<h2>Jobs</h2>
${rows.length ? `<table class="rows jobs"><thead><tr><th>job</th><th>needs</th><th>state</th><th>duration</th><th>exit</th><th>details</th><th>artifacts</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>` : `<p class="empty">${s.state === 'queued' ? 'Queued: no job has started yet.' : 'No jobs.'}</p>`}
</section>`;
  const live = s.state === 'queued' || s.state === 'running';
  return renderPage({
    title: `run ${id.slice(0, 10)} · ${repo}`,
    repo,
    crumbs: `${branch ? link(pagePath(repo, 'log', branch), branch) + '<span class="sep">/</span>' : ''}<span class="mono">${escapeHtml(id.slice(0, 10))}</span>`,
    body,
    data: { page: 'run', state: s.state ?? 'none', api: `/api/${encodeURIComponent(repo)}/runs/${id}`, live: String(live) },
  });
}

function jobRow(repo: string, id: string, j: JobRow): string {
  const details: string[] = [];
  if (j.cached) details.push(j.cachedFrom ? `cached from ${link(pagePath(repo, 'runs', j.cachedFrom), j.cachedFrom.slice(0, 10))}` : 'cached');
  const usage = j.record?.usage;
  if (usage?.cpuSeconds !== null && usage?.cpuSeconds !== undefined) details.push(`cpu ${usage.cpuSeconds.toFixed(2)} s`);
  if (usage?.peakMemoryBytes !== null && usage?.peakMemoryBytes !== undefined) details.push(`mem ${escapeHtml(formatSize(usage.peakMemoryBytes))}`);
  if (j.record?.tests) details.push(`tests ${j.record.tests.passed}/${j.record.tests.tests} passed`);
  if (j.record?.timedOut) details.push('timed out');
  if (j.record?.reason) details.push(`<span class="reason">${escapeHtml(j.record.reason)}</span>`);
  const art = j.record?.artifacts;
  const artifacts = art ? `<a class="download" href="${escapeHtml(pagePath(repo, 'runs', id, 'artifacts', `${j.name}.tar.gz`))}" download>${escapeHtml(j.name)}.tar.gz</a> <span class="muted">${art.files} file${art.files === 1 ? '' : 's'}, ${escapeHtml(formatSize(art.bytes))}</span>` : '';
  const needs = j.needs.length ? `${j.needs.map(escapeHtml).join(', ')} → ${escapeHtml(j.name)}` : '';
  return `<tr data-job="${escapeHtml(j.name)}">
<td data-label="job" class="job">${link(pagePath(repo, 'runs', id, 'logs', j.name), j.name)}</td>
<td data-label="needs" class="needs">${needs}</td>
<td data-label="state" data-field="state">${statePill(j.state)}</td>
<td data-label="duration" class="num" data-field="duration">${durationText(j.durationMs)}</td>
<td data-label="exit" class="num" data-field="exit">${j.exitCode ?? ''}</td>
<td data-label="details" class="details">${details.join(' · ')}</td>
<td data-label="artifacts">${artifacts}</td>
</tr>`;
}
