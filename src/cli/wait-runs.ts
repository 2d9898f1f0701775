// Waiting for runs queued by hand (`git ci run`, `retry`, `cancel`), printing each as it ends:
// one line per run, with the count done, so a 200-commit backfill shows where it is.
import { setTimeout as sleep } from 'node:timers/promises';
import chalk from 'chalk';
import type { Repo } from '../store/repo.js';
import { promises as fs } from 'node:fs';
import { readRunRecord } from '../store/runs.js';
import type { RunRecord } from '../report/run-record.js';
import { runnerAlive, startRunnerDetached } from '../runner/start-runner.js';
import { duration, paintState } from './format.js';

/** Makes sure a runner serves the queue: the hook starts one on push; a hand-queued run needs one too. */
export function ensureRunner(repo: Repo): void {
  if (!runnerAlive(repo)) startRunnerDetached(repo);
}

/** One line for a finished run: its state, what ran, what came from the cache, why it did not pass. */
export function describeRecordedRun(record: RunRecord): string {
  const cached = record.jobs.filter((j) => j.cachedFrom).length;
  const ran = record.jobs.filter((j) => !j.cachedFrom && (j.state === 'passed' || j.state === 'failed')).length;
  const bits = [`${record.jobs.length} job${record.jobs.length === 1 ? '' : 's'}`];
  if (cached > 0) bits.push(`${ran} ran, ${cached} cached`);
  if (record.durationMs !== null) bits.push(duration(record.durationMs));
  const why = record.error ?? record.jobs.filter((j) => j.state === 'failed' && j.reason).map((j) => `${j.name}: ${j.reason}`).join('; ');
  return `${paintState(record.state, 8)} ${chalk.dim(bits.join(', '))}${why ? `  ${why}` : ''}`;
}

/** Waits until every run is recorded (or the deadline passes); prints each as it ends; returns the records. */
export async function waitForRuns(repo: Repo, runs: { id: string; commit: string }[], options: { timeoutMs: number; quiet?: boolean }): Promise<Map<string, RunRecord>> {
  const done = new Map<string, RunRecord>();
  const deadline = Date.now() + options.timeoutMs;
  const width = String(runs.length).length;
  let kicked = false;
  while (done.size < runs.length && Date.now() < deadline) {
    // A run is over once the runner dropped its queue entry, which it does after recording it:
    // two folder listings a poll, no git process.
    const pending = new Set([...(await listNames(repo.paths.queue)), ...(await listNames(repo.paths.running))]);
    const over = runs.filter((run) => !done.has(run.id) && !pending.has(run.id));
    const records = await Promise.all(over.map((run) => readRunRecord(repo.git, run.id)));
    // The lines of one poll in one write: a backfill's 200 lines written one by one cost ~40 ms here.
    let lines = '';
    for (const [i, run] of over.entries()) {
      const record = records[i];
      if (!record) continue;
      done.set(run.id, record);
      lines += `[${String(done.size).padStart(width)}/${runs.length}] ${chalk.bold(run.commit.slice(0, 10))} run ${run.id}  ${describeRecordedRun(record)}\n`;
    }
    if (lines && !options.quiet) process.stdout.write(lines);
    if (done.size === runs.length) break;
    // The runner exits when idle; if it died with work left, start another once.
    if (!kicked && !runnerAlive(repo)) {
      startRunnerDetached(repo);
      kicked = true;
    }
    await sleep(50);
  }
  return done;
}

async function listNames(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => []);
}
