// `git ci run --local [<rev>] [--dirty]`: the pipeline of a commit of this working clone (or of
// its uncommitted changes), run here, now, in the same sandbox, with a live table of its jobs.
// The run lives in <git-dir>/ci-local.git (store/local-repo.ts); its note line is copied to
// refs/notes/ci-local, which is never pushed.
import { setTimeout as sleep } from 'node:timers/promises';
import chalk from 'chalk';
import type { Repo } from '../store/repo.js';
import { enqueueRun } from '../store/queue.js';
import { resolveCommit, runViewById, type CommitStatus } from '../store/results.js';
import { readRunRecord } from '../store/runs.js';
import { UserError } from '../store/errors.js';
import { commitWorkingTree, LOCAL_NOTES_REF, openLocalRunRepo } from '../store/local-repo.js';
import { writeNoteWithRetry } from '../store/notes.js';
import { appendNoteLine } from '../report/note-line.js';
import { statusExitCode } from '../report/run-state.js';
import { noteRecordOf } from '../runner/record-run.js';
import { runRunner } from '../runner/runner.js';
import { describeRecordedRun } from './wait-runs.js';
import { duration, paintState } from './format.js';

export interface LocalRunOptions {
  rev: string;
  dirty: boolean;
  jobs: string[];
  cache: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export async function runLocal(clone: Repo, options: LocalRunOptions): Promise<number> {
  if (clone.bare) throw new UserError(`${clone.gitDir} is a bare repository: --local runs in a working clone (without --local, runs are queued here)`);
  const topLevel = (await clone.git.run(['rev-parse', '--show-toplevel'], { cwd: process.cwd() })).stdout.trim();
  const local = await openLocalRunRepo(clone);
  const commit = options.dirty ? await commitWorkingTree(clone, local, topLevel) : await resolveCommit(clone, options.rev);
  const branch = (await clone.git.run(['symbolic-ref', '-q', 'HEAD'], { okExitCodes: [1] })).stdout.trim();
  const entry = await enqueueRun(local, {
    ref: branch || 'HEAD',
    old: '',
    commit,
    trigger: 'local',
    ...(options.jobs.length ? { jobs: options.jobs } : {}),
    ...(options.cache ? {} : { noCache: true }),
  });
  console.log(`${chalk.bold('local run')} ${entry.id}: ${commit.slice(0, 10)}${options.dirty ? ' (uncommitted changes)' : ''} on ${branch.replace(/^refs\/heads\//, '') || 'detached HEAD'}`);

  const runnerLog: string[] = [];
  const runner = runRunner(local, { idleMs: 0, log: (line) => runnerLog.push(line) });
  const view = new LiveTable(process.stdout.isTTY === true);
  let done = false;
  void runner.finally(() => (done = true));
  while (!done) {
    const status = await runViewById(local, entry.id).then((v) => v.status, () => undefined);
    if (status) view.render(status);
    await Promise.race([sleep(100), runner]);
  }
  await runner;
  const record = await readRunRecord(local.git, entry.id);
  if (!record) {
    view.clear();
    throw new UserError(`the local run ${entry.id} was not recorded; the runner said:\n${runnerLog.slice(-10).join('\n')}`);
  }
  view.render({ ...(await runViewById(local, entry.id)).status }, true);
  console.log(describeRecordedRun(record));
  if (options.dirty) {
    console.log(chalk.dim(`uncommitted changes: no note (the commit exists only for this run); logs: git ci logs --repo ${local.gitDir} ${record.id} <job>`));
  } else {
    const line = noteRecordOf(record);
    await writeNoteWithRetry(clone.git, { commit, edit: (current) => appendNoteLine(current ?? '', line), message: `git-ci: local run ${record.id} ${record.state}` }, LOCAL_NOTES_REF);
    console.log(chalk.dim(`noted in ${LOCAL_NOTES_REF} (git log --notes=ci-local); logs: git ci logs --repo ${local.gitDir} ${record.id} <job>`));
  }
  return statusExitCode(record.state);
}

/** Jobs as a table redrawn in place on a terminal; elsewhere, one line per job when its state changes. */
class LiveTable {
  private drawn = 0;
  private frame = 0;
  private readonly said = new Map<string, string>();

  constructor(private readonly tty: boolean) {}

  render(status: CommitStatus, final = false): void {
    if (!this.tty) {
      for (const job of status.jobs) {
        if (this.said.get(job.name) === job.state || job.state === 'pending') continue;
        this.said.set(job.name, job.state);
        console.log(`${job.name}: ${job.state}${job.durationMs !== null && job.state !== 'running' ? ` (${duration(job.durationMs)})` : ''}`);
      }
      return;
    }
    this.frame++;
    const width = Math.max(4, ...status.jobs.map((j) => j.name.length));
    const now = Date.now();
    const lines = status.jobs.map((job) => {
      const running = job.state === 'running';
      const mark = running && !final ? chalk.cyan(SPINNER[this.frame % SPINNER.length]!) : job.state === 'passed' ? chalk.green('✓') : job.state === 'failed' || job.state === 'error' ? chalk.red('✗') : chalk.dim('·');
      const started = (job as { startedAt?: string | null }).startedAt;
      const elapsed = job.durationMs ?? (running && started ? now - Date.parse(started) : null);
      return `  ${mark} ${job.name.padEnd(width)}  ${paintState(job.state, 8)} ${duration(elapsed).padStart(7)}${job.cached ? chalk.dim('  cached') : ''}`;
    });
    if (lines.length === 0) lines.push(chalk.dim(`  ${SPINNER[this.frame % SPINNER.length]} ${status.state ?? 'queued'}…`));
    this.clear();
    process.stdout.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  clear(): void {
    if (this.tty && this.drawn > 0) process.stdout.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }
}
