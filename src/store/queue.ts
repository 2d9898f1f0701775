// The queue: one small file per run under <git-dir>/ci/queue, written by the post-receive hook
// with shell builtins. Claiming is a rename into ci/running, which exactly one process wins.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeTime, monotonicFactory } from 'ulid';
import type { Repo } from './repo.js';

export const QUEUE_HEADER = 'git-ci-queue v1';

export interface QueueEntry {
  id: string;
  ref: string;
  old: string;
  commit: string;
  trigger: string;
  /** Epoch milliseconds when the entry was written. */
  queuedAt: number;
  /** 1 for a fresh run; more when recovered after a runner died. */
  attempt: number;
  /** `git ci run --job`: only these jobs (and what they need) run; the others are skipped. */
  jobs?: string[];
  /** `git ci run --no-cache`: pure jobs run even when their key has a passed result. */
  noCache?: boolean;
  /** `git ci retry`: the run this one repeats. */
  retryOf?: string;
  /** `git ci retry --failed`: jobs that passed in this run are reused, not run again. */
  reuse?: string;
  /** `git ci run <range>`: the runs of one range, claimed together and recorded in bulk. */
  batch?: string;
  /** How many runs the batch has: its runner claims them without waiting to see whether more come. */
  batchSize?: number;
}

/** New run ids: ULIDs that sort in the order they are made, even within one millisecond. */
export const newRunId = monotonicFactory();

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** When a run was queued, from its id (a ULID); undefined for an id that is not one. */
export function ulidTime(id: string): number | undefined {
  try {
    return decodeTime(id);
  } catch {
    return undefined;
  }
}

export function isRunId(value: string): boolean {
  return ULID_RE.test(value);
}

export function encodeQueueEntry(entry: QueueEntry): string {
  return [
    QUEUE_HEADER,
    `id=${entry.id}`,
    `ref=${entry.ref}`,
    `old=${entry.old}`,
    `new=${entry.commit}`,
    `trigger=${entry.trigger}`,
    `queued=${entry.queuedAt}`,
    `attempt=${entry.attempt}`,
    ...(entry.jobs?.length ? [`jobs=${entry.jobs.join(',')}`] : []),
    ...(entry.noCache ? ['no-cache=1'] : []),
    ...(entry.retryOf ? [`retry-of=${entry.retryOf}`] : []),
    ...(entry.reuse ? [`reuse=${entry.reuse}`] : []),
    ...(entry.batch ? [`batch=${entry.batch}`] : []),
    ...(entry.batch && entry.batchSize ? [`batch-size=${entry.batchSize}`] : []),
    'end',
    '',
  ].join('\n');
}

/** Parses an entry; undefined while it is still being written (no `end` line yet) or if damaged. */
export function decodeQueueEntry(text: string): QueueEntry | undefined {
  const lines = text.split('\n');
  if (lines[0] !== QUEUE_HEADER || !lines.includes('end')) return undefined;
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  if (!fields.id || !isRunId(fields.id) || !fields.ref || !fields.new || !/^[0-9a-f]{40,64}$/.test(fields.new)) return undefined;
  return {
    id: fields.id,
    ref: fields.ref,
    old: fields.old ?? '',
    commit: fields.new,
    trigger: fields.trigger ?? 'push',
    queuedAt: Number(fields.queued) || Date.now(),
    attempt: Number(fields.attempt) || 1,
    ...(fields.jobs ? { jobs: fields.jobs.split(',').filter(Boolean) } : {}),
    ...(fields['no-cache'] === '1' ? { noCache: true } : {}),
    ...(fields['retry-of'] && isRunId(fields['retry-of']) ? { retryOf: fields['retry-of'] } : {}),
    ...(fields.reuse && isRunId(fields.reuse) ? { reuse: fields.reuse } : {}),
    ...(fields.batch && isRunId(fields.batch) ? { batch: fields.batch } : {}),
    ...(fields.batch && isRunId(fields.batch) && /^[1-9][0-9]{0,6}$/.test(fields['batch-size'] ?? '') ? { batchSize: Number(fields['batch-size']) } : {}),
  };
}

/** Writes a queue entry atomically (temp file + rename), as `git ci run` and recovery do. */
export async function enqueueRun(repo: Repo, init: Omit<QueueEntry, 'id' | 'queuedAt' | 'attempt'> & Partial<QueueEntry>): Promise<QueueEntry> {
  const entry: QueueEntry = { id: init.id ?? newRunId(), queuedAt: init.queuedAt ?? Date.now(), attempt: init.attempt ?? 1, ...init } as QueueEntry;
  await fs.mkdir(repo.paths.queue, { recursive: true });
  const tmp = path.join(repo.paths.queue, `.tmp-${entry.id}`);
  await fs.writeFile(tmp, encodeQueueEntry(entry));
  await fs.rename(tmp, path.join(repo.paths.queue, entry.id));
  return entry;
}

/**
 * Queues several runs at once: every file is written first, then they are renamed into the
 * queue one right after the other, so a runner woken by the first one finds (almost) all.
 */
export async function enqueueRuns(repo: Repo, entries: QueueEntry[]): Promise<void> {
  await fs.mkdir(repo.paths.queue, { recursive: true });
  const tmp = (e: QueueEntry) => path.join(repo.paths.queue, `.tmp-${e.id}`);
  await Promise.all(entries.map((e) => fs.writeFile(tmp(e), encodeQueueEntry(e))));
  await Promise.all(entries.map((e) => fs.rename(tmp(e), path.join(repo.paths.queue, e.id))));
}

async function readEntries(dir: string): Promise<QueueEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const read = await Promise.all(
    names
      .filter(isRunId)
      .sort()
      .map((name) =>
        fs.readFile(path.join(dir, name), 'utf8').then(
          (text) => decodeQueueEntry(text),
          () => undefined, // claimed by someone else between readdir and read
        ),
      ),
  );
  return read.filter((e): e is QueueEntry => e !== undefined);
}

/** Queued runs, oldest first; entries still being written are left for later. */
export function listQueued(repo: Repo): Promise<QueueEntry[]> {
  return readEntries(repo.paths.queue);
}

/** Runs a runner has claimed and not finished. */
export function listRunning(repo: Repo): Promise<QueueEntry[]> {
  return readEntries(repo.paths.running);
}

/** Takes a queued run; false when another runner took it first. */
export async function claimRun(repo: Repo, id: string): Promise<boolean> {
  await fs.mkdir(repo.paths.running, { recursive: true });
  try {
    await fs.rename(path.join(repo.paths.queue, id), path.join(repo.paths.running, id));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Drops a finished run's entry and its live state. */
export async function finishRun(repo: Repo, id: string): Promise<void> {
  await fs.rm(path.join(repo.paths.running, id), { force: true });
  await fs.rm(path.join(repo.paths.running, `${id}.state.json`), { force: true });
}

/** Puts a run a dead runner held back in the queue, counting the attempt. */
export async function requeueRun(repo: Repo, entry: QueueEntry): Promise<void> {
  await enqueueRun(repo, { ...entry, attempt: entry.attempt + 1, trigger: entry.trigger });
  await finishRun(repo, entry.id);
}
