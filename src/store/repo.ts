// A repository git-ci works on: its git dir, the ci/ folder inside it, and its ci.* settings.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Git, spawnGit } from './git.js';
import { UserError } from './errors.js';

/** Where git-ci keeps live state (queue, running runs, live logs) inside a git dir; never pushed or cloned. */
export interface CiPaths {
  root: string;
  queue: string;
  running: string;
  live: string;
  /** Requests to cancel a queued or running run: one file per run id, holding the reason. */
  cancel: string;
  pidFile: string;
  runnerLog: string;
  bootCache: string;
}

export function ciPaths(gitDir: string): CiPaths {
  const root = path.join(gitDir, 'ci');
  return {
    root,
    queue: path.join(root, 'queue'),
    running: path.join(root, 'running'),
    live: path.join(root, 'live'),
    cancel: path.join(root, 'cancel'),
    pidFile: path.join(root, 'runner.pid'),
    runnerLog: path.join(root, 'runner.log'),
    bootCache: path.join(root, 'boot'),
  };
}

export class Repo {
  readonly git: Git;
  readonly paths: CiPaths;

  constructor(
    readonly gitDir: string,
    readonly bare: boolean,
  ) {
    this.git = new Git(gitDir);
    this.paths = ciPaths(gitDir);
  }

  /** Every ci.* setting of the repository, keys lower-cased as git reports them. */
  async settings(): Promise<Map<string, string>> {
    const { stdout } = await this.git.run(['config', '-z', '--get-regexp', '^ci\\.'], { okExitCodes: [1] });
    const map = new Map<string, string>();
    for (const entry of stdout.split('\0')) {
      if (!entry) continue;
      const nl = entry.indexOf('\n');
      const key = nl < 0 ? entry : entry.slice(0, nl);
      map.set(key.toLowerCase(), nl < 0 ? 'true' : entry.slice(nl + 1));
    }
    return map;
  }
}

/** Finds the repository at a path (a bare repo, a work tree, or anything inside one), as git would. */
export async function openRepo(where: string = process.cwd()): Promise<Repo> {
  if (!existsSync(where)) throw new UserError(`no such directory: ${where}`);
  const result = await spawnGit(['rev-parse', '--absolute-git-dir', '--is-bare-repository'], { cwd: where });
  if (result.exitCode !== 0) {
    const said = String(result.stderr).trim().replace(/^fatal: /, '');
    if (/not a git repository/i.test(said) || !said) {
      throw new UserError(`not a git repository: ${path.resolve(where)} (run this inside a repository or pass --repo <path>)`);
    }
    throw new UserError(`cannot use the repository at ${path.resolve(where)}: ${said}`);
  }
  const [gitDir, bare] = result.stdout.toString().trim().split('\n');
  return new Repo(gitDir!, bare === 'true');
}
