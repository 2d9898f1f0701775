// `git ci status [<rev>]`: the newest run of a commit, with exit codes scripts can use.
import type { CommandModule } from 'yargs';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoFromArgs } from './repo-arg.js';
import { commitRunView, runViewById, resolveRunOrRev, type RunView } from '../store/results.js';
import { statusExitCode } from '../report/run-state.js';
import { renderStatus } from './format.js';
import { UserError } from '../store/errors.js';
import { runnerAlive, startRunnerDetached } from '../runner/start-runner.js';

interface Args {
  repo?: string;
  rev: string;
  json: boolean;
  wait: boolean;
  timeout: number;
}

export const statusCommand: CommandModule<object, Args> = {
  command: 'status [rev]',
  describe: 'the CI state of a commit (default HEAD) or a run',
  builder: (y) =>
    y
      .positional('rev', { type: 'string', default: 'HEAD', describe: 'a revision, or a run id' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: commit, state, run, branch, startedAt, finishedAt, durationMs, jobs' })
      .option('wait', { type: 'boolean', default: false, describe: 'wait until the run has finished' })
      .option('timeout', { type: 'number', default: 600, describe: 'with --wait: give up after this many seconds (exit 2)' })
      .example('$0 status', 'the state of HEAD')
      .example('$0 status main~1 --json', 'as JSON, for scripts')
      .example('$0 status --wait --timeout 120', 'block until HEAD is built')
      .epilogue('Exit codes: 0 passed, 1 failed/error/canceled, 2 queued/running, 3 no run recorded.') as never,
  handler: async (argv) => {
    if (!(argv.timeout >= 0)) throw new UserError(`--timeout: expected seconds (a number ≥ 0), got ${argv.timeout}`);
    const repo = await repoFromArgs(argv);
    const target = await resolveRunOrRev(repo, argv.rev);
    const read = (): Promise<RunView> => ('runId' in target ? runViewById(repo, target.runId) : commitRunView(repo, target.commit));
    let view = await read();
    const deadline = Date.now() + argv.timeout * 1000;
    let kicked = false;
    while (argv.wait && (view.status.state === 'queued' || view.status.state === 'running') && Date.now() < deadline) {
      if (!kicked && repo.bare && !runnerAlive(repo)) {
        // Work is waiting and no runner is alive (its start failed, or it died): start one.
        startRunnerDetached(repo);
        kicked = true;
      }
      await sleep(Math.min(250, Math.max(10, deadline - Date.now())));
      view = await read();
    }
    printView(view, argv.json);
    process.exitCode = statusExitCode(view.status.state ?? undefined);
  },
};

export function printView(view: RunView, json: boolean): void {
  if (json) console.log(JSON.stringify(view.status, null, 2));
  else console.log(renderStatus(view.status, { error: view.error, problems: view.record?.problems }));
}

