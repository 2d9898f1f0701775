// `git ci log [<range>]`: like `git log --oneline`, with each commit's CI state.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { inheritedFrom, logWithNotes } from '../store/results.js';
import { listQueued, listRunning } from '../store/queue.js';
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
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: [{commit, subject, state, run, branch, durationMs, inherited}]' })
      .example('$0 log', 'the last 20 commits of HEAD')
      .example('$0 log main~50..main -n 50', 'a range') as never,
  handler: async (argv) => {
    if (!Number.isInteger(argv.n) || argv.n < 1) throw new UserError(`-n: expected a whole number above 0, got ${argv.n}`);
    const repo = await repoFromArgs(argv);
    const [lines, queued, running] = await Promise.all([logWithNotes(repo, argv.range, argv.n), listQueued(repo), listRunning(repo)]);
    const rows = lines.map((l) => {
      const latest = l.records.at(-1);
      // A note a rebase carried here from another commit is that commit's result, not this one's.
      const from = latest ? inheritedFrom(l.commit, latest) : undefined;
      const pending = [...running.map((e) => ({ e, s: 'running' })), ...queued.map((e) => ({ e, s: 'queued' }))]
        .filter(({ e }) => e.commit === l.commit && (!latest || e.id > latest.run))
        .sort((a, b) => (a.e.id > b.e.id ? -1 : 1))[0];
      return {
        commit: l.commit,
        subject: l.subject,
        state: pending?.s ?? (from ? null : (latest?.state ?? null)),
        run: pending?.e.id ?? (from ? null : (latest?.run ?? null)),
        branch: latest?.branch ?? null,
        durationMs: pending || from ? null : (latest?.durationMs ?? null),
        inherited: from && latest ? { from, run: latest.run, state: latest.state } : null,
      };
    });
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
