// A job's log for the dashboard, by byte range: the live file while the run runs, the stored
// blob once it is recorded (the same bytes: the live file is what gets stored). Never read
// whole: a range of the live file is a positioned read, a range of a blob is streamed out of
// `git cat-file blob` and the process is stopped once the range is read.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Repo } from '../store/repo.js';
import { cleanGitEnv } from '../store/git.js';
import { runRef } from '../store/runs.js';
import { runViewById } from '../store/results.js';

/** Where a job's log is: a live file, a stored blob, or none (yet: `pending`, the job has not started). */
export type LogSource = { kind: 'live'; path: string } | { kind: 'stored'; rev: string } | { kind: 'none'; reason: string; pending: boolean };

/** Where a job's log is now; undefined when the run or the job does not exist. */
export async function findJobLog(repo: Repo, runId: string, job: string): Promise<LogSource | undefined> {
  const view = await runViewById(repo, runId).catch(() => undefined);
  if (!view) return undefined;
  if (view.record) {
    const j = view.record.jobs.find((x) => x.name === job);
    if (!j) return undefined;
    return j.log ? { kind: 'stored', rev: `${runRef(runId)}:${j.log}` } : { kind: 'none', reason: `job ${job} has no log (${j.state}${j.reason ? `: ${j.reason}` : ''})`, pending: false };
  }
  const names = view.live?.jobs.map((j) => j.name) ?? [];
  if (view.status.state === 'running' && names.includes(job)) return { kind: 'live', path: path.join(repo.paths.live, runId, `${job}.log`) };
  if (view.status.state === 'queued' || view.status.state === 'running') return { kind: 'none', reason: `job ${job} has not started`, pending: true };
  return undefined;
}

/** Up to `limit` bytes of a log from `offset`; `end` when the source has nothing past them. */
export async function readLogRange(repo: Repo, source: LogSource, offset: number, limit: number): Promise<{ bytes: Buffer; end: boolean }> {
  if (source.kind === 'none') return { bytes: Buffer.alloc(0), end: true };
  if (source.kind === 'live') {
    const file = await fs.open(source.path, 'r').catch(() => undefined);
    if (!file) return { bytes: Buffer.alloc(0), end: false };
    try {
      const buffer = Buffer.alloc(limit);
      const { bytesRead } = await file.read(buffer, 0, limit, offset);
      return { bytes: buffer.subarray(0, bytesRead), end: false };
    } finally {
      await file.close();
    }
  }
  return readBlobRange(repo, source.rev, offset, limit);
}

function readBlobRange(repo: Repo, rev: string, offset: number, limit: number): Promise<{ bytes: Buffer; end: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${repo.gitDir}`, 'cat-file', 'blob', rev], { env: cleanGitEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
    const parts: Buffer[] = [];
    let seen = 0;
    let taken = 0;
    let done = false;
    const finish = (end: boolean) => {
      if (done) return;
      done = true;
      child.stdout.destroy();
      child.kill();
      resolve({ bytes: Buffer.concat(parts, taken), end });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      const start = Math.max(0, offset - seen);
      seen += chunk.length;
      if (start >= chunk.length) return;
      const piece = chunk.subarray(start, start + (limit - taken));
      parts.push(piece);
      taken += piece.length;
      // One byte past the range tells whether there is more.
      if (taken >= limit && seen > offset + limit) finish(false);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || done ? finish(true) : reject(new Error(`git cat-file blob ${rev} exited ${code}`))));
  });
}
