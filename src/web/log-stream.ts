// A revision's commits with their CI notes as `git log` prints them, for pages and API answers
// that start before it ends: the store's logWithNotes call and parser, read as it arrives. git is spawned as the store spawns it (its clean environment, the repository
// named), and killed when the reader stops early or its request goes away.
import { spawn } from 'node:child_process';
import type { Repo } from '../store/repo.js';
import { cleanGitEnv } from '../store/git.js';
import { logWithNotesArgs, parseLogLines, type LogLine } from '../store/results.js';

/** `git log` failed after some of its output was read. */
export class LogStreamError extends Error {}

// A page that waits longer has been given up on: git is stopped and the answer ends with the error.
const GIVE_UP_MS = 60_000;

/** The `limit` commits of `rev` after the first `skip`, newest first, in batches as git writes them. */
export async function* streamLogWithNotes(repo: Repo, rev: string, limit: number, skip: number, signal?: AbortSignal): AsyncGenerator<LogLine[]> {
  const args = [`--git-dir=${repo.gitDir}`, ...logWithNotesArgs(limit, skip), '--end-of-options', rev];
  const child = spawn('git', args, { env: cleanGitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill();
  signal?.addEventListener('abort', kill, { once: true });
  let gaveUp = false;
  const timer = setTimeout(() => {
    gaveUp = true;
    kill();
  }, GIVE_UP_MS);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  try {
    let rest: Buffer = Buffer.alloc(0);
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      const bytes = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const last = bytes.lastIndexOf(0);
      if (last < 0) {
        rest = bytes;
        continue;
      }
      rest = Buffer.from(bytes.subarray(last + 1));
      yield parseLogLines(bytes.subarray(0, last).toString('utf8'));
    }
    const code = await exited;
    if (signal?.aborted) return;
    if (gaveUp) throw new LogStreamError(`git log took more than ${GIVE_UP_MS / 1000} s and was stopped`);
    if (code !== 0) throw new LogStreamError(`git log exited ${code}: ${stderr.trim() || 'no message'}`);
    if (rest.length > 0) yield parseLogLines(rest.toString('utf8'));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', kill);
    if (child.exitCode === null) child.kill();
  }
}
