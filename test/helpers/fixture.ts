// Real repositories for tests: temporary bare repos armed with git-ci, clones, commits and
// pushes with the real git, and the real CLI.
import { execFile, spawnSync } from 'node:child_process';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The CLI as installed: the bundle `npm run build` makes (scripts/bundle.mjs). */
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'git-ci.mjs');

const made: string[] = [];
process.on('exit', () => {
  if (process.env.GIT_CI_KEEP_TMP) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

export function tempDir(label = 'test'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `git-ci-${label}-`));
  made.push(dir);
  return dir;
}

/** Environment for git in tests: a fixed identity, no user or system config. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') && k !== 'FORCE_COLOR') env[k] = v;
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
    ...extra,
  };
}

export interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

export async function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = gitEnv()): Promise<Result> {
  try {
    const { stdout, stderr } = await execFileP(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? String(err), code: typeof e.code === 'number' ? e.code : 1 };
  }
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await run('git', args, cwd);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs the real git-ci CLI. */
export function ci(cwd: string, ...args: string[]): Promise<Result> {
  return run(process.execPath, [CLI, ...args], cwd);
}

export interface Armed {
  dir: string;
  bare: string;
  clone: string;
}

/** A fresh armed bare repository and a working clone of it. */
export async function armedRepo(settings: Record<string, string> = {}): Promise<Armed> {
  const dir = tempDir('e2e');
  const bare = path.join(dir, 'repo.git');
  const r = await ci(dir, 'install', bare, '--init');
  if (r.code !== 0) throw new Error(`git ci install failed: ${r.stderr}`);
  for (const [k, v] of Object.entries({ 'ci.runnerIdle': '1s', 'ci.timeout': '2m', ...settings })) await git(bare, 'config', k, v);
  await git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const clone = path.join(dir, 'work');
  await git(dir, 'clone', '-q', bare, clone);
  await git(clone, 'checkout', '-q', '-b', 'main');
  return { dir, bare, clone };
}

/** Writes files, commits them, returns the new commit id. */
export async function commit(clone: string, files: Record<string, string>, message = 'change'): Promise<string> {
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(clone, name)), { recursive: true });
    await fs.writeFile(path.join(clone, name), text);
  }
  await git(clone, 'add', '-A');
  await git(clone, 'commit', '-q', '--allow-empty', '-m', message);
  return git(clone, 'rev-parse', 'HEAD');
}

export async function push(clone: string, ...refspecs: string[]): Promise<Result> {
  const r = await run('git', ['push', 'origin', ...(refspecs.length ? refspecs : ['HEAD:refs/heads/main'])], clone);
  if (r.code !== 0) throw new Error(`git push failed: ${r.stderr}`);
  return r;
}

export interface StatusJson {
  commit: string;
  state: string | null;
  run: string | null;
  branch: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  jobs: { name: string; state: string; exitCode: number | null; durationMs: number | null; cached: boolean }[];
}

/** Waits for the newest run of a commit to finish and returns `git ci status --json`. */
export async function waitForStatus(bare: string, rev: string, timeoutSec = 60): Promise<StatusJson & { exit: number }> {
  const r = await ci(bare, 'status', rev, '--wait', '--timeout', String(timeoutSec), '--json');
  if (!r.stdout.trim()) throw new Error(`git ci status gave no output (exit ${r.code}): ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as StatusJson), exit: r.code };
}

/** Waits until no runner holds the repository (its pid file is gone). */
export async function waitForRunnerExit(bare: string, timeoutMs = 30_000): Promise<void> {
  const pidFile = path.join(bare, 'ci', 'runner.pid');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fs.access(pidFile);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`runner of ${bare} did not exit within ${timeoutMs} ms`);
}

/** Pids of live processes whose command line contains a marker (to prove nothing is left running). */
export function processesMatching(marker: string): number[] {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'))
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .filter((n) => n !== process.pid);
}

/** A marker no other process has: a `sleep` argument unique to one test. */
export function uniqueSleep(): string {
  return `${1000 + Math.floor(Math.random() * 8000)}.${Math.floor(Math.random() * 90) + 10}`;
}

/** Waits until a process whose command line contains the marker runs (the job started). */
export async function waitForProcess(marker: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processesMatching(marker).length === 0) {
    if (Date.now() > deadline) throw new Error(`no process matching "${marker}" started within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signals the repository's runner (named in ci/runner.pid). */
export async function signalRunner(bare: string, signal: NodeJS.Signals): Promise<number> {
  const [pid] = (await fs.readFile(path.join(bare, 'ci', 'runner.pid'), 'utf8')).split(' ');
  process.kill(Number(pid), signal);
  return Number(pid);
}
