// The dashboard's pages and their assets, beside the JSON API in server.ts. Every name in a
// request gets the API's checks (served repo, ULID run id, plain job name, safe revision) and
// anything unknown is a 404 page with the message escaped.
import http from 'node:http';
import type { Repo } from '../store/repo.js';
import { runViewById } from '../store/results.js';
import { isRunId } from '../store/queue.js';
import { isSafeJobName, isSafeRev, runsOf } from './api.js';
import type { RunRecord } from '../report/run-record.js';
import { findJobLog, readLogRange } from './job-log.js';
import { findArtifactsRef, sendArtifactsTar } from './artifacts-tar.js';
import { readLogRows } from './commit-log.js';
import { renderErrorPage } from './page-shell.js';
import { loadOverview, renderOverview } from './page-overview.js';
import { commitRow, commitsHead, commitsTail, renderCommits, type CommitsPage } from './page-commits.js';
import { renderRun } from './page-run.js';
import { renderLog } from './page-log.js';
import { renderTrends } from './page-trends.js';
import { DASHBOARD_CSS } from './dashboard-css.js';
import { DASHBOARD_JS } from './dashboard-js.js';

// The first MiB of a recorded log is rendered; the rest is a "load more" away.
const LOG_PAGE_BYTES = 1024 * 1024;
const COMMITS_SHOWN = 50;
// ?skip= of the commit list and the API's log: far enough for any history, small enough for git.
export const MAX_SKIP = 10_000_000;
// The Trends page's runs: 30 unless ?n= asks for more, at most 200.
const TRENDS_RUNS = 30;
const TRENDS_MAX_RUNS = 200;

// Pages load only their own stylesheet and script: a log line that slipped through as markup still could not run.
const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Answers a dashboard page or asset request (path parts already decoded and checked for traversal). */
export async function handlePageRequest(repos: Map<string, Repo>, parts: string[], res: http.ServerResponse): Promise<void> {
  if (parts.length === 0) return sendHtml(res, 200, renderOverview(await loadOverview(repos)));
  if (parts[0] === '-' && parts.length === 2) {
    if (parts[1] === 'dashboard.css') return sendAsset(res, 'text/css', DASHBOARD_CSS);
    if (parts[1] === 'dashboard.js') return sendAsset(res, 'text/javascript', DASHBOARD_JS);
  }
  const [name, what, ...rest] = parts as [string, string | undefined, ...string[]];
  const repo = repos.get(name);
  if (!repo) return sendHtml(res, 404, renderErrorPage(404, `no repository ${JSON.stringify(name)} is served`));
  if (what === 'log' && rest.length > 0) return commitsPage(res, name, repo, rest.join('/'));
  if (what === 'trends' && rest.length > 0) return trendsPage(res, name, repo, rest.join('/'));
  if (what === 'runs' && rest.length >= 1) {
    const [id, kind, job, ...more] = rest as [string, string | undefined, string | undefined, ...string[]];
    if (!isRunId(id)) return sendHtml(res, 400, renderErrorPage(400, `not a run id: ${JSON.stringify(id)}`));
    if (kind === undefined) return runPage(res, name, repo, id);
    if (kind === 'logs' && job !== undefined && more.length === 0) return logPage(res, name, repo, id, job);
    if (kind === 'artifacts' && job !== undefined && more.length === 0) return artifactsDownload(res, repo, id, job);
  }
  return sendHtml(res, 404, renderErrorPage(404, `not found: /${parts.join('/')}`));
}

async function commitsPage(res: http.ServerResponse, name: string, repo: Repo, rev: string): Promise<void> {
  if (!isSafeRev(rev)) return sendHtml(res, 400, renderErrorPage(400, `not a revision: ${JSON.stringify(rev)}`));
  if (!(await repo.git.oid(`${rev}^{commit}`))) return sendHtml(res, 404, renderErrorPage(404, `unknown revision ${rev}`));
  const isBranch = !rev.includes('^') && !rev.includes('~') && (await repo.git.oid(`refs/heads/${rev}^{commit}`)) !== undefined;
  const skip = Math.min(MAX_SKIP, Math.max(0, Number.parseInt(queryOf(res).get('skip') ?? '', 10) || 0));
  const page: CommitsPage = { repo: name, rev, isBranch, skip };
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  // One commit more than shown tells whether there are older ones.
  const read = await readLogRows(repo, rev, COMMITS_SHOWN + 1, skip, gone.signal);
  if ('whole' in read) return sendHtml(res, 200, renderCommits(page, read.whole.slice(0, COMMITS_SHOWN), read.whole.length > COMMITS_SHOWN));
  // Streamed: the head at once, rows as git prints them; an error past here is a row, and the page still ends.
  startHtml(res, 200);
  res.write(commitsHead(page));
  const now = Date.now();
  let rows = 0;
  let more = false;
  let error: string | undefined;
  try {
    for await (const batch of read.batches) {
      let text = '';
      for (const row of batch) {
        if (rows === COMMITS_SHOWN) {
          more = true;
          continue;
        }
        text += commitRow(name, row, now);
        rows++;
      }
      if (text) res.write(text);
    }
  } catch (err) {
    error = (err as Error).message;
  }
  res.end(commitsTail(page, { rows, more, error }));
}

async function trendsPage(res: http.ServerResponse, name: string, repo: Repo, branch: string): Promise<void> {
  if (!isSafeRev(branch) || branch.includes('^') || branch.includes('~')) return sendHtml(res, 400, renderErrorPage(400, `not a branch name: ${JSON.stringify(branch)}`));
  if (!(await repo.git.oid(`refs/heads/${branch}^{commit}`))) return sendHtml(res, 404, renderErrorPage(404, `unknown branch ${branch}`));
  const n = Math.min(TRENDS_MAX_RUNS, Math.max(1, Number.parseInt(queryOf(res).get('n') ?? '', 10) || TRENDS_RUNS));
  const { runs } = (await runsOf(repo, branch, n)).body as { runs: RunRecord[] };
  sendHtml(res, 200, renderTrends(name, branch, runs));
}

async function runPage(res: http.ServerResponse, name: string, repo: Repo, id: string): Promise<void> {
  const view = await runViewById(repo, id).catch(() => undefined);
  if (!view) return sendHtml(res, 404, renderErrorPage(404, `no run ${id}`));
  sendHtml(res, 200, renderRun(name, view));
}

async function logPage(res: http.ServerResponse, name: string, repo: Repo, id: string, job: string): Promise<void> {
  if (!isSafeJobName(job)) return sendHtml(res, 400, renderErrorPage(400, `not a job name: ${JSON.stringify(job)}`));
  const source = await findJobLog(repo, id, job);
  if (!source) return sendHtml(res, 404, renderErrorPage(404, `no job ${job} in run ${id}`));
  const view = await runViewById(repo, id).catch(() => undefined);
  const state = view?.status.jobs.find((j) => j.name === job)?.state ?? view?.status.state ?? null;
  const waiting = source.kind === 'none' && source.pending;
  const { bytes, end } = await readLogRange(repo, source, 0, LOG_PAGE_BYTES);
  sendHtml(res, 200, renderLog({ repo: name, runId: id, job, state, bytes, end, live: source.kind === 'live' || waiting, reason: source.kind === 'none' && !waiting ? source.reason : undefined }));
}

async function artifactsDownload(res: http.ServerResponse, repo: Repo, id: string, file: string): Promise<void> {
  const job = file.endsWith('.tar.gz') ? file.slice(0, -'.tar.gz'.length) : '';
  if (!isSafeJobName(job)) return sendHtml(res, 400, renderErrorPage(400, `not a job's artifacts file (<job>.tar.gz): ${JSON.stringify(file)}`));
  const ref = await findArtifactsRef(repo, id, job);
  if (!ref || !(await sendArtifactsTar(repo, ref, job, res))) return sendHtml(res, 404, renderErrorPage(404, `job ${job} of run ${id} stored no artifacts`));
}

/** An HTML answer with the dashboard's security headers. */
export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  startHtml(res, status);
  res.end(html);
}

/** The status and headers of an HTML answer whose body follows in parts. */
function startHtml(res: http.ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' });
}

/** The query of the request `res` answers (server.ts hands pages the path only). */
function queryOf(res: http.ServerResponse): URLSearchParams {
  return new URL(res.req?.url ?? '/', 'http://localhost').searchParams;
}

function sendAsset(res: http.ServerResponse, type: string, text: string): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.end(text);
}
