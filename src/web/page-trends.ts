// GET /<repo>/trends/<branch>?n=30: how the branch's last runs went, as a strip of pass/fail
// squares (oldest left, each a link to its run) and a chart of each job's duration.
import type { RunRecord } from '../report/run-record.js';
import { escapeHtml } from './escape-html.js';
import { renderPage } from './page-shell.js';
import { durationText, link, pagePath, stateClass } from './page-bits.js';
import { renderTrendChart } from './trend-chart.js';

/** The trends page of one branch; `runs` newest first, as the runs API gives them. */
export function renderTrends(repo: string, branch: string, runs: RunRecord[]): string {
  const oldestFirst = [...runs].reverse();
  const squares = oldestFirst.map((r) => {
    const tip = `run ${r.id} ${r.state} ${durationText(r.durationMs)}`;
    return `<li><a class="sq ${stateClass(r.state)}" data-state="${escapeHtml(r.state)}" href="${escapeHtml(pagePath(repo, 'runs', r.id))}" title="${escapeHtml(tip)}" aria-label="${escapeHtml(tip)}"></a></li>`;
  });
  const passed = runs.filter((r) => r.state === 'passed').length;
  const strip = runs.length
    ? `<ol class="strip">${squares.join('')}</ol><p class="muted strip-note">${passed} of ${runs.length} passed · oldest left</p>`
    : '<p class="empty">No runs yet.</p>';
  const chart = renderTrendChart(oldestFirst.map((r) => ({ id: r.id, jobs: r.jobs.map((j) => ({ name: j.name, state: j.state, durationMs: j.durationMs, cached: j.cached })) })));
  return renderPage({
    title: `trends of ${branch} · ${repo}`,
    repo,
    crumbs: `${link(pagePath(repo, 'log', branch), branch)}<span class="sep">/</span><span>trends</span>`,
    body: `<h1>Trends of <span class="mono">${escapeHtml(branch)}</span> <span class="badge muted">last ${runs.length} runs</span></h1>
<section class="card"><h2>Runs</h2>${strip}</section>
<section class="card"><h2>Job durations</h2>${chart}</section>`,
  });
}
