// `git ci serve --port 0` started as a user starts it (the real CLI, its own process), for the
// server's tests and benchmarks; resolves once it prints its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { CLI, gitEnv } from './fixture.js';

export interface StartedServer {
  url: string;
  child: ChildProcess;
  /** What it wrote to stderr so far (warnings). */
  stderr: () => string;
  /** Milliseconds from spawn to the URL on stdout. */
  startMs: number;
}

/** Starts `git ci serve --port 0 <args>`; `env` adds to the test environment (e.g. a PATH with a stand-in git). */
export async function startServe(args: string[], cwd = '/', env: Record<string, string> = {}): Promise<StartedServer> {
  const t = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd, env: gitEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
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

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads a Server-Sent Events stream, calling `onEvent` for each event with data; it returns
 * true to stop (the connection is closed). Resolves when stopped or the stream ends.
 */
export function readSse(url: string, headers: Record<string, string>, onEvent: (e: SseEvent) => boolean | void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const req = http.get(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffer += text;
        let sep: number;
        while ((sep = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          const e: SseEvent = { data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) (e.data = line.slice(6)), (hasData = true);
          }
          if (hasData && onEvent(e) === true) {
            req.destroy();
            return resolve();
          }
        }
      });
      res.on('end', () => resolve());
    });
    req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
  });
}
