// Local runs (`git ci run --local`) keep their queue, run records, logs, artifacts and cache in a
// bare repository of their own inside the working clone's git dir, <git-dir>/ci-local.git, which
// borrows the clone's objects (objects/info/alternates). Nothing of it is ever pushed; only the
// note line is copied to the clone, under refs/notes/ci-local, so `git log --notes=ci-local`
// shows it. The rest of git-ci works on it unchanged, as on any bare repository.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Repo } from './repo.js';
import { spawnGit } from './git.js';
import { GitError } from './errors.js';

export const LOCAL_NOTES_REF = 'refs/notes/ci-local';

/** The local-runs repository of a working clone, created on first use; its ci.* settings follow the clone's. */
export async function openLocalRunRepo(clone: Repo): Promise<Repo> {
  const dir = path.join(clone.gitDir, 'ci-local.git');
  if (!(await exists(path.join(dir, 'HEAD')))) {
    const r = await spawnGit(['init', '--bare', '-q', dir]);
    if (r.exitCode !== 0) throw new GitError(['init', '--bare', dir], r.exitCode, String(r.stderr));
  }
  const objects = path.resolve(clone.gitDir, (await clone.git.run(['rev-parse', '--git-path', 'objects'])).stdout.trim());
  await fs.mkdir(path.join(dir, 'objects', 'info'), { recursive: true });
  await fs.writeFile(path.join(dir, 'objects', 'info', 'alternates'), `${objects}\n`);
  const local = new Repo(dir, true);
  // The clone's ci.* settings (its own, the user's and the system's), copied at each run.
  for (const key of (await local.settings()).keys()) await local.git.run(['config', '--unset-all', key], { okExitCodes: [5] });
  for (const [key, value] of await clone.settings()) await local.git.run(['config', key, value]);
  return local;
}

/**
 * A commit of the working tree as it is (tracked changes and untracked files that are not
 * ignored), on top of HEAD, for `--dirty`. Its objects go into the local-runs repository, so the
 * clone's own object store and index are left as they were.
 */
export async function commitWorkingTree(clone: Repo, local: Repo, topLevel: string): Promise<string> {
  const tmp = await fs.mkdtemp(path.join(local.gitDir, 'dirty-'));
  try {
    const index = path.join(tmp, 'index');
    // Starting from the clone's index, only changed files are hashed again.
    await fs.copyFile(path.join(clone.gitDir, 'index'), index).catch(() => undefined);
    const objects = path.join(local.gitDir, 'objects');
    const env = { GIT_INDEX_FILE: index, GIT_OBJECT_DIRECTORY: objects, GIT_ALTERNATE_OBJECT_DIRECTORIES: path.resolve(clone.gitDir, 'objects') };
    await clone.git.run(['--work-tree', topLevel, 'add', '-A'], { env, cwd: topLevel });
    const tree = (await clone.git.run(['write-tree'], { env })).stdout.trim();
    const head = await clone.git.resolve('HEAD^{commit}');
    const commit = await local.git.run(['commit-tree', tree, ...(head ? ['-p', head] : []), '-m', 'git-ci: uncommitted changes (git ci run --local --dirty)'], {
      env: { GIT_AUTHOR_NAME: 'git-ci', GIT_AUTHOR_EMAIL: 'git-ci@localhost', GIT_COMMITTER_NAME: 'git-ci', GIT_COMMITTER_EMAIL: 'git-ci@localhost' },
    });
    return commit.stdout.trim();
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
