// Arming a repository: git-ci's hooks (chaining any hook that was there before) and the ci.*
// defaults in its config. Running it again changes nothing.
import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnGit } from './git.js';
import { openRepo, type Repo } from './repo.js';
import { UserError } from './errors.js';
import { CONFIG_DEFAULTS } from './settings.js';

export const HOOK_MARKER = 'git-ci-hook';
export const HOOK_NAMES = ['pre-receive', 'post-receive'] as const;

export interface ArmResult {
  repo: Repo;
  created: boolean;
  /** What changed, in words; empty when the repository was already armed as asked. */
  changes: string[];
}

/** The folder git-ci's own files live in (the package root). */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** The hook text for this installation: the template with the node and CLI paths filled in. */
export async function renderHook(name: string): Promise<string> {
  const template = await fs.readFile(path.join(packageRoot(), 'hooks', name), 'utf8');
  const runner = path.join(packageRoot(), 'dist', 'src', 'cli', 'runner-main.js');
  return template.replaceAll('@NODE@', process.execPath).replaceAll('@RUNNER@', runner);
}

export async function armRepository(where: string, options: { init?: boolean } = {}): Promise<ArmResult> {
  const changes: string[] = [];
  let created = false;
  if (options.init && !(await isGitDir(where))) {
    await fs.mkdir(where, { recursive: true });
    const r = await spawnGit(['init', '--bare', '--quiet', where]);
    if (r.exitCode !== 0) throw new UserError(`could not create a bare repository at ${where}: ${r.stderr}`);
    created = true;
    changes.push(`created bare repository ${path.resolve(where)}`);
  } else if (!(await exists(where))) {
    throw new UserError(`no such repository: ${where} (pass --init to create a bare repository there)`);
  }
  const repo = await openRepo(where);
  const hooksDir = await hooksDirectory(repo);
  await fs.mkdir(hooksDir, { recursive: true });
  for (const name of HOOK_NAMES) changes.push(...(await installHook(hooksDir, name)));
  for (const dir of [repo.paths.queue, repo.paths.running, repo.paths.live]) await fs.mkdir(dir, { recursive: true });
  const current = await repo.settings();
  for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
    if (current.has(key.toLowerCase())) continue;
    await repo.git.run(['config', key, value]);
    changes.push(`set ${key}=${value}`);
  }
  // The runner's temporary notes refs are never offered to clients.
  const hidden = (await repo.git.run(['config', '--get-all', 'uploadpack.hideRefs'], { okExitCodes: [1] })).stdout.split('\n');
  if (!hidden.includes('refs/notes/ci-tmp')) {
    await repo.git.run(['config', '--add', 'uploadpack.hideRefs', 'refs/notes/ci-tmp']);
    changes.push('hid refs/notes/ci-tmp from fetches (uploadpack.hideRefs)');
  }
  // …and from pushes: a client never sees them advertised (pre-receive refuses writes to them anyway).
  const hiddenPush = (await repo.git.run(['config', '--get-all', 'receive.hideRefs'], { okExitCodes: [1] })).stdout.split('\n');
  if (!hiddenPush.includes('refs/notes/ci-tmp')) {
    await repo.git.run(['config', '--add', 'receive.hideRefs', 'refs/notes/ci-tmp']);
    changes.push('hid refs/notes/ci-tmp from pushes (receive.hideRefs)');
  }
  return { repo, created, changes };
}

async function installHook(hooksDir: string, name: string): Promise<string[]> {
  const file = path.join(hooksDir, name);
  const chained = `${file}.chained`;
  const text = await renderHook(name);
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  const changes: string[] = [];
  if (existing === text) {
    await ensureExecutable(file);
    return changes;
  }
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    if (await exists(chained)) {
      throw new UserError(`${file} exists and so does ${chained}; git-ci will not overwrite either. Merge them by hand, then run git ci install again.`);
    }
    await fs.rename(file, chained);
    changes.push(`kept the existing ${name} hook: it now runs first, as ${path.basename(chained)}`);
  }
  const tmp = `${file}.git-ci-tmp`;
  await fs.writeFile(tmp, text, { mode: 0o755 });
  await fs.rename(tmp, file);
  changes.push(existing === undefined || !existing.includes(HOOK_MARKER) ? `installed the ${name} hook` : `updated the ${name} hook`);
  return changes;
}

async function ensureExecutable(file: string): Promise<void> {
  try {
    await fs.access(file, fsc.X_OK);
  } catch {
    await fs.chmod(file, 0o755);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function isGitDir(where: string): Promise<boolean> {
  if (!(await exists(where))) return false;
  const r = await spawnGit(['rev-parse', '--git-dir'], { cwd: where });
  return r.exitCode === 0;
}

/** Where git runs this repository's hooks; refuses a core.hooksPath shared with other repositories. */
async function hooksDirectory(repo: Repo): Promise<string> {
  const own = path.join(repo.gitDir, 'hooks');
  const origin = await repo.git.run(['config', '--show-origin', '--get', 'core.hooksPath'], { okExitCodes: [1] });
  if (origin.exitCode !== 0) return own;
  const local = await repo.git.run(['config', '--local', '--get', 'core.hooksPath'], { okExitCodes: [1] });
  const hooksPath = (await repo.git.run(['rev-parse', '--git-path', 'hooks'])).stdout.trim();
  if (local.exitCode === 0) return path.resolve(repo.gitDir, hooksPath);
  const [where] = origin.stdout.trim().split('\t');
  throw new UserError(
    `core.hooksPath is set outside this repository (${where}), so git runs hooks from ${hooksPath} for every repository that uses it. ` +
      `Arming there would arm them all. Give this repository its own: git --git-dir=${repo.gitDir} config core.hooksPath hooks, then run git ci install again.`,
  );
}
