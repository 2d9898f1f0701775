// Reads that depend only on a few refs (a branch's log on its commit and the CI notes; the
// overview on the branch tips, the notes and run refs), kept and keyed by the ids those refs
// point at: while none moves, a page costs ref lookups through the cat-file reader, not a new
// `git log`; a new run moves the notes ref, so the key changes. Queued and running runs are not
// in git: callers lay them over what is kept.
import type { Repo } from '../store/repo.js';
import { ciNotesRefNames } from '../store/notes.js';

// A log page, a branch tip's status, a runs list: small each; enough for a few hundred branches.
const MAX_ENTRIES = 1000;

interface Entry {
  promise: Promise<unknown>;
  /** Set once the promise fulfilled: what a streaming reader sends whole. */
  settled?: { value: unknown };
}

const caches = new WeakMap<Repo, Map<string, Entry>>();

function cacheOf(repo: Repo): Map<string, Entry> {
  let cache = caches.get(repo);
  if (!cache) caches.set(repo, (cache = new Map()));
  return cache;
}

function add(cache: Map<string, Entry>, key: string, entry: Entry): void {
  cache.set(key, entry);
  // The oldest entries go first.
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

let unlisted = 0;

/**
 * Where every CI notes ref points now, as one key part: the local ref and, in a clone, each
 * remote's (a `git fetch` moves those). When the refs cannot be listed from the repository's
 * files (reftable), a part that never repeats: nothing is kept, every read is fresh.
 */
export async function notesState(repo: Repo): Promise<string> {
  const refs = ciNotesRefNames(repo.gitDir);
  if (!refs) return `unlisted ${++unlisted}`;
  const ids = await Promise.all(refs.map((ref) => repo.git.oid(ref)));
  return refs.map((ref, i) => `${ref}=${ids[i] ?? '-'}`).join(' ');
}

/** The key of `what` read from `rev`'s commit and the notes, and that commit (read it, not `rev`, which may move). */
export async function notesKey(repo: Repo, rev: string, what: string): Promise<{ key: string; commit: string | undefined }> {
  const [commit, notes] = await Promise.all([repo.git.oid(`${rev}^{commit}`), notesState(repo)]);
  return { key: [what, commit ?? `-${rev}`, notes].join('\0'), commit };
}

/** `compute()` kept under `key`; one computation for requests that come at once. */
export function keyed<T>(repo: Repo, key: string, compute: () => Promise<T>): Promise<T> {
  const cache = cacheOf(repo);
  const found = cache.get(key);
  if (found) return found.promise as Promise<T>;
  const entry: Entry = { promise: compute() };
  add(cache, key, entry);
  entry.promise.then(
    (value) => (entry.settled = { value }),
    // A failed read is not kept.
    () => cache.get(key) === entry && cache.delete(key),
  );
  return entry.promise as Promise<T>;
}

/** What is kept under `key`, when it is there and read to its end. */
export function kept<T>(repo: Repo, key: string): T | undefined {
  return cacheOf(repo).get(key)?.settled?.value as T | undefined;
}

/** Keeps a value read some other way (streamed) under `key`. */
export function keep<T>(repo: Repo, key: string, value: T): void {
  add(cacheOf(repo), key, { promise: Promise.resolve(value), settled: { value } });
}
