// `git ci verify [<rev>…] [--all]`: checks that notes, run records, logs and artifacts agree.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { resolveCommit } from '../store/results.js';
import { verifyAll, verifyCommits } from '../store/verify.js';

interface Args {
  repo?: string;
  revs: string[];
  all: boolean;
  json: boolean;
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify [revs..]',
  describe: "check that commits' CI notes, run records, logs and artifacts agree",
  builder: (y) =>
    y
      .positional('revs', { type: 'string', array: true, default: [], describe: 'revisions to check (default HEAD)' })
      .option('all', { type: 'boolean', default: false, describe: 'every commit with a CI note, and every run record without one' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: {commits, runs, findings: [{commit, run, level, message}]}' })
      .example('$0 verify', "HEAD's runs")
      .example('$0 verify --all', 'the whole history, after a clone or a prune')
      .epilogue('Exit codes: 0 consistent (pruned and inherited runs are reported, not counted), 1 a problem was found.') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    const result = argv.all
      ? await verifyAll(repo.git)
      : await verifyCommits(repo.git, await Promise.all((argv.revs.length > 0 ? argv.revs : ['HEAD']).map((rev) => resolveCommit(repo, rev))));
    const problems = result.findings.filter((f) => f.level === 'problem');
    process.exitCode = problems.length > 0 ? 1 : 0;
    if (argv.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    for (const f of result.findings) {
      const where = [f.commit ? f.commit.slice(0, 10) : '', `run ${f.run}`].filter(Boolean).join(' ');
      console.log(`${f.level === 'problem' ? chalk.red('problem') : chalk.dim('info   ')}  ${where}: ${f.message}`);
    }
    const summary = `${result.runs} run(s) on ${result.commits} commit(s): ${problems.length === 0 ? 'consistent' : `${problems.length} problem(s)`}`;
    console.log(problems.length === 0 ? chalk.green(summary) : chalk.red(summary));
  },
};
