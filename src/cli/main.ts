#!/usr/bin/env node
// git-ci's command line: wires the commands together and is the only place errors become
// exit codes. `git ci <command>` finds it as git-ci on PATH.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import chalk from 'chalk';
import { GitError, UserError } from '../store/errors.js';
import { GIT_CI_VERSION } from '../version.js';
import { installCommand } from './install.js';
import { runnerCommand } from './runner.js';
import { statusCommand } from './status.js';
import { logCommand } from './log.js';
import { showCommand } from './show.js';
import { logsCommand } from './logs.js';
import { doctorCommand } from './doctor.js';
import { runCommand } from './run.js';
import { retryCommand } from './retry.js';
import { cancelCommand } from './cancel.js';
import { artifactsCommand } from './artifacts.js';
import { cloneCommand, fetchCommand } from './clone.js';
import { gcCommand } from './gc.js';
import { verifyCommand } from './verify.js';
import { serveCommand } from './serve.js';

export const EXIT_USAGE = 129;

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('git ci')
    .usage('$0 <command> [options]\n\nContinuous integration that lives inside the git repository it tests.')
    .option('repo', { type: 'string', describe: 'the repository to use (default: the one you are in)', global: true })
    .command(installCommand)
    .command(statusCommand)
    .command(logCommand)
    .command(showCommand)
    .command(logsCommand)
    .command(runCommand)
    .command(retryCommand)
    .command(cancelCommand)
    .command(artifactsCommand)
    .command(cloneCommand)
    .command(fetchCommand)
    .command(gcCommand)
    .command(verifyCommand)
    .command(serveCommand)
    .command(doctorCommand)
    .command(runnerCommand)
    .demandCommand(1, 'Name a command; `git ci --help` lists them.')
    .strict()
    .recommendCommands()
    .example('$0 install /srv/git/app.git --init', 'create and arm a bare repository')
    .example('$0 status --wait', 'wait for the CI result of HEAD')
    .example('git log --notes=ci', 'see CI results in the log')
    .example('$0 doctor', 'check which sandbox layers work on this machine')
    .epilogue(
      [
        'A push to an armed bare repository runs the .git-ci.yml of the pushed commit;',
        'results are git notes (refs/notes/ci) and run records (refs/ci/runs/*).',
        'Docs: README.md in the git-ci folder.',
      ].join('\n'),
    )
    .version(GIT_CI_VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.max(80, Math.min(120, process.stdout.columns || 120)))
    .fail((msg, err) => {
      if (err) throw err;
      console.error(`git-ci: ${msg}\n\nRun 'git ci --help' for usage.`);
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof UserError) {
    console.error(`${chalk.red('git-ci:')} ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof GitError) {
    console.error(`${chalk.red('git-ci:')} ${err.message}`);
    process.exit(128);
  }
  console.error(`${chalk.red('git-ci: internal error:')} ${(err as Error)?.stack ?? String(err)}`);
  process.exit(70);
});
