// Reading results: what `git ci status/show/log/logs` and the dashboard ask of a repository.
// A commit's state is its newest run: queued or running in this repository's ci/ folder,
// else the newest line of its note, detailed by run.json where the run ref is present.
import type { Repo } from './repo.js';
import { listQueued, listRunning, isRunId, type QueueEntry } from './queue.js';
import { readCiNotes, CI_NOTES_REFS } from './notes.js';
import { findRunIds, readRunRecord, runRef } from './runs.js';
import { decodeNote, type NoteRecord } from '../report/note-line.js';
import { refName, type RunRecord } from '../report/run-record.js';
import type { RunState } from '../report/run-state.js';
import { readLiveState, type LiveRun } from './live-state.js';
import { UserError } from './errors.js';

export interface JobSummary {
  name: string;
  state: string;
  exitCode: number | null;
  durationMs: number | null;
  cached: boolean;
  /** The run whose result a cached job reused; null when it ran (or the note does not say). */
  cachedFrom: string | null;
  /** JUnit counts, when the job had reports. */
  tests: { passed: number; failed: number; skipped: number } | null;
}

/** The stable shape of `git ci status --json`. */
export interface CommitStatus {
  commit: string;
  state: RunState | null;
  run: string | null;
  branch: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  jobs: JobSummary[];
  /**
   * The commit's newest note was carried over from another commit by a rebase or an amend
   * (notes.rewriteRef): that commit's run, not one of this commit, which has not been built.
   */
  inherited: { from: string; run: string; state: RunState } | null;
}

export interface RunView {
  status: CommitStatus;
  record: RunRecord | undefined;
  note: NoteRecord | undefined;
  live: LiveRun | undefined;
  pending: QueueEntry | undefined;
  error: string | null;
}

const EMPTY = (commit: string): CommitStatus => ({
  commit,
  state: null,
  run: null,
  branch: null,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  jobs: [],
  inherited: null,
});

/** Resolves a revision to a commit id, with an error that says what was not found. */
export async function resolveCommit(repo: Repo, rev: string): Promise<string> {
  // Through the cat-file reader the note lookups use next: one git process for the whole command.
  const commit = await repo.git.object(`${rev}^{commit}`);
  if (commit?.type === 'commit') return commit.oid;
  if (rev === 'HEAD' && repo.bare) {
    throw new UserError(`HEAD of ${repo.gitDir} does not point at a commit; name a branch or commit (git ci status main)`);
  }
  throw new UserError(`unknown revision: ${rev} (not a commit in ${repo.gitDir})`);
}

/** The newest run of a commit, whatever its state. */
export async function commitRunView(repo: Repo, commit: string): Promise<RunView> {
  // Read in the order a run moves (queue, running, note), so a run that moves meanwhile is seen in one of them.
  const queued = await listQueued(repo);
  const running = await listRunning(repo);
  const noteText = await readCiNotes(repo.git, commit);
  const records = decodeNote(noteText ?? '');
  const latestNote = records.at(-1);
  const pendingRuns = [...queued.map((e) => ({ e, state: 'queued' as const })), ...running.map((e) => ({ e, state: 'running' as const }))]
    .filter(({ e }) => e.commit === commit && !records.some((r) => r.run === e.id))
    .sort((a, b) => (a.e.id < b.e.id ? -1 : 1));
  const pending = pendingRuns.at(-1);
  if (pending && (!latestNote || pending.e.id > latestNote.run)) {
    return pendingView(repo, commit, pending.e, pending.state);
  }
  if (!latestNote) return { status: EMPTY(commit), record: undefined, note: undefined, live: undefined, pending: undefined, error: null };
  return recordedView(repo, commit, latestNote);
}

/** A run by id: recorded, running or queued. */
export async function runViewById(repo: Repo, id: string): Promise<RunView> {
  // Read in the order a run moves (queue, running, record), so a run that moves meanwhile is seen.
  const queued = (await listQueued(repo)).find((e) => e.id === id);
  const running = (await listRunning(repo)).find((e) => e.id === id);
  const record = await readRunRecord(repo.git, id);
  if (record) {
    const note = decodeNote((await readCiNotes(repo.git, record.commit)) ?? '').find((r) => r.run === id);
    return { status: statusFromRecord(record), record, note, live: undefined, pending: undefined, error: record.error };
  }
  if (running) return pendingView(repo, running.commit, running, 'running');
  if (queued) return pendingView(repo, queued.commit, queued, 'queued');
  throw new UserError(`no run ${id} in ${repo.gitDir}`);
}

async function pendingView(repo: Repo, commit: string, entry: QueueEntry, state: 'queued' | 'running'): Promise<RunView> {
  const live = state === 'running' ? await readLiveState(repo.paths.running, entry.id) : undefined;
  const status: CommitStatus = {
    ...EMPTY(commit),
    state,
    run: entry.id,
    branch: refName(entry.ref),
    startedAt: live?.startedAt ?? null,
    jobs: (live?.jobs ?? []).map((j) => ({ name: j.name, state: j.state, exitCode: j.exitCode, durationMs: j.durationMs, cached: false, cachedFrom: null, tests: null })),
  };
  return { status, record: undefined, note: undefined, live, pending: entry, error: null };
}

async function recordedView(repo: Repo, commit: string, note: NoteRecord): Promise<RunView> {
  const record = await readRunRecord(repo.git, note.run);
  const from = inheritedFrom(commit, note, record);
  if (from) {
    const status = { ...EMPTY(commit), branch: note.branch, inherited: { from, run: note.run, state: note.state } };
    return { status, record: undefined, note, live: undefined, pending: undefined, error: null };
  }
  if (record) return { status: statusFromRecord(record), record, note, live: undefined, pending: undefined, error: record.error };
  // The note outlived its run record (pruned, or not fetched): the note alone still tells the result.
  return {
    status: {
      commit,
      state: note.state,
      run: note.run,
      branch: note.branch,
      startedAt: null,
      finishedAt: null,
      durationMs: note.durationMs ?? null,
      jobs: note.jobs.map((j) => {
        const cachedFrom = noteList(note.extra.cached).find((c) => c.startsWith(`${j.name}@`))?.slice(j.name.length + 1) ?? null;
        const counts = noteList(note.extra.tests).find((t) => t.startsWith(`${j.name}:`))?.slice(j.name.length + 1).split('/').map(Number);
        const tests = counts && counts.length === 3 && counts.every(Number.isFinite) ? { passed: counts[0]!, failed: counts[1]!, skipped: counts[2]! } : null;
        return { name: j.name, state: j.state, exitCode: null, durationMs: j.durationMs ?? null, cached: cachedFrom !== null, cachedFrom, tests };
      }),
      inherited: null,
    },
    record: undefined,
    note,
    live: undefined,
    pending: undefined,
    error: note.message ?? null,
  };
}

/**
 * The commit a note line was written for, when it is not `commit`: the line says (commit=<id
 * prefix>, written since the key exists), or else its run record does.
 */
export function inheritedFrom(commit: string, note: NoteRecord, record?: RunRecord): string | undefined {
  const noted = note.extra.commit;
  if (noted && /^[0-9a-f]{7,64}$/.test(noted)) return commit.startsWith(noted) ? undefined : noted;
  return record && record.commit !== commit ? record.commit : undefined;
}

export function statusFromRecord(record: RunRecord): CommitStatus {
  return {
    commit: record.commit,
    state: record.state,
    run: record.id,
    branch: record.branch,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    durationMs: record.durationMs,
    jobs: record.jobs.map((j) => ({
      name: j.name,
      state: j.state,
      exitCode: j.exitCode,
      durationMs: j.durationMs,
      cached: j.cached,
      cachedFrom: j.cachedFrom ?? null,
      tests: j.tests ? { passed: j.tests.passed, failed: j.tests.failed, skipped: j.tests.skipped } : null,
    })),
    inherited: null,
  };
}

/** The items of a comma-separated note key (cached=, tests=). */
function noteList(value: string | undefined): string[] {
  return value ? value.split(',').filter(Boolean) : [];
}

/** Resolves what a user typed: a run id (or a unique prefix of one), else a revision. */
export async function resolveRunOrRev(repo: Repo, what: string): Promise<{ runId: string } | { commit: string }> {
  const upper = what.toUpperCase();
  if (/^[0-9A-HJKMNP-TV-Z]{6,26}$/.test(upper) && !/^[0-9a-f]+$/.test(what)) {
    // A whole id names its ref: one lookup through the cat-file reader, no listing of the runs.
    if (isRunId(upper) && (await repo.git.object(runRef(upper)))?.type === 'commit') return { runId: upper };
    const pending = [...(await listRunning(repo)), ...(await listQueued(repo))].map((e) => e.id);
    const ids = [...new Set([...(await findRunIds(repo.git, upper)), ...pending.filter((id) => id.startsWith(upper))])];
    if (ids.length === 1) return { runId: ids[0]! };
    if (ids.length > 1) throw new UserError(`run id prefix ${what} is ambiguous: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`);
    if (isRunId(upper)) throw new UserError(`no run ${what} in ${repo.gitDir}`);
  }
  return { commit: await resolveCommit(repo, what) };
}

export interface LogLine {
  commit: string;
  subject: string;
  author: string;
  /** Author date, epoch ms. */
  date: number;
  records: NoteRecord[];
}

/** The `git log` arguments (after the git dir) that list commits with their CI notes, newest first; parseLogLines reads the output. */
export function logWithNotesArgs(limit: number, skip = 0): string[] {
  const args = ['log', ...CI_NOTES_REFS.map((ref) => `--notes=${ref}`), '-z', '--format=%H%x1f%an%x1f%at%x1f%s%x1f%N', `-n${limit}`];
  if (skip > 0) args.push(`--skip=${skip}`);
  return args;
}

/** Whole NUL-ended records of logWithNotesArgs' output. */
export function parseLogLines(text: string): LogLine[] {
  return text
    .split('\0')
    .filter(Boolean)
    .map((chunk) => {
      const [commit, author, at, subject, notes] = chunk.split('\x1f');
      return { commit: commit!.trim(), author: author ?? '', date: Number(at) * 1000, subject: subject ?? '', records: decodeNote(notes ?? '') };
    });
}

/** Commits of a range with their notes, newest first, in one git call. */
export async function logWithNotes(repo: Repo, range: string | undefined, limit: number): Promise<LogLine[]> {
  const args = logWithNotesArgs(limit);
  if (range) args.push('--end-of-options', range);
  const { stdout } = await repo.git.run(args);
  return parseLogLines(stdout);
}

/** One row of `git ci log --json` (and the dashboard's log): a commit with its newest run. */
export interface LogRow {
  commit: string;
  subject: string;
  author: string;
  /** Author date, epoch ms. */
  date: number;
  state: string | null;
  run: string | null;
  branch: string | null;
  durationMs: number | null;
  inherited: CommitStatus['inherited'];
}

/**
 * Each commit's newest run: a queued or running one newer than its newest own note line, else
 * that line. A line a rebase carried from another commit is not this commit's state (inherited).
 */
export async function logRows(repo: Repo, lines: LogLine[]): Promise<LogRow[]> {
  const [queued, running] = await Promise.all([listQueued(repo), listRunning(repo)]);
  const pending = [...queued.map((e) => ({ e, state: 'queued' })), ...running.map((e) => ({ e, state: 'running' }))];
  return lines.map((l) => {
    const latest = l.records.at(-1);
    const from = latest ? inheritedFrom(l.commit, latest) : undefined;
    const own = from ? undefined : latest;
    const newer = pending.filter((p) => p.e.commit === l.commit && (!own || p.e.id > own.run)).sort((a, b) => (a.e.id < b.e.id ? -1 : 1)).at(-1);
    const row = { commit: l.commit, subject: l.subject, author: l.author, date: l.date, branch: latest?.branch ?? null, inherited: from && latest ? { from, run: latest.run, state: latest.state } : null };
    if (newer) return { ...row, state: newer.state, run: newer.e.id, durationMs: null };
    return { ...row, state: own?.state ?? null, run: own?.run ?? null, durationMs: own?.durationMs ?? null };
  });
}
