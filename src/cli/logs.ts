// `git ci logs <rev|run-id> [<job>] [--follow]`: a job's log, live while it runs.
import type { CommandModule } from 'yargs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { commitRunView, resolveRunOrRev, runViewById, type RunView } from '../store/results.js';
import { readStoredLog } from '../store/runs.js';
import { UserError } from '../store/errors.js';
import type { Repo } from '../store/repo.js';

interface Args {
  repo?: string;
  target: string;
  job?: string;
  follow: boolean;
}

export const logsCommand: CommandModule<object, Args> = {
  command: 'logs <target> [job]',
  describe: "print a job's log (all jobs when none is named); --follow tails it live",
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'a revision (its newest run) or a run id' })
      .positional('job', { type: 'string', describe: 'the job (default: every job, in pipeline order)' })
      .option('follow', { type: 'boolean', alias: 'f', default: false, describe: 'keep printing until the job ends' })
      .example('$0 logs HEAD test', "the test job's log of HEAD's newest run")
      .example('$0 logs 01JF8Z5X --follow', 'follow a run as it runs') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    const target = await resolveRunOrRev(repo, argv.target);
    const read = (): Promise<RunView> => ('runId' in target ? runViewById(repo, target.runId) : commitRunView(repo, target.commit));
    let view = await read();
    const runId = view.status.run;
    if (!runId) throw new UserError(`no run recorded for ${argv.target}`, 3);
    const reread = () => runViewById(repo, runId);
    if (argv.follow) {
      // Wait for the run to start and to have announced its jobs (a claimed run reads its pipeline first).
      while (view.status.state === 'queued' || (view.status.state === 'running' && jobNames(view).length === 0)) {
        await sleep(100);
        view = await reread();
      }
    }
    const names = jobNames(view);
    if (argv.job !== undefined && !names.includes(argv.job)) {
      throw new UserError(`run ${runId} has no job "${argv.job}"; its jobs: ${names.join(', ') || 'none'}`);
    }
    const jobs = argv.job !== undefined ? [argv.job] : names;
    if (jobs.length === 0) {
      console.log(chalk.dim(`run ${runId} ran no job${view.error ? `: ${view.error}` : ''}`));
      return;
    }
    for (const job of jobs) {
      if (jobs.length > 1) process.stdout.write(chalk.bold(`==> ${job} <==\n`));
      await printJobLog(repo, runId, job, argv.follow);
    }
  },
};

function jobNames(view: RunView): string[] {
  if (view.record) return view.record.jobs.map((j) => j.name);
  if (view.live) return view.live.jobs.map((j) => j.name);
  return view.note?.jobs.map((j) => j.name) ?? [];
}

/**
 * Prints a job's log: the stored copy once the run is recorded, else the live file; when
 * following, streams the live file and ends with the rest of the stored copy. One git call a
 * poll (the run record), not three.
 */
async function printJobLog(repo: Repo, runId: string, job: string, follow: boolean): Promise<void> {
  const livePath = path.join(repo.paths.live, runId, `${job}.log`);
  let offset = 0;
  for (;;) {
    const view = await runViewById(repo, runId).catch(() => undefined);
    if (!view) return;
    if (view.record) {
      const j = view.record.jobs.find((x) => x.name === job);
      if (j && !j.log) {
        console.log(chalk.dim(`(${job} did not run: ${j.state}${j.reason ? `, ${j.reason}` : ''})`));
        return;
      }
      const stored = await readStoredLog(repo.git, runId, job);
      if (stored && stored.length > offset) await write(stored.subarray(offset));
      return;
    }
    // A log that hit ci.maxLogBytes is cut back to its head; the marker and tail come with the stored copy.
    const size = await fs.stat(livePath).then((st) => st.size, () => undefined);
    if (size !== undefined && size < offset) offset = size;
    offset += await copyFrom(livePath, offset);
    if (!follow) return;
    await sleep(150);
  }
}

function write(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => (process.stdout.write(bytes) ? resolve() : process.stdout.once('drain', () => resolve())));
}

async function copyFrom(file: string, offset: number): Promise<number> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return 0;
  }
  try {
    let total = 0;
    for (;;) {
      // A fresh buffer each read: stdout may still hold the previous one.
      const buf = Buffer.allocUnsafe(64 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset + total);
      if (bytesRead === 0) return total;
      await write(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
