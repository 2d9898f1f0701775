// `git ci cancel <run-id|rev>`: stop a queued or running run. The runner does it (it alone
// records runs): a running run's jobs get SIGTERM, the grace period, then SIGKILL.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { requestCancel } from '../store/cancel-requests.js';
import { commitRunView, resolveRunOrRev, runViewById } from '../store/results.js';
import { UserError } from '../store/errors.js';
import { ensureRunner, waitForRuns } from './wait-runs.js';

interface Args {
  repo?: string;
  target: string;
  wait: boolean;
  timeout: number;
}

export const cancelCommand: CommandModule<object, Args> = {
  command: 'cancel <target>',
  describe: 'stop a queued or running run (every process of its jobs is killed)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'a run id, or a revision (its queued or running run)' })
      .option('wait', { type: 'boolean', default: true, describe: 'wait until the run is recorded as canceled' })
      .option('timeout', { type: 'number', default: 120, describe: 'with --wait: give up after this many seconds (exit 2)' })
      .example('$0 cancel HEAD', "stop HEAD's run")
      .example('$0 cancel 01JF8Z5X --no-wait', 'ask for the cancel and return') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    if (!repo.bare) throw new UserError(`${repo.gitDir} is not a bare repository: runs are canceled where the CI runs (use --repo <path to the bare repository>)`);
    const target = await resolveRunOrRev(repo, argv.target);
    const view = 'runId' in target ? await runViewById(repo, target.runId) : await commitRunView(repo, target.commit);
    const id = view.status.run;
    if (!id) throw new UserError(`no run for ${argv.target}: nothing to cancel`, 3);
    if (view.status.state !== 'queued' && view.status.state !== 'running') {
      throw new UserError(`run ${id} already ended (${view.status.state}): nothing to cancel`);
    }
    await requestCancel(repo, id, 'canceled by git ci cancel');
    ensureRunner(repo);
    console.log(`asked the runner to cancel run ${id} (${view.status.state})`);
    if (!argv.wait) return;
    const done = await waitForRuns(repo, [{ id, commit: view.status.commit }], { timeoutMs: argv.timeout * 1000 });
    const record = done.get(id);
    if (!record) {
      console.log(chalk.yellow(`run ${id} is not recorded yet after ${argv.timeout}s; see git ci status ${id}`));
      process.exitCode = 2;
    }
  },
};
