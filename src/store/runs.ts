// Run records: refs/ci/runs/<id> -> a commit whose tree holds run.json and logs/<job>.log.
// One ref per run, so pruning a run is deleting a ref.
import type { Git } from './git.js';
import { CI_IDENTITY } from './notes.js';
import { decodeRunRecord, encodeRunRecord, type RunRecord } from '../report/run-record.js';

export const RUNS_PREFIX = 'refs/ci/runs/';

export function runRef(id: string): string {
  return RUNS_PREFIX + id;
}

export interface LogFile {
  job: string;
  /** Path of the live log file to store. */
  path: string;
  /** The log's bytes when they are in memory (a cache hit's short log): then no file is read, or written. */
  content?: Buffer;
}

/** Stores run.json and the job logs as one commit and points refs/ci/runs/<id> at it. */
export async function writeRunRecord(git: Git, record: RunRecord, logs: LogFile[], message: string): Promise<string> {
  const runJson = (await git.run(['hash-object', '-w', '--stdin'], { input: encodeRunRecord(record) })).stdout.trim();
  let logsTree: string | undefined;
  if (logs.length > 0) {
    const files = logs.filter((l) => l.content === undefined);
    const fromFiles = files.length
      ? (await git.run(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: files.map((l) => l.path).join('\n') + '\n' })).stdout.trim().split('\n')
      : [];
    const blobs: string[] = [];
    for (const l of logs) {
      blobs.push(l.content === undefined ? fromFiles.shift()! : (await git.run(['hash-object', '-w', '--no-filters', '--stdin'], { input: l.content })).stdout.trim());
    }
    const entries = logs.map((l, i) => `100644 blob ${blobs[i]}\t${l.job}.log`).join('\n') + '\n';
    logsTree = (await git.run(['mktree'], { input: entries })).stdout.trim();
  }
  let top = `100644 blob ${runJson}\trun.json\n`;
  if (logsTree) top += `040000 tree ${logsTree}\tlogs\n`;
  const tree = (await git.run(['mktree'], { input: top })).stdout.trim();
  const commit = (await git.run(['commit-tree', tree, '-m', message], { env: CI_IDENTITY })).stdout.trim();
  await git.run(['update-ref', '-m', message, runRef(record.id), commit, '']);
  return commit;
}

/** Reads a run's run.json; undefined when the run ref does not exist. */
export async function readRunRecord(git: Git, id: string): Promise<RunRecord | undefined> {
  const blob = await git.blob(`${runRef(id)}:run.json`);
  return blob ? decodeRunRecord(blob.toString()).record : undefined;
}

/** A job's stored log, as bytes; undefined when not stored. */
export async function readStoredLog(git: Git, id: string, job: string): Promise<Buffer | undefined> {
  return git.blob(`${runRef(id)}:logs/${job}.log`);
}

/** Run ids that start with a prefix (users type short ids). */
export async function findRunIds(git: Git, prefix = ''): Promise<string[]> {
  const upper = prefix.toUpperCase();
  // A glob lets git list only the matching refs (14 ms, not 207 ms, among 100,000 runs).
  const pattern = /^[0-9A-Z]+$/.test(upper) ? `${RUNS_PREFIX}${upper}*` : RUNS_PREFIX;
  const { stdout } = await git.run(['for-each-ref', '--format=%(refname)', pattern]);
  const all = stdout.split('\n').filter(Boolean).map((r) => r.slice(RUNS_PREFIX.length));
  return all.filter((id) => id.startsWith(upper));
}
