// `git ci log [<range>]`: like `git log --oneline`, with each commit's CI state.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { logRows, logWithNotes } from '../store/results.js';
import { paintState, duration } from './format.js';
import { UserError } from '../store/errors.js';

interface Args {
  repo?: string;
  range?: string;
  n: number;
  json: boolean;
}

export const logCommand: CommandModule<object, Args> = {
  command: 'log [range]',
  describe: 'commits with their CI state, newest first',
  builder: (y) =>
    y
      .positional('range', { type: 'string', describe: 'a revision or range, as for git log (default HEAD)' })
      .option('n', { type: 'number', default: 20, alias: 'max-count', describe: 'how many commits' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: [{commit, subject, author, date, state, run, branch, durationMs, inherited}]' })
      .example('$0 log', 'the last 20 commits of HEAD')
      .example('$0 log main~50..main -n 50', 'a range') as never,
  handler: async (argv) => {
    if (!Number.isInteger(argv.n) || argv.n < 1) throw new UserError(`-n: expected a whole number above 0, got ${argv.n}`);
    const repo = await repoFromArgs(argv);
    const rows = await logRows(repo, await logWithNotes(repo, argv.range, argv.n));
    if (argv.json) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    for (const r of rows) {
      const inherited = r.inherited ? chalk.dim(`  (inherited from ${r.inherited.from.slice(0, 7)}: ${r.inherited.state})`) : '';
      console.log(`${chalk.yellow(r.commit.slice(0, 7))} ${paintState(r.state ?? '-', 8)} ${duration(r.durationMs).padStart(6)}  ${r.subject}${inherited}`);
    }
  },
};
