// A revision's log with each commit's newest run, for the API and the commit list page: the git
// log with its notes is kept while neither the revision's commit nor a CI notes ref moves, and is
// then answered whole; else it is streamed as `git log` prints it (and kept once read to its
// end). Queued and running runs are read each time and laid over the notes.
import type { Repo } from '../store/repo.js';
import { logRows, type LogLine, type LogRow } from '../store/results.js';
import { keep, kept, notesKey } from './notes-keyed-cache.js';
import { streamLogWithNotes } from './log-stream.js';

/** The rows: whole when kept, else batches as they come (the iteration throws if git fails midway). */
export type LogRowsRead = { whole: LogRow[] } | { batches: AsyncIterable<LogRow[]> };

/** The `limit` commits of a revision (checked by the caller) after the first `skip`, as `git ci log --json` rows. */
export async function readLogRows(repo: Repo, rev: string, limit: number, skip: number, signal?: AbortSignal): Promise<LogRowsRead> {
  const { key, commit } = await notesKey(repo, rev, `log ${skip} ${limit}`);
  const lines = kept<LogLine[]>(repo, key);
  if (lines) return { whole: await logRows(repo, lines) };
  return { batches: streamedRows(repo, key, commit ?? rev, limit, skip, signal) };
}

async function* streamedRows(repo: Repo, key: string, rev: string, limit: number, skip: number, signal?: AbortSignal): AsyncGenerator<LogRow[]> {
  const lines: LogLine[] = [];
  for await (const batch of streamLogWithNotes(repo, rev, limit, skip, signal)) {
    lines.push(...batch);
    yield await logRows(repo, batch);
  }
  if (!signal?.aborted) keep(repo, key, lines);
}
