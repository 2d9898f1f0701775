// A job's workspace: a fresh temporary folder with the commit checked out from the bare
// repository, plus a private HOME and TMPDIR. A small plain tree is written by the runner from
// its long-lived cat-file reader (no git process: a spawn blocks the runner ~10 ms); anything
// git could write differently (attributes, submodules, odd names or config) goes through a
// private index (read-tree -u). Chosen over `git archive | tar`, which drops export-ignore
// files and expands export-subst, and over `git worktree add`, which writes into the
// repository (see bench/workspace).
import { constants as fsConstants, lstatSync, promises as fs, writeFile } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Git } from '../store/git.js';
import { parseTree } from '../store/cat-file.js';

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
  const plain = await planPlainCheckout(git, commit);
  if (plain) await writePlainCheckout(git, ws.dir, plain);
  else await checkOutWithGit(git, ws, commit);
}

/** The checkout git itself writes (read-tree -u through a private index): what plain checkouts must equal. */
export async function checkOutWithGit(git: Git, ws: Workspace, commit: string): Promise<void> {
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

// Past these a tree goes through git: writing files dominates there (DESIGN: 259 files, 4 MB,
// ~35-50 ms), so one spawn matters less, and the blobs would sit in the runner's memory at once.
// A plain tree of 200 small files is written in a few ms of libuv work.
export const PLAIN_MAX_ENTRIES = 200;
export const PLAIN_MAX_BYTES = 4 * 1024 * 1024;

/** A tree the runner can write itself: folders (parents first) and files, relative to the checkout. */
export interface PlainCheckout {
  dirs: string[];
  files: { path: string; kind: 'file' | 'exec' | 'link'; oid: string }[];
}

const FILE_KINDS: Record<string, PlainCheckout['files'][number]['kind']> = { '100644': 'file', '100755': 'exec', '120000': 'link' };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The commit's tree as plain folders and files when writing its blobs as they are is exactly what
 * `read-tree -u` would do; undefined sends the checkout through git: a submodule, any
 * .gitattributes (filters, eol, ident change content), attributes or config that change a
 * checkout, a name git might refuse, or a tree past PLAIN_MAX_ENTRIES / PLAIN_MAX_BYTES.
 */
export async function planPlainCheckout(git: Git, commit: string): Promise<PlainCheckout | undefined> {
  try {
    const [configOk, attributesOk, root] = await Promise.all([plainCheckoutConfig(git), noAttributeFiles(git), git.object(`${commit}^{tree}`)]);
    if (!configOk || !attributesOk || root?.type !== 'tree') return undefined;
    const oidBytes = root.oid.length / 2;
    const plan: PlainCheckout = { dirs: [], files: [] };
    let entries = 0;
    let level = [{ path: '', content: root.content }];
    while (level.length > 0) {
      const subtrees: { path: string; oid: string }[] = [];
      for (const tree of level) {
        // An empty subtree (only a crafted tree has one) makes no folder in git's checkout.
        if (tree.content.length === 0 && tree.path !== '') return undefined;
        const names = new Set<string>();
        for (const entry of parseTree(tree.content, oidBytes)) {
          if (++entries > PLAIN_MAX_ENTRIES) return undefined;
          const name = plainName(entry.name);
          if (name === undefined || names.has(name)) return undefined;
          names.add(name);
          const at = tree.path ? `${tree.path}/${name}` : name;
          const kind = FILE_KINDS[entry.mode];
          if (kind) plan.files.push({ path: at, kind, oid: entry.oid });
          else if (entry.mode === '40000') subtrees.push({ path: at, oid: entry.oid });
          // 160000 is a submodule; any other mode is one git would canonicalize.
          else return undefined;
        }
      }
      plan.dirs.push(...subtrees.map((t) => t.path));
      // One level's trees are asked for in one tick: one write to cat-file, answered in order.
      const read = await Promise.all(subtrees.map((t) => git.object(t.oid)));
      if (read.some((t) => t?.type !== 'tree')) return undefined;
      level = subtrees.map((t, i) => ({ path: t.path, content: read[i]!.content }));
    }
    const sizes = await Promise.all(plan.files.map((f) => git.size(f.oid)));
    let bytes = 0;
    for (const size of sizes) bytes += size ?? Infinity;
    return bytes <= PLAIN_MAX_BYTES ? plan : undefined;
  } catch {
    // A malformed tree, a reader that died: git decides, and says what is wrong.
    return undefined;
  }
}

/**
 * A tree entry's name when the runner may write it as is. Git refuses `.`, `..` and `.git`
 * (and NTFS spellings of it) in trees it writes, but a crafted tree object may hold them; those,
 * names git treats specially, and names that are not UTF-8 go through git, which refuses what it must.
 */
function plainName(raw: Buffer): string | undefined {
  let name: string;
  try {
    name = utf8.decode(raw);
  } catch {
    return undefined;
  }
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) return undefined;
  if (/^(\.git($|[ .:])|git~|\.gitattributes|\.gitmodules|gitmod~)/i.test(name)) return undefined;
  return name;
}

// Settings that change what a checkout writes without any attribute file: CRLF conversion,
// symlinks as plain files, sparse checkouts, a global attributes file, HFS name rules. Read once
// per repository reader, as the runner reads its other settings once.
const plainConfigs = new WeakMap<Git, Promise<boolean>>();

function plainCheckoutConfig(git: Git): Promise<boolean> {
  let ok = plainConfigs.get(git);
  if (!ok) {
    ok = git
      .run(['config', '-z', '--get-regexp', '^core\\.(autocrlf|eol|symlinks|sparsecheckout|attributesfile|protecthfs)$'], { okExitCodes: [1] })
      .then((r) => plainConfigAllows(r.stdout))
      .catch(() => false);
    plainConfigs.set(git, ok);
  }
  return ok;
}

/** Whether `git config -z --get-regexp` output (key\nvalue\0 each) leaves a checkout plain. */
export function plainConfigAllows(configZ: string): boolean {
  for (const item of configZ.split('\0')) {
    if (item === '') continue;
    const nl = item.indexOf('\n');
    const key = (nl < 0 ? item : item.slice(0, nl)).toLowerCase();
    // A key without "=" is true.
    const value = nl < 0 ? 'true' : item.slice(nl + 1).trim().toLowerCase();
    const isFalse = ['false', 'no', 'off', '0', ''].includes(value);
    const isTrue = ['true', 'yes', 'on', '1'].includes(value);
    if (key === 'core.symlinks' && isTrue) continue;
    if ((key === 'core.sparsecheckout' || key === 'core.protecthfs') && isFalse) continue;
    if (key === 'core.autocrlf' && (isFalse || value === 'input')) continue;
    return false;
  }
  return true;
}

/** True when no attributes file outside the tree exists (the repository's, the user's, the system's). */
async function noAttributeFiles(git: Git): Promise<boolean> {
  const home = process.env.XDG_CONFIG_HOME || path.join(process.env.HOME || os.homedir(), '.config');
  const files = [path.join(git.gitDir, 'info', 'attributes'), path.join(home, 'git', 'attributes'), '/etc/gitattributes', '/usr/local/etc/gitattributes'];
  // Synchronous: a cached lookup costs microseconds, a promise each a round trip to the thread pool.
  return files.every((f) => lstatSync(f, { throwIfNoEntry: false }) === undefined);
}

/**
 * Writes a plain tree into the empty checkout folder. Never through a symlink: every folder is
 * one this call just created (mkdir fails on anything already there) and files are created
 * exclusively without following a link, so a path that exists, even as a symlink, is an error.
 */
export async function writePlainCheckout(git: Git, dir: string, plan: PlainCheckout): Promise<void> {
  for (const d of plan.dirs) await fs.mkdir(path.join(dir, d));
  await Promise.all(
    plan.files.map(async (f) => {
      const blob = await git.object(f.oid);
      if (blob?.type !== 'blob') throw new Error(`${f.path}: blob ${f.oid} is missing`);
      const target = path.join(dir, f.path);
      // Git's symlink(2) takes the blob as a C string: it ends at a NUL, as here.
      if (f.kind === 'link') return fs.symlink(blob.content.subarray(0, blob.content.indexOf(0) >>> 0), target);
      // The modes git creates files with, before the umask.
      return writeNewFile(target, blob.content, f.kind === 'exec' ? 0o777 : 0o666);
    }),
  );
}

const NEW_FILE = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

// The callback API, not fs.promises (a FileHandle per file) nor a synchronous write (creating a
// file costs the kernel ~0.2 ms here): measured on 21 small files, the runner's thread was busy
// 1.1-1.9 ms with callbacks, 2.5 ms with fs.promises and 4-4.5 ms with synchronous calls.
function writeNewFile(file: string, content: Buffer, mode: number): Promise<void> {
  // Node takes open(2) flags as a number where it takes 'wx' (its types say string only).
  const flag = NEW_FILE as unknown as string;
  return new Promise((resolve, reject) => writeFile(file, content, { flag, mode }, (err) => (err ? reject(err) : resolve())));
}
