// `git ci install <repo> [--init]`: arm a bare repository.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { armRepository } from '../store/arm.js';

interface Args {
  path: string;
  init: boolean;
}

export const installCommand: CommandModule<object, Args> = {
  command: 'install <path>',
  describe: 'arm a repository: install the hooks and the ci.* defaults',
  builder: (y) =>
    y
      .positional('path', { type: 'string', demandOption: true, describe: 'the bare repository to arm' })
      .option('init', { type: 'boolean', default: false, describe: 'create the bare repository if it does not exist' })
      .example('$0 install /srv/git/app.git', 'arm an existing repository')
      .example('$0 install ~/ci/demo.git --init', 'create a bare repository and arm it')
      .epilogue(
        'A hook already in place (e.g. from a git host) is kept and runs first, as post-receive.chained.\nRunning install again changes nothing; after upgrading git-ci it refreshes the hooks.',
      ) as never,
  handler: async (argv) => {
    const result = await armRepository(argv.path, { init: argv.init });
    if (result.changes.length === 0) console.log(`${result.repo.gitDir} is already armed; nothing changed.`);
    else {
      console.log(`Armed ${chalk.bold(result.repo.gitDir)}:`);
      for (const c of result.changes) console.log(`  - ${c}`);
    }
    console.log(`\nPush a commit with a .git-ci.yml to it, then: git ci status --wait --repo ${result.repo.gitDir} <commit>`);
  },
};
