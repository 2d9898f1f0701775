// Reads that depend only on a commit and the CI notes (a branch's log with its notes), kept and
// keyed by the ids they depend on: while neither moves, a page costs two ref lookups through the
// cat-file reader, not a new `git log`; a new run moves the notes ref, so the key changes.
import type { Repo } from '../store/repo.js';
import { NOTES_REF } from '../store/notes.js';

const MAX_ENTRIES = 200;
const caches = new WeakMap<Repo, Map<string, Promise<unknown>>>();

/** `compute()` for `rev` at its current commit and notes tip, reused while neither moves. */
export async function keyedByNotes<T>(repo: Repo, rev: string, what: string, compute: () => Promise<T>): Promise<T> {
  const [commit, notes] = await Promise.all([repo.git.oid(`${rev}^{commit}`), repo.git.oid(NOTES_REF)]);
  const key = `${what}\0${commit ?? rev}\0${notes ?? ''}`;
  let cache = caches.get(repo);
  if (!cache) caches.set(repo, (cache = new Map()));
  let entry = cache.get(key) as Promise<T> | undefined;
  if (!entry) {
    entry = compute();
    cache.set(key, entry);
    // A failed read is not kept; the oldest entries go first.
    entry.catch(() => cache!.delete(key));
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  return entry;
}
