// The one place git-ci spawns git: every call names the repository explicitly and runs
// with a clean environment, so a hook's GIT_DIR or a user's GIT_INDEX_FILE never leaks in.
import { execa } from 'execa';
import { GitError } from './errors.js';

export interface GitRunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 for "no such note"). */
  okExitCodes?: number[];
  cwd?: string;
  encoding?: 'utf8' | 'buffer';
}

export interface GitResult {
  stdout: string;
  exitCode: number;
}

/** The environment git runs with: the caller's, minus every GIT_* variable that would redirect it. */
export function cleanGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('GIT_') && !key.startsWith('GIT_TRACE') && key !== 'GIT_CONFIG_NOSYSTEM') continue;
    env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  return { ...env, ...extra };
}

export class Git {
  constructor(readonly gitDir: string) {}

  /** Runs `git --git-dir=<repo> <args>`; throws GitError unless the exit code is 0 or listed ok. */
  async run(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    const fullArgs = [`--git-dir=${this.gitDir}`, ...args];
    const result = await execa('git', fullArgs, {
      input: options.input,
      env: cleanGitEnv(options.env),
      extendEnv: false,
      reject: false,
      cwd: options.cwd,
      stripFinalNewline: false,
      maxBuffer: 1024 * 1024 * 1024,
    });
    const exitCode = result.exitCode ?? -1;
    if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
      throw new GitError(args, result.exitCode, String(result.stderr ?? result.message));
    }
    return { stdout: String(result.stdout), exitCode };
  }

  /** Like run, but returns stdout as raw bytes (blobs such as logs may be any binary). */
  async runBuffer(args: string[], options: GitRunOptions = {}): Promise<{ stdout: Buffer; exitCode: number }> {
    const fullArgs = [`--git-dir=${this.gitDir}`, ...args];
    const result = await execa('git', fullArgs, {
      input: options.input,
      env: cleanGitEnv(options.env),
      extendEnv: false,
      reject: false,
      encoding: 'buffer',
      stripFinalNewline: false,
      maxBuffer: 1024 * 1024 * 1024,
    });
    const exitCode = result.exitCode ?? -1;
    if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
      throw new GitError(args, result.exitCode, Buffer.from(result.stderr as Uint8Array).toString());
    }
    return { stdout: Buffer.from(result.stdout as Uint8Array), exitCode };
  }

  /** The object id a revision names, or undefined when it names nothing. */
  async resolve(rev: string): Promise<string | undefined> {
    const { stdout, exitCode } = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', rev], {
      okExitCodes: [1, 128],
    });
    return exitCode === 0 ? stdout.trim() : undefined;
  }

  async config(key: string): Promise<string | undefined> {
    const { stdout, exitCode } = await this.run(['config', '--get', key], { okExitCodes: [1] });
    return exitCode === 0 ? stdout.trim() : undefined;
  }
}
