// Notes in refs/notes/ci, written with compare-and-swap on the ref and retried, because plain
// `git notes add` from concurrent processes silently loses notes (measured: ~75% of 8 writers).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Git } from './git.js';
import { GitError } from './errors.js';
import { packedRefsUnder } from './packed-refs.js';

export const NOTES_REF = 'refs/notes/ci';
const ZERO_OID = '0000000000000000000000000000000000000000';
const CI_IDENTITY = {
  GIT_AUTHOR_NAME: 'git-ci',
  GIT_AUTHOR_EMAIL: 'git-ci@localhost',
  GIT_COMMITTER_NAME: 'git-ci',
  GIT_COMMITTER_EMAIL: 'git-ci@localhost',
};

export { CI_IDENTITY };

/**
 * Every notes ref CI results are read from: the local one, and in a clone each remote's
 * (`git ci fetch` brings a server's notes to refs/notes/remotes/<remote>/ci, never into the
 * local ref, so notes a user wrote are never overwritten).
 */
export const CI_NOTES_REFS = [NOTES_REF, 'refs/notes/remotes/*/ci'];

/**
 * A commit's CI note lines from all of CI_NOTES_REFS, in one text, in git's order (the local ref,
 * then the remotes' by name); undefined when none. Read through the repository's cat-file
 * reader when the refs can be listed from its files (a git process costs ~10 ms here, a lookup
 * ~0.1 ms), else with one `git log`.
 */
export async function readCiNotes(git: Git, commit: string): Promise<string | undefined> {
  const refs = ciNotesRefNames(git.gitDir);
  if (!refs || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    const { stdout } = await git.run(['log', '-1', '--no-walk', '--format=%N', ...CI_NOTES_REFS.map((ref) => `--notes=${ref}`), commit, '--']);
    return stdout.trim() === '' ? undefined : stdout;
  }
  const texts = await Promise.all(refs.map((ref) => noteBlob(git, ref, commit)));
  const text = texts
    .filter((t): t is string => t !== undefined && t !== '')
    .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
    .join('');
  return text === '' ? undefined : text;
}

/**
 * The names of CI_NOTES_REFS that exist, read from the files of git's ref store: loose refs
 * under refs/notes/remotes/ and packed-refs. Undefined when the repository keeps its refs
 * elsewhere (reftable, a linked worktree's common dir): then only git can list them.
 */
export function ciNotesRefNames(gitDir: string): string[] | undefined {
  if (existsSync(path.join(gitDir, 'reftable')) || existsSync(path.join(gitDir, 'commondir'))) return undefined;
  const remotes = new Set<string>();
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      // `*` in git's ref globs matches across slashes: refs/notes/remotes/a/b/ci counts too.
      if (e.isDirectory()) walk(path.join(dir, e.name), `${rel}/${e.name}`);
      else if (e.name === 'ci' && rel !== '') remotes.add(`refs/notes/remotes${rel}/ci`);
    }
  };
  walk(path.join(gitDir, 'refs', 'notes', 'remotes'), '');
  for (const ref of packedRefsUnder(path.join(gitDir, 'packed-refs'), 'refs/notes/remotes/')) if (/^refs\/notes\/remotes\/.+\/ci$/.test(ref)) remotes.add(ref);
  return [NOTES_REF, ...[...remotes].sort()];
}

/** The note on a commit in one notes ref (or notes commit), wherever fan-out put it (abcd…, ab/cd…, ab/cd/ef…). */
export async function noteBlob(git: Git, ref: string, commit: string): Promise<string | undefined> {
  const paths = [0, 1, 2, 3].map((depth) => {
    const dirs = Array.from({ length: depth }, (_, i) => commit.slice(2 * i, 2 * i + 2));
    return [...dirs, commit.slice(2 * depth)].join('/');
  });
  const blobs = await Promise.all(paths.map((p) => git.blob(`${ref}:${p}`)));
  return blobs.find((b) => b !== undefined)?.toString();
}

/** The note text on a commit, or undefined when it has none. */
export async function readNote(git: Git, commit: string, ref = NOTES_REF): Promise<string | undefined> {
  const { stdout, exitCode } = await git.run(['notes', `--ref=${ref}`, 'show', commit], { okExitCodes: [1] });
  return exitCode === 0 ? stdout : undefined;
}

export interface NoteEdit {
  commit: string;
  /** Computes the new note text from the current one (undefined when there is none). */
  edit: (current: string | undefined) => string;
  /** The notes commit message: the audit trail in `git log refs/notes/ci`. */
  message: string;
}

let tmpCounter = 0;
let chain: Promise<unknown> = Promise.resolve();

/** Edits one note with compare-and-swap and retry; serialised within this process. */
export function writeNoteWithRetry(git: Git, change: NoteEdit, ref = NOTES_REF): Promise<string> {
  const next = chain.then(() => writeNoteCas(git, change, ref));
  chain = next.catch(() => undefined);
  return next;
}

async function writeNoteCas(git: Git, change: NoteEdit, ref: string, attempts = 50): Promise<string> {
  const tmpRef = `refs/notes/ci-tmp/${process.pid}-${++tmpCounter}`;
  try {
    for (let attempt = 1; ; attempt++) {
      const old = await git.oid(`${ref}^{commit}`);
      if (old) await git.run(['update-ref', tmpRef, old]);
      else await git.run(['update-ref', '-d', tmpRef]);
      const current = await readNote(git, change.commit, tmpRef);
      const text = change.edit(current);
      await git.run(['notes', `--ref=${tmpRef}`, 'add', '-f', '-F', '-', change.commit], { input: text, env: CI_IDENTITY });
      const parents = old ? ['-p', old] : [];
      const commit = (await git.run(['commit-tree', `${tmpRef}^{tree}`, ...parents, '-m', change.message], { env: CI_IDENTITY })).stdout.trim();
      try {
        await git.run(['update-ref', '-m', change.message, ref, commit, old ?? ZERO_OID]);
        return commit;
      } catch (err) {
        if (!(err instanceof GitError) || attempt >= attempts) throw err;
        await sleep(Math.random() * Math.min(200, 5 * attempt));
      }
    }
  } finally {
    await git.run(['update-ref', '-d', tmpRef], { okExitCodes: [1] }).catch(() => undefined);
  }
}
