// The commit list page in its three parts (head, rows, tail): streamed or whole, the same
// document; every string from git escaped; an error or an empty page still ends the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commitRow, commitsHead, commitsTail, renderCommits, type CommitsPage } from '../../src/web/page-commits.js';
import type { LogRow } from '../../src/store/results.js';

const page: CommitsPage = { repo: 'app', rev: 'main', isBranch: true, skip: 50 };
const row = (subject: string, run: string | null = null): LogRow => ({
  commit: 'a'.repeat(40),
  subject,
  author: '<Eve & "Mallory">',
  date: Date.parse('2026-01-02T03:04:05Z'),
  state: run ? 'passed' : null,
  run,
  branch: 'main',
  durationMs: run ? 1500 : null,
  inherited: null,
});

test('head, rows and tail make the whole page', () => {
  const rows = [row('one', '01J0000000000000000000000A'), row('two')];
  const now = Date.parse('2026-01-02T04:00:00Z');
  const streamed = commitsHead(page) + rows.map((r) => commitRow('app', r, now)).join('') + commitsTail(page, { rows: 2, more: true });
  assert.is(renderCommits(page, rows, true, now), streamed);
  assert.match(streamed, '<a class="load-more" href="/app/log/main?skip=52">Older commits</a>');
  assert.match(streamed, 'from commit 51');
  assert.match(streamed, /<\/tbody><\/table>\n<p class="more">.*<\/section>\n<\/main>\n<\/body><\/html>\n$/s);
});

test('a row escapes everything from git', () => {
  const html = commitRow('app', row('<img src=x onerror="alert(1)"> & \'q\''));
  assert.match(html, '&#60;img src=x onerror=&#34;alert(1)&#34;&#62; &#38; &#39;q&#39;');
  assert.match(html, '&#60;Eve &#38; &#34;Mallory&#34;&#62;');
  assert.not.match(html, '<img');
});

test('no rows, or an error midway: a row says so, escaped, and the table and the page still end', () => {
  assert.match(commitsTail(page, { rows: 0, more: false }), '<td colspan="6" class="empty">No older commits.</td>');
  const failed = commitsTail(page, { rows: 3, more: false, error: 'git log exited 128: <bad>' });
  assert.match(failed, '<tr class="note error-row"><td colspan="6" class="run-error">The list is cut short: git log exited 128: &#60;bad&#62;</td></tr>\n</tbody></table></section>');
  assert.not.match(failed, 'load-more');
  assert.match(failed, /<\/html>\n$/);
});

test.run();
