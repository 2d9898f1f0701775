// `git ci serve --port 0` started as a user starts it (the real CLI, its own process), for the
// server's tests and benchmarks; resolves once it prints its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, gitEnv } from './fixture.js';

export interface StartedServer {
  url: string;
  child: ChildProcess;
  /** What it wrote to stderr so far (warnings). */
  stderr: () => string;
  /** Milliseconds from spawn to the URL on stdout. */
  startMs: number;
}

export async function startServe(args: string[], cwd = '/'): Promise<StartedServer> {
  const t = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`git ci serve exited ${code}: ${out}${err}`)));
  });
  return { url, child, stderr: () => err, startMs: performance.now() - t };
}
