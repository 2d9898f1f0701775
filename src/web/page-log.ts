// GET /<repo>/runs/<id>/logs/<job>: a job's log with ANSI colours, numbered lines that are
// links (#L12), a raw link to the API, and, while the job runs, a live tail over the SSE
// endpoint (the client appends lines with textContent only). A recorded log is rendered up to
// its first MiB; "load more" reads the next MiB from the API by offset (the script appends it as
// lines; without it the link is the raw text).
import { escapeHtml } from './escape-html.js';
import { renderPage } from './page-shell.js';
import { link, pagePath, statePill } from './page-bits.js';
import { ansiToHtmlLines } from './ansi.js';

export interface LogPageInput {
  repo: string;
  runId: string;
  job: string;
  /** The job's state now (running, passed…). */
  state: string | null;
  /** The first bytes of the log (at most a page). */
  bytes: Buffer;
  /** The source has nothing past `bytes`. */
  end: boolean;
  /** The log can still grow: the page follows it live. */
  live: boolean;
  /** Why there is no log, when there is none. */
  reason?: string;
}

/** The log page. */
export function renderLog(input: LogPageInput): string {
  const { repo, runId, job } = input;
  // Whole lines only, unless the log is complete: the rest comes live or by "load more".
  const cut = input.end && !input.live ? input.bytes.length : input.bytes.lastIndexOf(10) + 1;
  const lines = ansiToHtmlLines(input.bytes.subarray(0, cut).toString('utf8'));
  const rendered = lines.map((html, i) => `<div class="line" id="L${i + 1}"><a class="ln" href="#L${i + 1}">${i + 1}</a><span class="tx">${html}</span></div>`).join('');
  const api = `/api/${encodeURIComponent(repo)}/runs/${runId}/logs/${encodeURIComponent(job)}`;
  // A link to the raw range; the script appends it as lines instead.
  const more = !input.live && !input.end ? `<p class="more"><a class="load-more-log" data-offset="${cut}" href="${escapeHtml(`${api}?offset=${cut}&limit=1048576`)}">load more (from byte ${cut})</a></p>` : '';
  const reason = input.reason ? `<p class="empty">${escapeHtml(input.reason)}</p>` : '';
  const body = `<section class="headline">
<h1>${statePill(input.state)} <span class="mono">${escapeHtml(job)}</span></h1>
<p class="actions">${link(pagePath(repo, 'runs', runId), `run ${runId.slice(0, 10)}`)} · ${link(api, 'raw')}${input.live ? ' · <span class="live" id="live">live</span>' : ''}</p>
</section>
${reason}<div class="log" id="log">${rendered}</div>
${more}`;
  return renderPage({
    title: `${job} · run ${runId.slice(0, 10)} · ${repo}`,
    repo,
    crumbs: `${link(pagePath(repo, 'runs', runId), runId.slice(0, 10))}<span class="sep">/</span><span>${escapeHtml(job)}</span>`,
    body,
    data: { page: 'log', follow: `${api}/follow`, run: `/api/${encodeURIComponent(repo)}/runs/${runId}`, job, offset: String(cut), lines: String(lines.length), live: String(input.live) },
  });
}
