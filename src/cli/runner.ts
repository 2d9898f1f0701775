// `git ci runner`: the process the hook starts; also fine to run by hand.
import type { CommandModule } from 'yargs';
import { repoFromArgs } from './repo-arg.js';
import { parseDuration } from '../pipeline/duration.js';
import { UserError } from '../store/errors.js';

interface Args {
  repo?: string;
  idle?: string;
}

export const runnerCommand: CommandModule<object, Args> = {
  command: 'runner',
  describe: 'run queued CI runs of a repository, then exit when idle (started by the hook)',
  builder: (y) =>
    y
      .option('idle', { type: 'string', describe: 'exit after this long without work (default: ci.runnerIdle, 10s)' })
      .example('$0 runner --repo /srv/git/app.git', 'work through the queue by hand')
      .epilogue('Only one runner works per repository; a second one exits at once. Its log is <git-dir>/ci/runner.log when started by the hook.') as never,
  handler: async (argv) => {
    let idleMs: number | undefined;
    if (argv.idle !== undefined) {
      idleMs = parseDuration(argv.idle);
      if (idleMs === undefined) throw new UserError(`--idle: expected a duration like 30s or 5m, got "${argv.idle}"`);
    }
    const repo = await repoFromArgs(argv);
    const { runRunner } = await import('../runner/runner.js');
    await runRunner(repo, { idleMs });
    // Nothing else is pending once the runner returns; do not wait for stray handles.
    process.exit(0);
  },
};
