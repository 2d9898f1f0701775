// GET /<repo>/log/<branch>?skip=: the branch's commits like `git log`, with a CI state column,
// in pages. The page is written in three parts so it can go out as `git log` prints: the head
// and the table's start at once, a row a commit, then the end with an "older commits" link
// (which the script turns into rows appended in place, taken from the next page's HTML).
import { escapeHtml } from './escape-html.js';
import { PAGE_END, pageStart } from './page-shell.js';
import { ageHtml, durationText, link, pagePath, shortSha, statePill } from './page-bits.js';
import type { LogRow } from '../store/results.js';

export interface CommitsPage {
  repo: string;
  rev: string;
  /** A branch links to its trends. */
  isBranch: boolean;
  /** Commits before this page's first. */
  skip: number;
}

/** Everything before the first row. */
export function commitsHead(page: CommitsPage): string {
  const { repo, rev } = page;
  const from = page.skip > 0 ? ` <span class="muted from">from commit ${page.skip + 1}</span>` : '';
  return (
    pageStart({ title: `${rev} · ${repo}`, repo, crumbs: `<span>${escapeHtml(rev)}</span>`, data: { page: 'commits' } }) +
    `<h1>Commits on <span class="mono">${escapeHtml(rev)}</span>${from}${page.isBranch ? ` ${link(pagePath(repo, 'trends', rev), 'trends', 'badge trends-link')}` : ''}</h1>
<section class="card"><table class="rows commits"><thead><tr><th>commit</th><th>state</th><th>subject</th><th>author</th><th>duration</th><th>age</th></tr></thead><tbody>
`
  );
}

/** One commit's row; every string from git escaped. */
export function commitRow(repo: string, r: LogRow, now = Date.now()): string {
  const pill = r.run ? `<a href="${escapeHtml(pagePath(repo, 'runs', r.run))}">${statePill(r.state)}</a>` : statePill(r.state);
  return `<tr data-commit="${escapeHtml(r.commit)}">
<td data-label="commit" class="mono">${escapeHtml(shortSha(r.commit))}</td>
<td data-label="state">${pill}</td>
<td data-label="subject" class="subject-cell">${escapeHtml(r.subject)}</td>
<td data-label="author">${escapeHtml(r.author)}</td>
<td data-label="duration" class="num">${r.run ? durationText(r.durationMs) : ''}</td>
<td data-label="age" class="age">${ageHtml(r.date, now)}</td>
</tr>
`;
}

/** Everything after the last row: a note when there were none, the error that cut the list short, the link to older commits. */
export function commitsTail(page: CommitsPage, end: { rows: number; more: boolean; error?: string }): string {
  let text = '';
  if (end.rows === 0 && !end.error) text += `<tr class="note"><td colspan="6" class="empty">${page.skip > 0 ? 'No older commits.' : 'No commits.'}</td></tr>\n`;
  if (end.error) text += `<tr class="note error-row"><td colspan="6" class="run-error">The list is cut short: ${escapeHtml(end.error)}</td></tr>\n`;
  text += '</tbody></table>';
  if (end.more) text += `\n<p class="more"><a class="load-more" href="${escapeHtml(`${pagePath(page.repo, 'log', page.rev)}?skip=${page.skip + end.rows}`)}">Older commits</a></p>`;
  return `${text}</section>${PAGE_END}`;
}

/** The whole page at once (a kept log). */
export function renderCommits(page: CommitsPage, rows: LogRow[], more: boolean, now = Date.now()): string {
  return commitsHead(page) + rows.map((r) => commitRow(page.repo, r, now)).join('') + commitsTail(page, { rows: rows.length, more });
}
