// `git ci show <rev|run-id>`: everything recorded about one run.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { commitRunView, resolveRunOrRev, runViewById } from '../store/results.js';
import { paintState, duration, renderStatus, jobUsageLine } from './format.js';
import { statusExitCode } from '../report/run-state.js';
import { UserError } from '../store/errors.js';
import { formatSize } from '../pipeline/size.js';

interface Args {
  repo?: string;
  target: string;
  json: boolean;
}

export const showCommand: CommandModule<object, Args> = {
  command: 'show [target]',
  describe: "a run's details: jobs, exit codes, reasons, times",
  builder: (y) =>
    y
      .positional('target', { type: 'string', default: 'HEAD', describe: 'a revision (its newest run) or a run id' })
      .option('json', { type: 'boolean', default: false, describe: 'print the run record (run.json)' })
      .example('$0 show', 'the newest run of HEAD')
      .example('$0 show 01JF8Z5X', 'a run by (a prefix of) its id') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    const target = await resolveRunOrRev(repo, argv.target);
    const view = 'runId' in target ? await runViewById(repo, target.runId) : await commitRunView(repo, target.commit);
    if (!view.status.run) throw new UserError(`no run recorded for ${argv.target} (${view.status.commit.slice(0, 10)})`, 3);
    process.exitCode = statusExitCode(view.status.state ?? undefined);
    if (argv.json) {
      console.log(JSON.stringify(view.record ?? { ...view.status, live: view.live ?? null }, null, 2));
      return;
    }
    const r = view.record;
    if (!r) {
      console.log(renderStatus(view.status, { error: view.error }));
      return;
    }
    const field = (k: string, v: string | number | null) => v !== null && v !== '' && console.log(`${chalk.dim(k.padEnd(9))} ${v}`);
    console.log(`${chalk.bold('run')}       ${r.id}  ${paintState(r.state)}`);
    field('commit', r.commit);
    field('ref', r.ref);
    field('trigger', `${r.trigger}${r.attempt > 1 ? ` (attempt ${r.attempt})` : ''}${r.retryOf ? `, retry of run ${r.retryOf}` : ''}`);
    field('queued', r.queuedAt);
    field('started', r.startedAt);
    field('finished', r.finishedAt);
    field('duration', duration(r.durationMs));
    field('runner', `${r.runner.host} pid ${r.runner.pid}, git-ci ${r.runner.version}`);
    if (r.problems.length > 0) {
      console.log(chalk.magenta('\n.git-ci.yml has problems:'));
      for (const p of r.problems) console.log(`  ${p}`);
    } else if (r.error) console.log(`\n${chalk.magenta('error:')} ${r.error}`);
    if (r.jobs.length > 0) console.log('');
    const width = Math.max(...r.jobs.map((j) => j.name.length));
    for (const j of r.jobs) {
      const bits = [j.name.padEnd(width), paintState(j.state, 8), duration(j.durationMs).padStart(7)];
      if (j.exitCode !== null) bits.push(chalk.dim(`exit ${j.exitCode}`));
      if (j.signal) bits.push(chalk.dim(j.signal));
      if (j.needs.length > 0) bits.push(chalk.dim(`needs ${j.needs.join(', ')}`));
      console.log(bits.join('  '));
      const pad = ' '.repeat(width + 2);
      const usage = jobUsageLine(j);
      if (usage) console.log(`${pad}${chalk.dim(usage)}`);
      // A limit that stopped the job is the thing to fix: it stands out from the dim details.
      if (j.reason) console.log(`${pad}${j.limitHit ? chalk.yellow.bold(`limit hit: ${j.reason}`) : chalk.dim(j.reason)}`);
      if (j.cachedFrom) console.log(`${pad}${chalk.dim(`cached: the result of run ${j.cachedFrom}${j.cacheKey ? ` (key ${j.cacheKey.slice(0, 12)})` : ''}`)}`);
      if (j.tests) {
        const t = j.tests;
        console.log(`${pad}tests: ${t.passed} passed, ${t.failed ? chalk.red(`${t.failed} failed`) : '0 failed'}${t.skipped ? `, ${t.skipped} skipped` : ''}`);
        for (const f of t.failing) console.log(`${pad}  ${chalk.red('✗')} ${[f.classname, f.name].filter(Boolean).join(' › ')}${f.message ? chalk.dim(`: ${f.message}`) : ''}`);
        if (t.moreFailing > 0) console.log(`${pad}  ${chalk.dim(`… and ${t.moreFailing} more`)}`);
      }
      if (j.artifacts) console.log(`${pad}${chalk.dim(`artifacts: ${j.artifacts.files} file(s), ${formatSize(j.artifacts.bytes)} (git ci artifacts ${r.id} ${j.name})`)}`);
    }
    if (r.supersededBy) console.log(chalk.dim(`\nsuperseded by run ${r.supersededBy}`));
    console.log(chalk.dim(`\nlogs: git ci logs ${r.id} <job>`));
  },
};
