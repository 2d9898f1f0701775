// `git ci run [<rev>|<range>…]`: queue runs by hand, oldest first, and follow them. A range
// backfills CI history (`main~50..main`); pure jobs of unchanged trees come from the cache.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { enqueueRuns, newRunId, type QueueEntry } from '../store/queue.js';
import { resolveCommit } from '../store/results.js';
import { UserError } from '../store/errors.js';
import type { Repo } from '../store/repo.js';
import { ensureRunner, waitForRuns } from './wait-runs.js';

interface Args {
  repo?: string;
  revs: string[];
  job: string[];
  cache: boolean;
  wait: boolean;
  timeout: number;
  local: boolean;
  dirty: boolean;
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run [revs..]',
  describe: 'queue runs by hand: a commit (default HEAD) or a range of commits, oldest first',
  builder: (y) =>
    y
      .positional('revs', { type: 'string', array: true, default: ['HEAD'], describe: 'revisions or ranges (A..B: every commit in B not in A)' })
      .option('job', { type: 'string', array: true, default: [], describe: 'run only this job (and the jobs it needs); repeatable' })
      .option('cache', { type: 'boolean', default: true, describe: 'reuse passed results of pure jobs (cache: true); --no-cache runs them again' })
      .option('wait', { type: 'boolean', default: true, describe: 'follow the runs, one line each as it ends; --no-wait queues and returns' })
      .option('timeout', { type: 'number', default: 3600, describe: 'with --wait: give up after this many seconds (exit 2)' })
      .option('local', { type: 'boolean', default: false, describe: 'run here, in this working clone, now, with a live table; results go to refs/notes/ci-local' })
      .option('dirty', { type: 'boolean', default: false, describe: 'with --local: run the uncommitted changes of the working tree' })
      .example('$0 run', "build HEAD's commit again")
      .example('$0 run main~50..main', 'backfill CI history for 50 commits, oldest first')
      .example('$0 run HEAD --job test --no-cache', 'run only the test job, ignoring the cache')
      .example('$0 --repo /srv/git/app.git run main', 'from a clone: queue in the server repository')
      .example('$0 run --local', "in a clone: run HEAD's pipeline here, in the sandbox")
      .example('$0 run --local --dirty --job test', 'try uncommitted changes before committing')
      .epilogue('Exit codes: 0 every run passed, 1 a run did not pass, 2 still running at --timeout.') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    const jobs = argv.job.flatMap((j) => j.split(',')).map((j) => j.trim()).filter(Boolean);
    if (argv.dirty && !argv.local) throw new UserError('--dirty runs uncommitted changes locally: add --local');
    if (argv.local) {
      if (argv.revs.length > 1 || argv.revs[0]!.includes('..')) throw new UserError('--local runs one commit: name one revision (default HEAD), not a range');
      if (argv.dirty && argv.revs[0] !== 'HEAD') throw new UserError('--dirty runs the working tree on top of HEAD: name no revision');
      // Loaded only here: a local run brings the whole runner (sandbox, pipeline parser) with it.
      const { runLocal } = await import('./run-local.js');
      process.exitCode = await runLocal(repo, { rev: argv.revs[0]!, dirty: argv.dirty, jobs, cache: argv.cache });
      return;
    }
    if (!repo.bare) throw new UserError(`${repo.gitDir} is not a bare repository: runs are queued where the CI runs (use --repo <path to the bare repository>; local runs come with --local)`);
    const targets = await commitsToRun(repo, argv.revs);
    if (targets.length === 0) throw new UserError(`no commit in ${argv.revs.join(' ')}: nothing to run`);
    const ids = targets.map(() => newRunId());
    // Several commits form a batch: the runner claims them together and records them in bulk.
    const batch = targets.length > 1 ? { batch: ids[0]!, batchSize: targets.length } : {};
    const now = Date.now();
    const queued: QueueEntry[] = targets.map((t, i) => ({
      id: ids[i]!, ref: t.ref, old: '', commit: t.commit, trigger: 'manual', queuedAt: now, attempt: 1,
      ...batch, ...(jobs.length ? { jobs } : {}), ...(argv.cache ? {} : { noCache: true }),
    }));
    await enqueueRuns(repo, queued);
    ensureRunner(repo);
    console.log(`queued ${queued.length} run${queued.length === 1 ? '' : 's'}${jobs.length ? ` (jobs: ${jobs.join(', ')})` : ''}${argv.cache ? '' : ' without the cache'}`);
    if (!argv.wait) {
      for (const e of queued) console.log(`  ${chalk.bold(e.commit.slice(0, 10))} run ${e.id}`);
      return;
    }
    const done = await waitForRuns(repo, queued, { timeoutMs: argv.timeout * 1000 });
    const failed = [...done.values()].filter((r) => r.state !== 'passed').length;
    if (done.size < queued.length) {
      console.log(chalk.yellow(`${queued.length - done.size} run(s) still queued or running after ${argv.timeout}s; follow them with git ci status`));
      process.exitCode = 2;
    } else {
      console.log(`${done.size - failed} passed, ${failed} did not pass`);
      process.exitCode = failed > 0 ? 1 : 0;
    }
  },
};

interface Target {
  commit: string;
  ref: string;
}

/** Every commit the arguments name, oldest first within a range, each with the ref it is built as. */
async function commitsToRun(repo: Repo, revs: string[]): Promise<Target[]> {
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const rev of revs) {
    const range = rev.includes('..');
    const tip = range ? rev.slice(rev.lastIndexOf('..') + 2).replace(/^\./, '') || 'HEAD' : rev;
    const ref = (await symbolicRef(repo, tip)) ?? 'HEAD';
    let commits: string[];
    if (range) {
      const r = await repo.git.run(['rev-list', '--reverse', rev, '--'], { okExitCodes: [128] });
      if (r.exitCode !== 0) throw new UserError(`not a range of commits in ${repo.gitDir}: ${rev}`);
      commits = r.stdout.split('\n').filter(Boolean);
    } else {
      commits = [await resolveCommit(repo, rev)];
    }
    for (const commit of commits) {
      if (seen.has(commit)) continue;
      seen.add(commit);
      targets.push({ commit, ref });
    }
  }
  return targets;
}

/** refs/heads/main for "main", so the run counts for its branch; undefined for a bare commit id. */
async function symbolicRef(repo: Repo, rev: string): Promise<string | undefined> {
  const r = await repo.git.run(['rev-parse', '--symbolic-full-name', rev], { okExitCodes: [128] });
  const name = r.stdout.trim();
  return /^refs\/(heads|tags)\//.test(name) ? name : undefined;
}
