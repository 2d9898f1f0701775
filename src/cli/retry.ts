// `git ci retry <run-id|rev> [--failed]`: run a recorded run again; --failed reruns only the
// jobs that failed or were skipped, and reuses the passed ones (their logs and artifacts).
import type { CommandModule } from 'yargs';
import { repoFromArgs } from './repo-arg.js';
import { enqueueRun } from '../store/queue.js';
import { commitRunView, resolveRunOrRev, runViewById } from '../store/results.js';
import { UserError } from '../store/errors.js';
import { ensureRunner, waitForRuns } from './wait-runs.js';

interface Args {
  repo?: string;
  target: string;
  failed: boolean;
  wait: boolean;
  timeout: number;
}

export const retryCommand: CommandModule<object, Args> = {
  command: 'retry <target>',
  describe: 'run a recorded run again (--failed: only its failed and skipped jobs)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'a run id, or a revision (its newest run)' })
      .option('failed', { type: 'boolean', default: false, describe: 'rerun only failed, skipped and canceled jobs; reuse the passed ones' })
      .option('wait', { type: 'boolean', default: true, describe: 'wait for the new run and print its result; --no-wait returns at once' })
      .option('timeout', { type: 'number', default: 3600, describe: 'with --wait: give up after this many seconds (exit 2)' })
      .example('$0 retry HEAD', "run HEAD's newest run again")
      .example('$0 retry 01JF8Z5X --failed', 'rerun what failed, keep what passed')
      .epilogue('Exit codes: 0 the new run passed, 1 it did not, 2 still running at --timeout.') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    if (!repo.bare) throw new UserError(`${repo.gitDir} is not a bare repository: retries run where the CI runs (use --repo <path to the bare repository>)`);
    const target = await resolveRunOrRev(repo, argv.target);
    const view = 'runId' in target ? await runViewById(repo, target.runId) : await commitRunView(repo, target.commit);
    const record = view.record;
    if (!record) {
      if (view.status.state === 'queued' || view.status.state === 'running') {
        throw new UserError(`run ${view.status.run} is still ${view.status.state}: wait for it (git ci status --wait) or cancel it (git ci cancel ${view.status.run})`);
      }
      throw new UserError(view.status.run ? `run ${view.status.run} has no run record here (pruned, or not fetched): nothing to retry from` : `no run recorded for ${argv.target}: use git ci run ${argv.target}`, 3);
    }
    if (argv.failed && record.state === 'passed') throw new UserError(`run ${record.id} passed: --failed has nothing to rerun (drop --failed to run it all again)`);
    const entry = await enqueueRun(repo, { ref: record.ref, old: '', commit: record.commit, trigger: 'retry', retryOf: record.id, ...(argv.failed ? { reuse: record.id } : {}) });
    ensureRunner(repo);
    console.log(`queued run ${entry.id}: ${argv.failed ? 'the failed jobs' : 'all jobs'} of run ${record.id} (${record.commit.slice(0, 10)} on ${record.branch}) again`);
    if (!argv.wait) return;
    const done = await waitForRuns(repo, [entry], { timeoutMs: argv.timeout * 1000 });
    const result = done.get(entry.id);
    process.exitCode = !result ? 2 : result.state === 'passed' ? 0 : 1;
  },
};
