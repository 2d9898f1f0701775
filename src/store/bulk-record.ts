// Recording many runs at once (a range backfill): their run records, cache refs and note lines
// through `git fast-import`, one process for all of them instead of ~13 per run. DESIGN.md:
// fast-import for bulk writes, never for a single note (it loads the whole notes tree).
// Same result on disk as writeRunRecord + writeCacheRefs + writeNoteWithRetry, but one notes
// commit for the batch.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Git } from './git.js';
import { cleanGitEnv } from './git.js';
import { GitError } from './errors.js';
import { runRef, type LogFile } from './runs.js';
import { CACHE_PREFIX } from './cache-refs.js';
import { NOTES_REF, noteBlob } from './notes.js';
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
/** How many bytes of the fast-import stream are gathered before a write to its pipe. */
const WRITE_CHUNK = 256 * 1024;
/** How many log files are read ahead of the one being written. */
const LOG_READ_AHEAD = 8;

type Write = (chunk: string | Buffer) => Promise<void>;

/**
 * Records a batch: the run records, their cache refs and the note lines in one fast-import (one
 * process, one pack). The notes commit is a compare-and-swap on the notes ref: when another
 * writer moved it meanwhile, fast-import still stores the runs and refuses the notes alone,
 * which are then appended again from the new tip.
 */
export async function recordRunsBulk(git: Git, runs: BulkRun[], lines: { commit: string; line: string }[], message: string, ref = NOTES_REF): Promise<void> {
  if (runs.length === 0) return appendNoteLinesBulk(git, lines, message, ref);
  const notes = lines.length > 0 ? await notesCommitText(git, lines, ref) : undefined;
  try {
    await fastImport(git, async (write) => {
      await writeRuns(write, runs);
      if (notes) await writeNotesCommit(write, notes, message, ref);
    });
  } catch (err) {
    if (!isRefusedUpdate(err)) throw err;
    await appendNoteLinesBulk(git, lines, message, ref);
  }
}

async function writeRuns(write: Write, runs: BulkRun[]): Promise<void> {
  const when = `${Math.floor(Date.now() / 1000)} +0000`;
  const logs = runs.map((run) => [...run.logs].sort((a, b) => a.job.localeCompare(b.job)));
  // Log files are read a few ahead of the writing (a read is several thread-pool round trips),
  // not all at once: a batch's logs together could be large.
  const files = logs.flat();
  const reads: (Promise<Buffer> | undefined)[] = [];
  const startRead = (i: number) => {
    const file = files[i];
    if (file) reads[i] = file.content ? Promise.resolve(file.content) : fs.readFile(file.path);
  };
  for (let i = 0; i < LOG_READ_AHEAD; i++) startRead(i);
  let taken = 0;
  try {
    for (const [i, run] of runs.entries()) {
      const mark = i + 1;
      await write(`commit ${runRef(run.record.id)}\nmark :${mark}\ncommitter ${COMMITTER} ${when}\n`);
      // commit-tree -m ends a message with a newline: so does this, for the same commits.
      await writeData(write, Buffer.from(`${run.message}\n`));
      await write('M 100644 inline run.json\n');
      await writeData(write, Buffer.from(encodeRunRecord(run.record)));
      for (const log of logs[i]!) {
        const content = reads[taken]!;
        reads[taken] = undefined;
        startRead(taken++ + LOG_READ_AHEAD);
        await write(`M 100644 inline logs/${log.job}.log\n`);
        await writeData(write, await content);
      }
      await write('\n');
      for (const key of run.cacheKeys) await write(`reset ${CACHE_PREFIX}${key}\nfrom :${mark}\n\n`);
    }
  } finally {
    // A read left in flight by a failure must not become an unhandled rejection.
    for (const r of reads) void r?.catch(() => undefined);
  }
}

interface NotesCommit {
  /** The notes commit the new one follows (undefined: the first). */
  tip: string | undefined;
  texts: Map<string, string>;
}

/** Each commit's note text after the lines are appended to what the notes ref holds now. */
function notesCommitText(git: Git, lines: { commit: string; line: string }[], ref: string): Promise<NotesCommit> {
  const byCommit = new Map<string, string[]>();
  for (const { commit, line } of lines) byCommit.set(commit, [...(byCommit.get(commit) ?? []), line]);
  const edits = new Map<string, NoteEdit>();
  for (const [commit, added] of byCommit) {
    // As appendNoteLine: lines sorted (run ids sort by time), each once.
    edits.set(commit, (current) => `${[...new Set([...noteLines(current), ...added].sort())].join('\n')}\n`);
  }
  return editedNotes(git, edits, ref);
}

/** A note text's non-empty lines. */
function noteLines(text: string | undefined): string[] {
  return (text ?? '').split('\n').filter((l) => l.trim() !== '');
}

/** A new note text from the current one (undefined: the commit has none). */
export type NoteEdit = (current: string | undefined) => string;

/** The notes ref's tip and each edited commit's new note text, read from that tip. */
async function editedNotes(git: Git, edits: Map<string, NoteEdit>, ref: string): Promise<NotesCommit> {
  const tip = await git.oid(`${ref}^{commit}`);
  const top = tip ? await topLevelNames(git, tip) : new Set<string>();
  // All notes asked for at once: the cat-file reader answers them in one stream.
  const currents = await Promise.all([...edits.keys()].map((commit) => (tip ? readNoteAt(git, tip, top, commit) : undefined)));
  const texts = new Map<string, string>();
  for (const [i, [commit, edit]] of [...edits].entries()) texts.set(commit, edit(currents[i]));
  return { tip, texts };
}

async function writeNotesCommit(write: Write, notes: NotesCommit, message: string, ref: string): Promise<void> {
  const when = `${Math.floor(Date.now() / 1000)} +0000`;
  await write(`commit ${ref}\ncommitter ${COMMITTER} ${when}\n`);
  await writeData(write, Buffer.from(`${message}\n`));
  if (notes.tip) await write(`from ${notes.tip}\n`);
  for (const [commit, text] of notes.texts) {
    await write(`N inline ${commit}\n`);
    await writeData(write, Buffer.from(text));
  }
  await write('\n');
}

/** fast-import refused to move a ref that is no longer where the stream started from. */
function isRefusedUpdate(err: unknown): boolean {
  return err instanceof GitError && /Not updating/.test(err.stderr);
}

/**
 * Appends note lines (one commit may get several) in one notes commit, with compare-and-swap:
 * fast-import moves the notes ref only as a fast-forward of the tip it started from, so a
 * writer that got there first makes it read again and retry.
 */
export function appendNoteLinesBulk(git: Git, lines: { commit: string; line: string }[], message: string, ref = NOTES_REF, attempts = 20): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  return commitNotesWithRetry(git, () => notesCommitText(git, lines, ref), message, ref, attempts);
}

/** Edits many commits' notes in one notes commit, with the same compare-and-swap and retry. */
export function editNotesBulk(git: Git, edits: Map<string, NoteEdit>, message: string, ref = NOTES_REF, attempts = 20): Promise<void> {
  if (edits.size === 0) return Promise.resolve();
  return commitNotesWithRetry(git, () => editedNotes(git, edits, ref), message, ref, attempts);
}

async function commitNotesWithRetry(git: Git, compute: () => Promise<NotesCommit>, message: string, ref: string, attempts: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const notes = await compute();
    try {
      await fastImport(git, (write) => writeNotesCommit(write, notes, message, ref));
      return;
    } catch (err) {
      if (!isRefusedUpdate(err) || attempt >= attempts) throw err;
      await sleep(Math.random() * Math.min(200, 5 * attempt));
    }
  }
}

/** The names at the top of a notes commit's tree: notes (full ids) and fan-out folders (ab). */
async function topLevelNames(git: Git, notesCommit: string): Promise<Set<string>> {
  const tree = await git.object(`${notesCommit}^{tree}`);
  const names = new Set<string>();
  if (!tree) return names;
  // A tree is entries of `<mode> <name>\0<binary id>`.
  const idLength = tree.oid.length / 2;
  for (let i = 0; i < tree.content.length; ) {
    const space = tree.content.indexOf(32, i);
    const nul = tree.content.indexOf(0, space);
    if (space < 0 || nul < 0) break;
    names.add(tree.content.subarray(space + 1, nul).toString());
    i = nul + 1 + idLength;
  }
  return names;
}

/** A commit's note text in a notes commit, wherever fan-out put it. */
function readNoteAt(git: Git, notesCommit: string, top: Set<string>, commit: string): Promise<string | undefined> {
  // Most commits of a batch have no note yet: the top-level names say so without a lookup.
  if (!top.has(commit) && !top.has(commit.slice(0, 2))) return Promise.resolve(undefined);
  return noteBlob(git, notesCommit, commit);
}

async function writeData(write: Write, bytes: Buffer): Promise<void> {
  await write(`data ${bytes.length}\n`);
  await write(bytes);
  await write('\n');
}

/** Runs `git fast-import`, feeding it what `produce` writes (with backpressure); a refused ref update fails it. */
async function fastImport(git: Git, produce: (write: Write) => Promise<void>): Promise<void> {
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
  const send = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      if (broken || closed || child.stdin.write(chunk)) return resolve();
      child.stdin.once('drain', () => resolve());
      void exited.then(() => resolve());
    });
  // The stream is made of many small pieces: they go to the pipe in large writes.
  let parts: Buffer[] = [];
  let size = 0;
  const sendParts = () => {
    const chunk = Buffer.concat(parts, size);
    parts = [];
    size = 0;
    return send(chunk);
  };
  const write = async (piece: string | Buffer) => {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    parts.push(bytes);
    size += bytes.length;
    if (size >= WRITE_CHUNK) await sendParts();
  };
  await produce(write);
  await write('done\n');
  await sendParts();
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new GitError(['fast-import'], code, stderr);
}
