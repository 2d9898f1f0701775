// Starting a runner from a reader (`status --wait`, `logs --follow`) when work waits and no
// runner is alive: the hook's start may have failed, or a runner died with runs claimed.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Repo } from '../store/repo.js';
import { isAlive } from '../store/process-identity.js';

/** True while the runner named in <git-dir>/ci/runner.pid is alive. */
export function runnerAlive(repo: Repo): boolean {
  try {
    const [pid, start] = readFileSync(repo.paths.pidFile, 'utf8').trim().split(/\s+/);
    return isAlive({ pid: Number(pid), start: start ?? '' });
  } catch {
    return false;
  }
}

/** Starts the repository's runner in the background, detached, logging to ci/runner.log. */
export function startRunnerDetached(repo: Repo): void {
  const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/runner-main.js');
  const log = openSync(repo.paths.runnerLog, 'a');
  try {
    spawn(process.execPath, [entry, '--repo', repo.gitDir], { detached: true, stdio: ['ignore', log, log] }).unref();
  } finally {
    closeSync(log);
  }
}
