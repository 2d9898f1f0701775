// GET /: every served repository, each branch with its tip's newest run (state, commit,
// duration, age), linking to the run and to the branch's commits.
import type { Repo } from '../store/repo.js';
import { commitRunView, type CommitStatus } from '../store/results.js';
import { listQueued, listRunning } from '../store/queue.js';
import { keep, kept, notesState } from './notes-keyed-cache.js';
import { escapeHtml } from './escape-html.js';
import { renderPage } from './page-shell.js';
import { ageHtml, durationText, link, pagePath, shortSha, statePill } from './page-bits.js';

export interface BranchRow {
  name: string;
  commit: string;
  subject: string;
  status: CommitStatus;
}

/**
 * Each repository's branches, newest commit first, with their tip's status. A tip's recorded
 * status is kept while the CI notes refs stay (recording or pruning a run, or a fetch, moves one):
 * when nothing moved, this costs the branch list, the notes refs and the queue, not a read of every
 * tip's run.
 */
export async function loadOverview(repos: Map<string, Repo>): Promise<{ name: string; branches: BranchRow[] }[]> {
  return Promise.all(
    [...repos].map(async ([name, repo]) => {
      const [{ stdout }, notes, queued, running] = await Promise.all([
        repo.git.run(['for-each-ref', '--sort=-committerdate', '--format=%(refname:short)%09%(objectname)%09%(contents:subject)', 'refs/heads/']),
        notesState(repo),
        listQueued(repo),
        listRunning(repo),
      ]);
      const pending = new Set([...queued, ...running].map((e) => e.commit));
      const rows = stdout.split('\n').filter(Boolean).map((line) => line.split('\t') as [string, string, string]);
      const branches = await Promise.all(rows.map(async ([branch, commit, subject]) => ({ name: branch, commit, subject: subject ?? '', status: await tipStatus(repo, commit, notes, pending) })));
      return { name, branches };
    }),
  );
}

/** A tip's status: kept by commit and notes id unless a run of it is queued or running (those are read each time). */
async function tipStatus(repo: Repo, commit: string, notes: string, pending: Set<string>): Promise<CommitStatus> {
  const key = `tip status\0${commit}\0${notes}`;
  const hit = pending.has(commit) ? undefined : kept<CommitStatus>(repo, key);
  if (hit) return hit;
  const { status } = await commitRunView(repo, commit);
  if (status.state !== 'queued' && status.state !== 'running') keep(repo, key, status);
  return status;
}

/** The overview page. */
export function renderOverview(repos: { name: string; branches: BranchRow[] }[], now = Date.now()): string {
  const sections = repos.map(({ name, branches }) => {
    const rows = branches.map((b) => {
      const s = b.status;
      const state = s.inherited ? null : s.state;
      const run = s.run && !s.inherited ? link(pagePath(name, 'runs', s.run), 'run', 'run-link') : '';
      return `<tr>
<td data-label="branch" class="branch">${link(pagePath(name, 'log', b.name), b.name)}</td>
<td data-label="state">${s.run && !s.inherited ? `<a href="${escapeHtml(pagePath(name, 'runs', s.run))}">${statePill(state)}</a>` : statePill(state)}</td>
<td data-label="commit" class="mono">${escapeHtml(shortSha(b.commit))} <span class="subject">${escapeHtml(b.subject)}</span></td>
<td data-label="duration" class="num">${durationText(s.durationMs)}</td>
<td data-label="age" class="age">${ageHtml(s.finishedAt ?? s.startedAt, now)}</td>
<td data-label="" class="links">${run} ${link(pagePath(name, 'log', b.name), 'commits')} ${link(pagePath(name, 'trends', b.name), 'trends', 'trends-link')}</td>
</tr>`;
    });
    const table = rows.length
      ? `<table class="rows"><thead><tr><th>branch</th><th>state</th><th>commit</th><th>duration</th><th>age</th><th></th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`
      : `<p class="empty">No branches yet: push one.</p>`;
    return `<section class="card repo" data-repo="${escapeHtml(name)}"><h2>${escapeHtml(name)} <a class="badge" href="${escapeHtml(pagePath(name, 'log', 'HEAD'))}">commits</a></h2>${table}</section>`;
  });
  return renderPage({ title: 'Overview', body: `<h1>Repositories</h1>\n${sections.join('\n') || '<p class="empty">No repositories are served.</p>'}` });
}
