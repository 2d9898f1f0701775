// `git ci clone <url> [<dir>]` and `git ci fetch [<remote>]`: the CI history comes with the
// code. Run records and artifacts are mirrored; the server's notes land in
// refs/notes/remotes/<remote>/ci (a user's own refs/notes/ci is never overwritten) and every
// git-ci reader takes both. The remote is configured so a later plain `git fetch` keeps it all
// current, `git log` shows the notes, and a rebase carries them (marked inherited).
import type { CommandModule } from 'yargs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import chalk from 'chalk';
import { openRepo, type Repo } from '../store/repo.js';
import { ciCloneConfig, configureCiRemote, remoteNotesRef } from '../store/ci-remote.js';
import { UserError } from '../store/errors.js';
import { repoFromArgs } from './repo-arg.js';

interface CloneArgs {
  url: string;
  dir?: string;
  origin: string;
  quiet: boolean;
}

export const cloneCommand: CommandModule<object, CloneArgs> = {
  command: 'clone <url> [dir]',
  describe: 'git clone, with the CI history (notes, run records, logs, artifacts)',
  builder: (y) =>
    y
      .positional('url', { type: 'string', demandOption: true, describe: 'what git clone takes: a path, file://, ssh://, git://, https://' })
      .positional('dir', { type: 'string', describe: 'the folder to clone into (default: from the url, as git does)' })
      .option('origin', { alias: 'o', type: 'string', default: 'origin', describe: 'the name of the remote' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: "no progress from git" })
      .example('$0 clone ssh://ci.example.com/srv/git/app.git', 'a clone whose git log shows CI results')
      .epilogue(
        [
          'Afterwards git ci status/log/show/logs/artifacts work offline in the clone, and a plain',
          '`git fetch` keeps the CI history current. The server\'s notes are kept in',
          'refs/notes/remotes/<remote>/ci; refs/notes/ci stays yours.',
        ].join('\n'),
      ) as never,
  handler: async (argv) => {
    const config = ciCloneConfig(argv.origin).flatMap((c) => ['-c', c]);
    const args = ['clone', ...config, '--origin', argv.origin, ...(argv.quiet ? ['-q'] : []), '--', argv.url, ...(argv.dir ? [argv.dir] : [])];
    const code = await gitInherit(args, process.cwd());
    if (code !== 0) throw new UserError(`git clone ${argv.url} failed (exit ${code}); nothing else was done`, code);
    const dir = path.resolve(argv.dir ?? defaultCloneDir(argv.url));
    const repo = await openRepo(dir);
    console.log(await summary(repo, argv.origin));
  },
};

interface FetchArgs {
  repo?: string;
  remote: string;
  quiet: boolean;
}

export const fetchCommand: CommandModule<object, FetchArgs> = {
  command: 'fetch [remote]',
  describe: "bring a remote's CI history into this clone, and keep plain git fetch doing it",
  builder: (y) =>
    y
      .positional('remote', { type: 'string', default: 'origin', describe: 'the remote to fetch from' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress from git' })
      .example('$0 fetch', 'CI notes, run records and artifacts from origin')
      .epilogue('Adds the CI refspecs to remote.<remote>.fetch (once), and notes.displayRef / notes.rewriteRef.') as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    const added = await configureCiRemote(repo.git, argv.remote);
    for (const change of added) console.log(chalk.dim(`git config --add ${change.key} ${change.value}`));
    const code = await gitInherit(['--git-dir', repo.gitDir, 'fetch', ...(argv.quiet ? ['-q'] : []), argv.remote], process.cwd());
    if (code !== 0) throw new UserError(`git fetch ${argv.remote} failed (exit ${code})`, code);
    console.log(await summary(repo, argv.remote));
  },
};

/** What a clone holds of a remote's CI history, in one line. */
async function summary(repo: Repo, remote: string): Promise<string> {
  const [runs, artifacts, notes] = await Promise.all([
    repo.git.run(['for-each-ref', '--format=x', 'refs/ci/runs/']),
    repo.git.run(['for-each-ref', '--format=x', 'refs/ci/artifacts/']),
    repo.git.run(['notes', `--ref=${remoteNotesRef(remote)}`, 'list'], { okExitCodes: [1, 128] }),
  ]);
  const count = (text: string) => text.split('\n').filter(Boolean).length;
  return `CI history from ${remote}: notes on ${count(notes.stdout)} commit(s), ${count(runs.stdout)} run record(s), ${count(artifacts.stdout)} artifact set(s)`;
}

// What would point git at another repository than the one named: dropped. The rest of the
// user's environment (GIT_SSH_COMMAND, GIT_ASKPASS, proxies) is what their own git clone uses.
const REDIRECTING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE', 'GIT_PREFIX'];

/** Runs git with the terminal's stdio (progress, prompts for credentials); resolves to its exit code. */
function gitInherit(args: string[], cwd: string): Promise<number> {
  const env = { ...process.env };
  for (const key of REDIRECTING) delete env[key];
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env, stdio: ['inherit', 'inherit', 'inherit'] });
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The folder git clone makes for a url: its last part, without .git (/srv/app.git → app). */
export function defaultCloneDir(url: string): string {
  const last = url.replace(/[/\\]+$/, '').replace(/\/\.git$/, '').split(/[/:\\]/).pop() ?? '';
  return last.replace(/\.git$/, '') || 'repo';
}
