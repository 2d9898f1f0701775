// Artifacts: refs/ci/artifacts/<run-id>/<job> -> a commit whose tree holds the files a job kept.
// A git tree, not a tarball: git deduplicates unchanged files across runs, and `git archive` reads it.
// Storing and restoring each take a fixed handful of git processes, however many files there are.
import { promises as fs, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Git } from './git.js';
import { CI_IDENTITY } from './notes.js';
import { isRunId } from './queue.js';
import { globToRegExp, stripTrailingSlash } from '../pipeline/glob.js';
import { formatSize } from '../pipeline/size.js';

export const ARTIFACTS_PREFIX = 'refs/ci/artifacts/';
export const DEFAULT_MAX_ARTIFACT_BYTES = 1024 ** 3;

export type ArtifactMode = '100644' | '100755' | '120000';

export interface SaveArtifactsOptions {
  /** The job's workspace; patterns are relative to it. */
  workspace: string;
  /** The job's `artifacts:` globs (already checked by the parser: no "..", no absolute paths). */
  patterns: string[];
  runId: string;
  job: string;
  /** ci.maxArtifactBytes: past it nothing is stored. */
  maxBytes: number;
}

export interface ArtifactsResult {
  /** refs/ci/artifacts/<run-id>/<job>, or null when nothing was stored. */
  ref: string | null;
  files: number;
  bytes: number;
  /** What was left out and why, for the job's log. */
  messages: string[];
}

export interface ArtifactFile {
  path: string;
  size: number;
  mode: ArtifactMode;
  oid: string;
}

export interface RestoreResult {
  files: number;
  bytes: number;
  messages: string[];
}

export function artifactsRef(runId: string, job: string): string {
  return `${ARTIFACTS_PREFIX}${runId}/${job}`;
}

interface Picked {
  rel: string;
  abs: string;
  mode: ArtifactMode;
  size: number;
  /** For links: the link text, which is what git stores as the blob. */
  linkText?: string;
}

/**
 * Stores the workspace files that match the patterns under refs/ci/artifacts/<run-id>/<job>.
 * Call it once the job's processes are dead: it checks links, then git reads the files.
 */
export async function saveArtifacts(git: Git, options: SaveArtifactsOptions): Promise<ArtifactsResult> {
  const { workspace, patterns, runId, job, maxBytes } = options;
  assertRefSafe(runId, job);
  const messages: string[] = [];
  const root = path.resolve(workspace);
  const found = await findMatches(root, patterns, messages);
  if (found.length === 0) {
    messages.push(`no file matched artifacts: [${patterns.join(', ')}]`);
    return { ref: null, files: 0, bytes: 0, messages };
  }
  const picked = await pickStorable(root, found, messages);
  const total = sumSizes(picked);
  if (total > maxBytes) {
    messages.push(`artifacts of ${job} are ${formatSize(total)}, over ci.maxArtifactBytes (${formatSize(maxBytes)}): not stored`);
    return { ref: null, files: picked.length, bytes: total, messages };
  }
  if (picked.length === 0) return { ref: null, files: 0, bytes: 0, messages };

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-artifacts-'));
  try {
    const { tree, stored } = await writeTree(git, tmp, picked, messages);
    if (stored.length === 0) return { ref: null, files: 0, bytes: 0, messages };
    const ref = artifactsRef(runId, job);
    const message = `git-ci artifacts ${runId} ${job}`;
    const commit = (await git.run(['commit-tree', tree, '-m', message], { env: CI_IDENTITY })).stdout.trim();
    await git.run(['update-ref', '-m', message, ref, commit]);
    return { ref, files: stored.length, bytes: sumSizes(stored), messages };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function sumSizes(files: { size: number }[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

/** Job names are checked by the parser; this guards the ref name against anything else. */
function assertRefSafe(runId: string, job: string): void {
  if (!isRunId(runId)) throw new Error(`cannot store artifacts: run id ${JSON.stringify(runId)} is not a ULID`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(job) || job.includes('..') || job.endsWith('.lock') || job.endsWith('.')) {
    throw new Error(`cannot store artifacts: job name ${JSON.stringify(job)} cannot be part of a ref name`);
  }
}

interface Found {
  rel: string;
  abs: string;
  entry: Dirent;
}

/**
 * Walks the workspace without following links, keeping entries that match a pattern. Folders no
 * pattern can reach (by its literal leading segments) are not entered, so `dist/**` skips node_modules.
 */
async function findMatches(root: string, patterns: string[], messages: string[]): Promise<Found[]> {
  const regexps = patterns.map((p) => globToRegExp(p));
  const prefixes = patterns.map(literalPrefix);
  const matches = (rel: string) => regexps.some((re) => re.test(rel));
  const found: Found[] = [];
  let level = [''];
  while (level.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 32) {
      await Promise.all(
        level.slice(i, i + 32).map(async (dirRel) => {
          let entries: Dirent[];
          try {
            entries = await fs.readdir(path.join(root, dirRel), { withFileTypes: true });
          } catch (err) {
            messages.push(`skipped folder ${dirRel || '.'}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
            return;
          }
          for (const entry of entries) {
            const rel = dirRel ? `${dirRel}/${entry.name}` : entry.name;
            if (entry.name.toLowerCase() === '.git') {
              // git refuses to store any path inside .git: say so only when it was asked for.
              if (matches(rel) || matches(`${rel}/x`)) messages.push(`skipped ${rel}: git cannot store a .git folder`);
              continue;
            }
            if (entry.isDirectory()) {
              if (mayHoldMatches(rel, prefixes)) next.push(rel);
            } else if (matches(rel)) {
              found.push({ rel, abs: path.join(root, rel), entry });
            }
          }
        }),
      );
    }
    level = next;
  }
  return found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

// The leading segments of a pattern with no glob character in them: `dist/js/*.map` -> [dist, js].
function literalPrefix(pattern: string): string[] {
  const segments = stripTrailingSlash(pattern).split('/');
  const literal: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' || /[*?[]/.test(segment)) break;
    literal.push(segment);
  }
  return literal;
}

function mayHoldMatches(dirRel: string, prefixes: string[][]): boolean {
  const parts = dirRel.split('/');
  return prefixes.some((prefix) => {
    const n = Math.min(prefix.length, parts.length);
    for (let i = 0; i < n; i++) if (prefix[i] !== parts[i]) return false;
    return true;
  });
}

/** Regular files and links that stay inside; everything else is named in messages. */
async function pickStorable(root: string, found: Found[], messages: string[]): Promise<Picked[]> {
  const realRoot = await fs.realpath(root);
  const picked: (Picked | undefined)[] = new Array(found.length);
  const notes: (string | undefined)[] = new Array(found.length);
  for (let i = 0; i < found.length; i += 64) {
    await Promise.all(
      found.slice(i, i + 64).map(async (f, j) => {
        const k = i + j;
        try {
          const st = await fs.lstat(f.abs);
          if (st.isFile()) {
            picked[k] = { rel: f.rel, abs: f.abs, mode: st.mode & 0o100 ? '100755' : '100644', size: st.size };
          } else if (st.isSymbolicLink()) {
            const text = await fs.readlink(f.abs);
            if (await linkStaysInside(root, realRoot, f.abs, text)) {
              picked[k] = { rel: f.rel, abs: f.abs, mode: '120000', size: Buffer.byteLength(text), linkText: text };
            } else {
              notes[k] = `skipped link ${f.rel} -> ${text}: points outside the workspace`;
            }
          } else {
            notes[k] = `skipped ${f.rel}: not a regular file or a link`;
          }
        } catch (err) {
          notes[k] = `skipped ${f.rel}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`;
        }
      }),
    );
  }
  for (const note of notes) if (note) messages.push(note);
  return picked.filter((p): p is Picked => p !== undefined);
}

/**
 * Whether a link, followed as far as the file system allows, stays inside root. Checked both by
 * its text (absolute or `..` past the root) and for real, since `a -> .` makes `a/a/..` escape.
 */
export async function linkStaysInside(root: string, realRoot: string, linkAbs: string, text: string): Promise<boolean> {
  if (path.isAbsolute(text)) return false;
  const lexical = path.resolve(path.dirname(linkAbs), text);
  if (!isInside(root, lexical)) return false;
  try {
    return isInside(realRoot, await fs.realpath(linkAbs));
  } catch {
    // Dangling or looping: the deepest folder on its way that exists must be inside.
    for (let dir = path.dirname(lexical); ; dir = path.dirname(dir)) {
      try {
        return isInside(realRoot, await fs.realpath(dir));
      } catch {
        if (dir === path.dirname(dir)) return false;
      }
    }
  }
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * Writes the blobs (one `hash-object --stdin-paths`; link texts go through small temp files) and the
 * tree (one private index: `update-index --index-info`, then `write-tree`). Paths git refuses to
 * store (it prints no "add" line for them) are named in messages and left out of `stored`.
 */
async function writeTree(git: Git, tmp: string, picked: Picked[], messages: string[]): Promise<{ tree: string; stored: Picked[] }> {
  const sources = await Promise.all(
    picked.map(async (p, i) => {
      if (p.linkText === undefined) return p.abs;
      const file = path.join(tmp, `link-${i}`);
      await fs.writeFile(file, p.linkText);
      return file;
    }),
  );
  const input = sources.map(quoteForStdinPaths).join('\n') + '\n';
  const oids = (await git.run(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input })).stdout.trim().split('\n');
  if (oids.length !== picked.length) throw new Error(`git hash-object returned ${oids.length} ids for ${picked.length} files`);

  const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
  const entries = picked.map((p, i) => `${p.mode} ${oids[i]}\t${p.rel}\0`).join('');
  const added = (await git.run(['update-index', '--verbose', '-z', '--index-info'], { input: entries, env })).stdout;
  const addedLines = new Set(added.split('\n'));
  const stored = picked.filter((p) => {
    const ok = p.rel.includes('\n') ? added.includes(`add '${p.rel}'\n`) : addedLines.has(`add '${p.rel}'`);
    if (!ok) messages.push(`skipped ${p.rel}: git refuses to store this path`);
    return ok;
  });
  if (stored.length === 0) return { tree: '', stored };
  return { tree: (await git.run(['write-tree'], { env })).stdout.trim(), stored };
}

// `--stdin-paths` reads lines, unquoting C-style ones: quote paths that hold a line break or CR.
function quoteForStdinPaths(p: string): string {
  if (!/[\x00-\x1f"]/.test(p)) return p;
  const body = p.replace(/[\\"]|[\x00-\x1f]/g, (c) => (c === '\\' || c === '"' ? `\\${c}` : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`));
  return `"${body}"`;
}

/** The jobs of a run that stored artifacts, by name. */
export async function listArtifacts(git: Git, runId: string): Promise<string[]> {
  const prefix = `${ARTIFACTS_PREFIX}${runId}/`;
  const { stdout } = await git.run(['for-each-ref', '--format=%(refname)', prefix]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((ref) => ref.slice(prefix.length));
}

/** Run ids with artifacts that start with a prefix (users type short ids). */
export async function findArtifactRunIds(git: Git, prefix = ''): Promise<string[]> {
  const { stdout } = await git.run(['for-each-ref', '--format=%(refname)', ARTIFACTS_PREFIX]);
  const ids = stdout
    .split('\n')
    .filter(Boolean)
    .map((ref) => ref.slice(ARTIFACTS_PREFIX.length).split('/')[0]!);
  return [...new Set(ids)].filter((id) => id.startsWith(prefix.toUpperCase()));
}

/** The files of an artifacts ref (or any tree-ish), with sizes and modes, in one `ls-tree`. */
export async function artifactFiles(git: Git, ref: string): Promise<ArtifactFile[]> {
  const { stdout } = await git.run(['ls-tree', '-r', '-l', '-z', '--end-of-options', ref]);
  const files: ArtifactFile[] = [];
  for (const record of stdout.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    // Only blobs: a submodule entry (a commit) has no content here.
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755' && mode !== '120000')) continue;
    files.push({ path: record.slice(tab + 1), size: Number(size), mode, oid: oid! });
  }
  return files;
}

/**
 * Checks an artifacts ref out into dir (created when missing; files there are overwritten), for a
 * dependant job's workspace or `git ci artifacts -o`. Bytes come back exactly as stored: files
 * named .gitattributes are written here rather than by git, so they cannot convert the others.
 * Links that lead outside dir are removed and named in messages.
 */
export async function restoreArtifacts(git: Git, ref: string, dir: string): Promise<RestoreResult> {
  const root = path.resolve(dir);
  const messages: string[] = [];
  const files = await artifactFiles(git, ref);
  await fs.mkdir(root, { recursive: true });
  const byGit = files.filter((f) => path.posix.basename(f.path) !== '.gitattributes');
  const byNode = files.filter((f) => path.posix.basename(f.path) === '.gitattributes');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-restore-'));
  try {
    if (byGit.length > 0) {
      const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
      await git.run(['update-index', '-z', '--index-info'], { input: byGit.map((f) => `${f.mode} ${f.oid}\t${f.path}\0`).join(''), env });
      const config = ['-c', 'core.autocrlf=false', '-c', 'core.eol=lf', '-c', 'core.symlinks=true', '-c', 'core.attributesFile=/dev/null'];
      await git.run([...config, `--work-tree=${root}`, 'checkout-index', '-a', '-f'], { env });
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  const dropped = new Set<string>();
  if (byNode.length > 0) {
    const contents = await readBlobs(git, byNode.map((f) => f.oid));
    for (const f of byNode) {
      const problem = await writeInside(root, f.path, contents.get(f.oid) ?? Buffer.alloc(0), f.mode);
      if (!problem) continue;
      messages.push(`skipped ${f.path}: ${problem}`);
      dropped.add(f.path);
    }
  }
  const realRoot = await fs.realpath(root);
  for (const f of files.filter((x) => x.mode === '120000' && !dropped.has(x.path))) {
    const abs = path.join(root, f.path);
    const text = await fs.readlink(abs).catch(() => undefined);
    if (text === undefined || (await linkStaysInside(root, realRoot, abs, text))) continue;
    await fs.rm(abs, { force: true });
    messages.push(`skipped link ${f.path} -> ${text}: points outside ${dir}`);
    dropped.add(f.path);
  }
  const kept = files.filter((f) => !dropped.has(f.path));
  return { files: kept.length, bytes: sumSizes(kept), messages };
}

/** Blob contents by id, in one `cat-file --batch`. */
async function readBlobs(git: Git, oids: string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  const { stdout } = await git.runBuffer(['cat-file', '--batch'], { input: unique.join('\n') + '\n' });
  const blobs = new Map<string, Buffer>();
  let at = 0;
  for (const oid of unique) {
    const eol = stdout.indexOf(0x0a, at);
    if (eol < 0) break;
    const [, type, size] = stdout.subarray(at, eol).toString().split(' ');
    at = eol + 1;
    if (type === undefined || size === undefined) continue;
    blobs.set(oid, stdout.subarray(at, at + Number(size)));
    at += Number(size) + 1;
  }
  return blobs;
}

/**
 * Writes one file below root as checkout-index would: folders on the way that are links or files
 * are replaced by folders, so nothing is written through a link. Returns a problem, or undefined.
 */
async function writeInside(root: string, rel: string, content: Buffer, mode: ArtifactMode): Promise<string | undefined> {
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.toLowerCase() === '.git')) return 'not a path inside the folder';
  let at = root;
  for (const part of parts.slice(0, -1)) {
    at = path.join(at, part);
    const st = await fs.lstat(at).catch(() => undefined);
    if (st?.isDirectory()) continue;
    if (st) await fs.rm(at, { force: true });
    await fs.mkdir(at);
  }
  const file = path.join(at, parts.at(-1)!);
  const st = await fs.lstat(file).catch(() => undefined);
  if (st?.isDirectory()) return 'a folder of that name is in the way';
  if (st) await fs.rm(file, { force: true });
  if (mode === '120000') await fs.symlink(content.toString(), file);
  // "wx" creates the file and refuses to follow a link put there meanwhile.
  else await fs.writeFile(file, content, { flag: 'wx', mode: mode === '100755' ? 0o755 : 0o644 });
  return undefined;
}
