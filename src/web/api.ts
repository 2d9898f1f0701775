// The dashboard's JSON API: the same shapes as the CLI's --json, read through the store layer
// (one long-lived cat-file reader a repository). Every parameter is checked before it reaches
// git: run ids are ULIDs, job names are the run's own, revisions a safe subset of ref syntax.
import type { Repo } from '../store/repo.js';
import { commitRunView, runViewById } from '../store/results.js';
import { isRunId, listQueued, listRunning } from '../store/queue.js';
import { RUNS_PREFIX } from '../store/runs.js';
import { decodeRunRecord, type RunRecord } from '../report/run-record.js';
import { readLogRows, type LogRowsRead } from './commit-log.js';
import { keyed, notesState } from './notes-keyed-cache.js';

/** An answer: an HTTP status and a JSON body (errors are `{error}`). */
export interface ApiResult {
  status: number;
  body: unknown;
}

export const notFound = (what: string): ApiResult => ({ status: 404, body: { error: what } });
export const badRequest = (what: string): ApiResult => ({ status: 400, body: { error: what } });

/** A revision a request may name: branch, tag or commit id syntax, nothing git could read as an option or a path walk. */
export function isSafeRev(rev: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._/~^-]{0,200}$/.test(rev) && !rev.includes('..') && !rev.includes('//') && !rev.endsWith('.lock');
}

/** A job name as the pipeline parser allows them. */
export function isSafeJobName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(name);
}

/** GET /api/<repo>/status/<rev>: what `git ci status --json` prints. */
export async function statusOf(repo: Repo, rev: string): Promise<ApiResult> {
  if (!isSafeRev(rev)) return badRequest(`not a revision: ${JSON.stringify(rev)}`);
  const commit = await repo.git.oid(`${rev}^{commit}`);
  if (!commit) return notFound(`unknown revision ${rev}`);
  return { status: 200, body: (await commitRunView(repo, commit)).status };
}

/** GET /api/<repo>/runs/<id>: the run record, or the queued/running view. */
export async function runOf(repo: Repo, id: string): Promise<ApiResult> {
  if (!isRunId(id)) return badRequest(`not a run id: ${JSON.stringify(id)}`);
  try {
    const view = await runViewById(repo, id);
    return { status: 200, body: { status: view.status, record: view.record ?? null, error: view.error } };
  } catch {
    return notFound(`no run ${id}`);
  }
}

/**
 * GET /api/<repo>/log/<rev>?limit=&skip=: commits with their CI state, like `git ci log --json`:
 * rows to send as one JSON array (streamed while git prints them), or an error answer.
 */
export async function logOf(repo: Repo, rev: string, limit: number, skip: number, signal?: AbortSignal): Promise<ApiResult | { rows: LogRowsRead }> {
  if (!isSafeRev(rev)) return badRequest(`not a revision: ${JSON.stringify(rev)}`);
  if (!(await repo.git.oid(`${rev}^{commit}`))) return notFound(`unknown revision ${rev}`);
  return { rows: await readLogRows(repo, rev, limit, skip, signal) };
}

/**
 * GET /api/<repo>/runs?branch=&limit=: the newest recorded runs (run.json each), newest first,
 * with the queued and running ones ahead of them. The recorded ones are kept while the notes
 * refs stay (recording or pruning a run moves one): then this costs ref lookups and the queue.
 */
export async function runsOf(repo: Repo, branch: string | undefined, limit: number): Promise<ApiResult> {
  if (branch !== undefined && !isSafeRev(branch)) return badRequest(`not a branch name: ${JSON.stringify(branch)}`);
  // The queue before the records (the order a run moves in): a run that records meanwhile is seen.
  const [queued, running] = await Promise.all([listQueued(repo), listRunning(repo)]);
  const pending = [...running.map((e) => ({ e, state: 'running' })), ...queued.map((e) => ({ e, state: 'queued' }))]
    .filter(({ e }) => branch === undefined || e.ref === `refs/heads/${branch}`)
    .map(({ e, state }) => ({ id: e.id, commit: e.commit, ref: e.ref, state }));
  const key = `runs ${branch === undefined ? '*' : `branch ${branch}`} ${limit}\0${await notesState(repo)}`;
  return { status: 200, body: { pending, runs: await keyed(repo, key, () => recordedRuns(repo, branch, limit)) } };
}

/** The newest `limit` run records (of `branch`, when given). */
async function recordedRuns(repo: Repo, branch: string | undefined, limit: number): Promise<RunRecord[]> {
  const { stdout } = await repo.git.run(['for-each-ref', '--sort=-refname', '--format=%(refname)', RUNS_PREFIX]);
  const ids = stdout.split('\n').filter(Boolean).map((r) => r.slice(RUNS_PREFIX.length));
  const runs: RunRecord[] = [];
  // Read in pages (the cat-file reader streams a page), until enough match the branch.
  for (let i = 0; i < ids.length && runs.length < limit; i += 100) {
    const page = ids.slice(i, i + 100);
    const blobs = await Promise.all(page.map((id) => repo.git.blob(`${RUNS_PREFIX}${id}:run.json`)));
    for (const blob of blobs) {
      const record = blob ? decodeRunRecord(blob.toString()).record : undefined;
      if (record && (branch === undefined || record.branch === branch) && runs.length < limit) runs.push(record);
    }
  }
  return runs;
}
