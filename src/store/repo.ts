// A repository git-ci works on: its git dir, the ci/ folder inside it, and its ci.* settings.
import path from 'node:path';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
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
  const plain = plainRepoAt(where);
  if (plain) return new Repo(plain.gitDir, plain.bare);
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

/**
 * The common cases without a git process (a spawn costs ~10 ms here): the
 * path is a bare repository, or the top of a work tree with a .git folder, owned by us, with
 * core.bare written plainly in its config. Anything else (a subfolder, a .git file of a linked
 * worktree or submodule, reftable, someone else's repository, which git may refuse as unsafe,
 * GIT_CEILING_DIRECTORIES) goes to `git rev-parse`, which knows every rule.
 */
export function plainRepoAt(where: string): { gitDir: string; bare: boolean } | undefined {
  if (process.env.GIT_CEILING_DIRECTORIES || process.env.GIT_DISCOVERY_ACROSS_FILESYSTEM) return undefined;
  let dir: string;
  try {
    // As git reports it: the physical path, symlinks resolved.
    dir = realpathSync(path.resolve(where));
  } catch {
    return undefined;
  }
  const dotGit = path.join(dir, '.git');
  const gitDir = isGitDir(dir) ? dir : isGitDir(dotGit) ? dotGit : undefined;
  if (!gitDir) return undefined;
  const bare = coreBare(gitDir);
  // A git dir whose config says bare = false is a work tree's .git entered directly: git's own answer differs by case.
  if (bare === undefined || (gitDir === dir) !== bare) return undefined;
  return { gitDir, bare };
}

function isGitDir(dir: string): boolean {
  try {
    const st = statSync(dir);
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) return false;
    if (existsSync(path.join(dir, 'commondir')) || existsSync(path.join(dir, 'reftable'))) return false;
    return statSync(path.join(dir, 'HEAD')).isFile() && statSync(path.join(dir, 'objects')).isDirectory() && statSync(path.join(dir, 'refs')).isDirectory();
  } catch {
    return false;
  }
}

/** core.bare from the repository's own config file, when it is set there plainly (once, true or false, no includes). */
function coreBare(gitDir: string): boolean | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(gitDir, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  if (/^\s*\[\s*include/im.test(text)) return undefined;
  let section = '';
  const values: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(\s+"[^"]*")?\s*\]/.exec(line);
    if (header) section = `${header[1]!.toLowerCase()}${header[2] ?? ''}`;
    else if (section === 'core') {
      const m = /^bare\s*(=\s*(\S+))?$/i.exec(line);
      if (m) values.push((m[2] ?? 'true').toLowerCase());
    }
  }
  if (values.length !== 1) return undefined;
  return values[0] === 'true' ? true : values[0] === 'false' ? false : undefined;
}
