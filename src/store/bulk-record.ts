// Recording many runs at once (a range backfill): their run records, cache refs and note lines
// through `git fast-import`, one process for all of them instead of ~13 per run. DESIGN.md:
// fast-import for bulk writes, never for a single note (it loads the whole notes tree).
// Same result on disk as writeRunRecord + writeCacheRefs + writeNoteWithRetry, but one notes
// commit for the batch. Not yet used by the runner (see README, Status).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Git } from './git.js';
import { cleanGitEnv } from './git.js';
import { GitError } from './errors.js';
import { runRef, type LogFile } from './runs.js';
import { CACHE_PREFIX } from './cache-refs.js';
import { NOTES_REF } from './notes.js';
import { encodeRunRecord, type RunRecord } from '../report/run-record.js';

export interface BulkRun {
  record: RunRecord;
  logs: LogFile[];
  /** The run ref's commit message. */
  message: string;
  /** Cache keys that passed in this run: refs/ci/cache/<key> will point at its record. */
  cacheKeys: string[];
}

const COMMITTER = 'git-ci <git-ci@localhost>';

/** Writes the run records (and their cache refs) of many runs with one fast-import. */
export async function writeRunRecordsBulk(git: Git, runs: BulkRun[]): Promise<void> {
  if (runs.length === 0) return;
  const when = `${Math.floor(Date.now() / 1000)} +0000`;
  await fastImport(git, async (write) => {
    for (const [i, run] of runs.entries()) {
      const mark = i + 1;
      await write(`commit ${runRef(run.record.id)}\nmark :${mark}\ncommitter ${COMMITTER} ${when}\n`);
      // commit-tree -m ends a message with a newline: so does this, for the same commits.
      await writeData(write, Buffer.from(`${run.message}\n`));
      await write('M 100644 inline run.json\n');
      await writeData(write, Buffer.from(encodeRunRecord(run.record)));
      for (const log of [...run.logs].sort((a, b) => a.job.localeCompare(b.job))) {
        await write(`M 100644 inline logs/${log.job}.log\n`);
        await writeData(write, await fs.readFile(log.path));
      }
      await write('\n');
      for (const key of run.cacheKeys) await write(`reset ${CACHE_PREFIX}${key}\nfrom :${mark}\n\n`);
    }
  });
}

/**
 * Appends note lines (one commit may get several) in one notes commit, with compare-and-swap:
 * fast-import moves the notes ref only as a fast-forward of the tip it started from, so a
 * writer that got there first makes it read again and retry.
 */
export async function appendNoteLinesBulk(git: Git, lines: { commit: string; line: string }[], message: string, ref = NOTES_REF, attempts = 20): Promise<void> {
  if (lines.length === 0) return;
  const byCommit = new Map<string, string[]>();
  for (const { commit, line } of lines) byCommit.set(commit, [...(byCommit.get(commit) ?? []), line]);
  for (let attempt = 1; ; attempt++) {
    const tip = await git.oid(`${ref}^{commit}`);
    const texts = new Map<string, string>();
    for (const [commit, added] of byCommit) {
      const current = tip ? await readNoteAt(git, tip, commit) : undefined;
      const kept = (current ?? '').split('\n').filter((l) => l.trim() !== '');
      // As appendNoteLine: lines sorted (run ids sort by time), each once.
      texts.set(commit, `${[...new Set([...kept, ...added].sort())].join('\n')}\n`);
    }
    const when = `${Math.floor(Date.now() / 1000)} +0000`;
    try {
      await fastImport(git, async (write) => {
        await write(`commit ${ref}\ncommitter ${COMMITTER} ${when}\n`);
        await writeData(write, Buffer.from(`${message}\n`));
        if (tip) await write(`from ${tip}\n`);
        for (const [commit, text] of texts) {
          await write(`N inline ${commit}\n`);
          await writeData(write, Buffer.from(text));
        }
        await write('\n');
      });
      return;
    } catch (err) {
      if (!(err instanceof GitError) || !/Not updating/.test(err.stderr) || attempt >= attempts) throw err;
      await sleep(Math.random() * Math.min(200, 5 * attempt));
    }
  }
}

/** A commit's note text in a notes commit, wherever fan-out put it (ab/cdef…, ab/cd/ef…). */
async function readNoteAt(git: Git, notesCommit: string, commit: string): Promise<string | undefined> {
  for (const path of [commit, `${commit.slice(0, 2)}/${commit.slice(2)}`, `${commit.slice(0, 2)}/${commit.slice(2, 4)}/${commit.slice(4)}`]) {
    const blob = await git.blob(`${notesCommit}:${path}`);
    if (blob) return blob.toString();
  }
  return undefined;
}

async function writeData(write: (text: string | Buffer) => Promise<void>, bytes: Buffer): Promise<void> {
  await write(`data ${bytes.length}\n`);
  await write(bytes);
  await write('\n');
}

/** Runs `git fast-import`, feeding it what `produce` writes (with backpressure); a refused ref update fails it. */
async function fastImport(git: Git, produce: (write: (chunk: string | Buffer) => Promise<void>) => Promise<void>): Promise<void> {
  const args = [`--git-dir=${git.gitDir}`, 'fast-import', '--quiet', '--done'];
  const child = spawn('git', args, { env: cleanGitEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 128));
    child.on('error', (err) => {
      stderr += err.message;
      resolve(128);
    });
  });
  let broken = false;
  child.stdin.on('error', () => (broken = true));
  let closed = false;
  void exited.then(() => (closed = true));
  // A fast-import that died stops draining: what is left to write is dropped, and its exit says why.
  const write = (chunk: string | Buffer) =>
    new Promise<void>((resolve) => {
      if (broken || closed || child.stdin.write(chunk)) return resolve();
      child.stdin.once('drain', () => resolve());
      void exited.then(() => resolve());
    });
  await produce(write);
  await write('done\n');
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new GitError(['fast-import'], code, stderr);
}
