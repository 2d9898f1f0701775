// A revision's log with each commit's newest run, for the API and the commit list page: the git
// log with its notes is kept while neither the revision's commit nor the notes ref moves; queued
// and running runs are read each time.
import type { Repo } from '../store/repo.js';
import { logRows, logWithNotes, type LogRow } from '../store/results.js';
import { keyedByNotes } from './notes-keyed-cache.js';

/** The newest `limit` commits of a revision (checked by the caller), as `git ci log --json` rows. */
export async function cachedLogRows(repo: Repo, rev: string, limit: number): Promise<LogRow[]> {
  return logRows(repo, await keyedByNotes(repo, rev, `log ${limit}`, () => logWithNotes(repo, rev, limit)));
}
