// GET /<repo>/log/<branch>: the branch's commits like `git log`, with a CI state column.
import { escapeHtml } from './escape-html.js';
import { renderPage } from './page-shell.js';
import { ageHtml, durationText, link, pagePath, shortSha, statePill } from './page-bits.js';
import type { LogRow } from '../store/results.js';

/** The commit list page of one branch (or revision); a branch links to its trends. */
export function renderCommits(repo: string, rev: string, rows: LogRow[], options: { isBranch?: boolean; now?: number } = {}): string {
  const now = options.now ?? Date.now();
  const body = rows.map((r) => {
    const pill = r.run ? `<a href="${escapeHtml(pagePath(repo, 'runs', r.run))}">${statePill(r.state)}</a>` : statePill(r.state);
    return `<tr>
<td data-label="commit" class="mono">${escapeHtml(shortSha(r.commit))}</td>
<td data-label="state">${pill}</td>
<td data-label="subject" class="subject-cell">${escapeHtml(r.subject)}</td>
<td data-label="author">${escapeHtml(r.author)}</td>
<td data-label="duration" class="num">${r.run ? durationText(r.durationMs) : ''}</td>
<td data-label="age" class="age">${ageHtml(r.date, now)}</td>
</tr>`;
  });
  const table = rows.length
    ? `<table class="rows commits"><thead><tr><th>commit</th><th>state</th><th>subject</th><th>author</th><th>duration</th><th>age</th></tr></thead><tbody>${body.join('\n')}</tbody></table>`
    : '<p class="empty">No commits.</p>';
  return renderPage({
    title: `${rev} · ${repo}`,
    repo,
    crumbs: `<span>${escapeHtml(rev)}</span>`,
    body: `<h1>Commits on <span class="mono">${escapeHtml(rev)}</span>${options.isBranch ? ` ${link(pagePath(repo, 'trends', rev), 'trends', 'badge trends-link')}` : ''}</h1>\n<section class="card">${table}</section>`,
  });
}
