// `git ci serve`: the dashboard's server (for now its JSON API, live logs and badges) over one
// or more armed bare repositories.
import type { CommandModule } from 'yargs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { openRepo, type Repo } from '../store/repo.js';
import { UserError } from '../store/errors.js';

interface Args {
  repo?: string;
  repos: string[];
  root?: string;
  host: string;
  port: number;
  token?: string;
}

export const serveCommand: CommandModule<object, Args> = {
  command: 'serve [repos..]',
  describe: 'serve CI results over HTTP: JSON API, live job logs (SSE), status badges',
  builder: (y) =>
    y
      .positional('repos', { type: 'string', array: true, default: [], describe: 'bare repositories to serve (default: --repo, or the one you are in)' })
      .option('root', { type: 'string', describe: 'serve every bare repository directly in this folder' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'the address to listen on' })
      .option('port', { type: 'number', default: 8080, describe: 'the port (0: any free one)' })
      .option('token', { type: 'string', describe: 'require this token (Authorization: Bearer <token>, or ?token=); default $GIT_CI_SERVE_TOKEN' })
      .example('$0 serve /srv/git/app.git', 'on http://127.0.0.1:8080')
      .example('$0 serve --root /srv/git --host 0.0.0.0 --token s3cret', 'every repo of a folder, to the network, with a token') as never,
  handler: async (argv) => {
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new UserError(`--port: expected 0 to 65535, got ${argv.port}`);
    const repos = await servedRepos(argv);
    const token = argv.token ?? process.env.GIT_CI_SERVE_TOKEN;
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(argv.host);
    if (!loopback && !token) console.error(chalk.yellow(`warning: listening on ${argv.host} without --token: anyone who can reach it reads every served repository's CI results and logs`));
    const { serve } = await import('../web/server.js');
    const served = await serve({ repos, host: argv.host, port: argv.port, token });
    console.log(`git ci serve: ${[...repos.keys()].join(', ')} on ${served.url}`);
    for (const name of repos.keys()) console.log(chalk.dim(`  ${served.url}/api/${encodeURIComponent(name)}/runs   ${served.url}/${encodeURIComponent(name)}/badge/main.svg`));
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void served.close().then(resolve));
    });
  },
};

/** The repositories to serve, by name (the folder name without .git); names must differ. */
async function servedRepos(argv: Args): Promise<Map<string, Repo>> {
  const paths = [...argv.repos];
  if (argv.root) {
    const entries = await fs.readdir(argv.root, { withFileTypes: true }).catch(() => {
      throw new UserError(`--root ${argv.root}: not a folder`);
    });
    for (const e of entries) if (e.isDirectory() && (await isArmedBare(path.join(argv.root, e.name)))) paths.push(path.join(argv.root, e.name));
    if (paths.length === 0) throw new UserError(`--root ${argv.root}: no armed bare repository in it (git ci install <repo>)`);
  }
  if (paths.length === 0) paths.push(argv.repo ?? process.cwd());
  const repos = new Map<string, Repo>();
  for (const p of paths) {
    const repo = await openRepo(p);
    if (!repo.bare) throw new UserError(`${repo.gitDir} is not a bare repository: git ci serve serves where the CI runs`);
    const name = path.basename(repo.gitDir).replace(/\.git$/, '') || 'repo';
    if (repos.has(name)) throw new UserError(`two served repositories are both named ${name}: serve them separately`);
    repos.set(name, repo);
  }
  return repos;
}

async function isArmedBare(dir: string): Promise<boolean> {
  return fs.access(path.join(dir, 'hooks', 'post-receive')).then(
    () => fs.access(path.join(dir, 'HEAD')).then(() => true, () => false),
    () => false,
  );
}
