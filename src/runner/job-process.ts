// Runs one job's commands in order in its workspace, streaming combined output to its live
// log file, and kills the job's whole process group on timeout and after every command.
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { killProcessGroup, signalProcessGroup } from '../sandbox/kill-tree.js';
import { formatDuration } from '../pipeline/duration.js';

export interface JobProcessOptions {
  commands: string[];
  cwd: string;
  env: Record<string, string>;
  logPath: string;
  timeoutMs: number;
  killGraceMs: number;
  /** Called with each command's process group id, so a crash can be cleaned up later. */
  onProcessGroup?: (pgid: number) => void;
  /** Aborting cancels the job (tree kill). */
  signal?: AbortSignal;
}

export interface JobProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
  durationMs: number;
  /** Why the job failed, in words, for the log, run.json and notes. */
  reason: string | null;
}

export async function runJobProcess(options: JobProcessOptions): Promise<JobProcessResult> {
  const started = Date.now();
  const log = createWriteStream(options.logPath, { flags: 'a' });
  const deadline = started + options.timeoutMs;
  let result: JobProcessResult = { exitCode: 0, signal: null, timedOut: false, canceled: false, durationMs: 0, reason: null };
  try {
    for (const command of options.commands) {
      log.write(`$ ${command.replace(/\n/g, '\n  ')}\n`);
      const one = await runCommand(command, options, log, deadline);
      result = { ...one, durationMs: 0 };
      if (one.exitCode !== 0 || one.timedOut || one.canceled) break;
    }
  } finally {
    result.durationMs = Date.now() - started;
    log.write(`\ngit-ci: ${describeEnd(result)} after ${formatDuration(result.durationMs)}\n`);
    await new Promise<void>((resolve) => log.end(resolve));
  }
  return result;
}

function describeEnd(r: JobProcessResult): string {
  if (r.reason) return r.reason;
  if (r.exitCode === 0) return 'passed';
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
}

async function runCommand(
  command: string,
  options: JobProcessOptions,
  log: WriteStream,
  deadline: number,
): Promise<Omit<JobProcessResult, 'durationMs'>> {
  if (options.signal?.aborted) return { exitCode: null, signal: null, timedOut: false, canceled: true, reason: 'canceled' };
  const child = spawn('/bin/sh', ['-c', `exec 2>&1\n${command}`], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    return { exitCode: null, signal: null, timedOut: false, canceled: false, reason: `could not start /bin/sh: ${error.message}` };
  }
  options.onProcessGroup?.(pgid);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });

  let timedOut = false;
  let canceled = false;
  let killing: Promise<void> | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    killing ??= killProcessGroup(pgid, options.killGraceMs);
  }, Math.max(0, deadline - Date.now()));
  const onAbort = () => {
    canceled = true;
    killing ??= killProcessGroup(pgid, options.killGraceMs);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // The rest of the group gets its grace period too, then whatever is left dies with the command.
  if (killing) await killing;
  signalProcessGroup(pgid, 'SIGKILL');
  await drain(child.stdout!, child.stderr!, log);

  if (timedOut) {
    return { exitCode: code, signal: sig, timedOut, canceled: false, reason: `timed out after ${formatDuration(options.timeoutMs)}; killed` };
  }
  if (canceled) return { exitCode: code, signal: sig, timedOut: false, canceled, reason: 'canceled' };
  return { exitCode: code, signal: sig, timedOut: false, canceled: false, reason: null };
}

/** Waits briefly for the pipes to flush; a process outside the group may hold them open forever. */
async function drain(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream, log: WriteStream): Promise<void> {
  const ended = (s: NodeJS.ReadableStream) => new Promise<void>((resolve) => {
    if ((s as unknown as { readableEnded: boolean }).readableEnded) resolve();
    else s.once('end', () => resolve()).once('close', () => resolve());
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 500));
  await Promise.race([Promise.all([ended(stdout), ended(stderr)]), timeout]);
  for (const s of [stdout, stderr]) {
    s.unpipe(log);
    (s as unknown as { destroy(): void }).destroy();
  }
}
