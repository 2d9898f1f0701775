// Runs a helper command to completion and reports how it went, for probes.
import { spawn } from 'node:child_process';

export interface QuietResult {
  ok: boolean;
  code: number | null;
  output: string;
}

export interface QuietOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Descriptors the command inherits as 3, 4, …; the caller still owns (and closes) them. */
  fds?: number[];
  /** Run as this uid and gid (the runner must be root); spawn drops supplementary groups too. */
  uid?: number;
}

export function runQuiet(argv: string[], options: QuietOptions = {}): Promise<QuietResult> {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['ignore', 'pipe', 'pipe', ...(options.fds ?? [])],
        env: options.env ?? process.env,
        uid: options.uid,
        gid: options.uid,
      });
    } catch (err) {
      resolve({ ok: false, code: null, output: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, code: null, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, code, output: output.trim() });
    });
  });
}
