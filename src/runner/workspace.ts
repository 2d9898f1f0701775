// A job's workspace: a fresh temporary folder with the commit checked out from the bare
// repository through a private index (read-tree -u), plus a private HOME and TMPDIR.
// Chosen over `git archive | tar`, which drops export-ignore files and expands export-subst,
// and over `git worktree add`, which writes into the repository (see bench/workspace).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Git } from '../store/git.js';

export interface Workspace {
  root: string;
  /** The checkout the job runs in. */
  dir: string;
  home: string;
  tmp: string;
}

/** The workspace's folders, still empty: the job's sandbox can start while `checkOut` fills them. */
export async function makeWorkspace(label: string): Promise<Workspace> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `git-ci-${label}-`));
  const ws: Workspace = { root, dir: path.join(root, 'work'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp') };
  try {
    await Promise.all([fs.mkdir(ws.dir), fs.mkdir(ws.home), fs.mkdir(ws.tmp)]);
    return ws;
  } catch (err) {
    await removeWorkspace(ws);
    throw err;
  }
}

/** Checks the commit out into the workspace's (empty) checkout folder. */
export async function checkOut(git: Git, ws: Workspace, commit: string): Promise<void> {
  const index = path.join(ws.root, 'index');
  await git.run(['--work-tree', ws.dir, 'read-tree', '--reset', '-u', commit], { env: { GIT_INDEX_FILE: index } });
  await fs.rm(index, { force: true });
}

/** Removes a workspace, whatever the job left in it. */
export async function removeWorkspace(ws: Pick<Workspace, 'root'>): Promise<void> {
  await fs.rm(ws.root, { recursive: true, force: true, maxRetries: 3 }).catch(async () => {
    // A job may have removed write permission from its own folders.
    await chmodTree(ws.root).catch(() => undefined);
    await fs.rm(ws.root, { recursive: true, force: true }).catch(() => undefined);
  });
}

async function chmodTree(dir: string): Promise<void> {
  await fs.chmod(dir, 0o700);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await chmodTree(path.join(dir, entry.name));
  }
}
