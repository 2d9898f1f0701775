// Commits of a branch with author, time and CI notes, in one `git log` (as logWithNotes, plus
// the author and date the commit list shows), with queued and running runs laid over them.
import type { Repo } from '../store/repo.js';
import { CI_NOTES_REFS } from '../store/notes.js';
import { listQueued, listRunning } from '../store/queue.js';
import { inheritedFrom } from '../store/results.js';
import { decodeNote } from '../report/note-line.js';
import { keyedByNotes } from './notes-keyed-cache.js';

export interface CommitRow {
  commit: string;
  subject: string;
  author: string;
  /** Author date, epoch ms. */
  date: number;
  state: string | null;
  run: string | null;
  durationMs: number | null;
}

/** The newest `limit` commits of a revision (checked by the caller), each with its newest run. */
export async function readCommitLog(repo: Repo, rev: string, limit: number): Promise<CommitRow[]> {
  const args = ['log', ...CI_NOTES_REFS.map((ref) => `--notes=${ref}`), '-z', '--format=%H%x1f%an%x1f%at%x1f%s%x1f%N', `-n${limit}`, '--end-of-options', rev];
  const [stdout, queued, running] = await Promise.all([
    keyedByNotes(repo, rev, `commit-log ${limit}`, async () => (await repo.git.run(args)).stdout),
    listQueued(repo),
    listRunning(repo),
  ]);
  const pending = [...queued.map((e) => ({ e, state: 'queued' })), ...running.map((e) => ({ e, state: 'running' }))];
  return stdout
    .split('\0')
    .filter(Boolean)
    .map((chunk) => {
      const [commit, author, at, subject, notes] = chunk.split('\x1f') as [string, string, string, string, string | undefined];
      const id = commit.trim();
      const latest = decodeNote(notes ?? '').at(-1);
      const own = latest && !inheritedFrom(id, latest) ? latest : undefined;
      const newer = pending.filter((p) => p.e.commit === id && (!own || p.e.id > own.run)).sort((a, b) => (a.e.id < b.e.id ? -1 : 1)).at(-1);
      const row = { commit: id, subject, author, date: Number(at) * 1000 };
      if (newer) return { ...row, state: newer.state, run: newer.e.id, durationMs: null };
      return { ...row, state: own?.state ?? null, run: own?.run ?? null, durationMs: own?.durationMs ?? null };
    });
}
