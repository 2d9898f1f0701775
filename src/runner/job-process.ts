// Runs one job's commands, in order, as one process inside its sandbox, streaming combined
// output into its capped live log. A timeout or cancel sends SIGTERM to everything of the
// job, waits the grace period, then SIGKILLs everything; the same sweep follows a normal exit,
// so nothing the job started outlives it.
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { formatDuration } from '../pipeline/duration.js';
import { CappedLog, type CappedLogResult } from './log-cap.js';
import { SecretMasker } from './secret-mask.js';

/** What job-process needs of a sandbox (src/sandbox/job-sandbox.ts, or none). */
export interface ProcessSandbox {
  /** Starts `/bin/sh -c <script> <args…>` in the sandbox, detached in its own process group. */
  spawn(script: string, args: string[], options: { cwd: string; env: Record<string, string>; stdio: StdioOptions }): ChildProcess;
  terminate(): Promise<void>;
  alive(): Promise<boolean>;
  killAll(): Promise<void>;
}

export interface JobProcessOptions {
  commands: string[];
  cwd: string;
  env: Record<string, string>;
  logPath: string;
  maxLogBytes: number;
  timeoutMs: number;
  killGraceMs: number;
  sandbox: ProcessSandbox;
  /** Called with the job's process (group) id, so a crash can be cleaned up later. */
  onProcessGroup?: (pgid: number) => void;
  /**
   * The job's commands wait for this (its workspace being checked out) while its sandbox starts,
   * so the sandbox's start is off the job's critical path. A rejection ends the job before any
   * of its commands ran, and is thrown. What it resolves to is written at the top of the log.
   */
  ready?: Promise<string | void>;
  /** Secret values to mask (as ***) in the log before it is written, even split across writes. */
  maskSecrets?: string[];
  /** Aborting cancels the job. */
  signal?: AbortSignal;
  /** After the job ended and was swept: names the limit that stopped it, if any (for the log and the note). */
  explain?: (r: { exitCode: number | null; signal: string | null; timedOut: boolean }) => Promise<string | null>;
}

export interface JobProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
  durationMs: number;
  /** Why the job did not pass, in words (exit code 1, timed out after 10s, memory limit…); null when it passed. */
  reason: string | null;
  log: CappedLogResult;
}

// Each command runs in its own shell (cd and variables do not carry over), after a `$ command`
// header; the first failure ends the job with that command's status. The trap matters when this
// shell is its pid namespace's init, which ignores a SIGTERM it does not handle: a timeout or
// cancel must end the job after the current command, not go on to the next one. The shell
// starts before the job's workspace is ready and waits for a "go" line on stdin.
const JOB_SCRIPT = `exec 2>&1
trap 'exit 143' TERM
read -r go && [ "$go" = go ] || exit 125
exec </dev/null
for c; do
  printf '$ %s\\n' "$c"
  /bin/sh -c "$c" || exit
done`;

export async function runJobProcess(options: JobProcessOptions): Promise<JobProcessResult> {
  const log = new CappedLog({ path: options.logPath, maxBytes: options.maxLogBytes });
  const { sandbox } = options;
  const child = sandbox.spawn(JOB_SCRIPT, ['git-ci-job', ...options.commands], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (c, s) => resolve([c, s]));
    child.once('error', () => resolve([null, null]));
  });
  // The shell may be gone before it reads "go" (a failed start): nothing to report here.
  child.stdin!.on('error', () => undefined);
  if (child.pid !== undefined) options.onProcessGroup?.(child.pid);
  // With secrets, every byte passes a masker (one per stream, so interleaving cannot split a secret) before the log sees it.
  const maskers = options.maskSecrets?.length ? [new SecretMasker(options.maskSecrets), new SecretMasker(options.maskSecrets)] : [];
  const sinks = maskers.length ? maskers : [log.writable, log.writable];
  for (const m of maskers) m.pipe(log.writable, { end: false });
  child.stdout!.pipe(sinks[0]!, { end: false });
  child.stderr!.pipe(sinks[1]!, { end: false });
  const closeSink = async () => {
    child.stdout!.unpipe(sinks[0]);
    child.stderr!.unpipe(sinks[1]);
    for (const m of maskers) {
      const flushed = new Promise<void>((resolve) => m.once('end', () => resolve()));
      m.end();
      await flushed;
      m.unpipe(log.writable);
    }
  };

  try {
    const preface = await options.ready;
    if (preface) log.writable.write(preface);
  } catch (err) {
    child.stdin!.destroy();
    await sandbox.killAll();
    await exited;
    await drain(child.stdout!, child.stderr!);
    await closeSink();
    await log.end('');
    throw err;
  }
  // A cancel that came while the workspace was checked out: the shell reads no "go" and exits.
  child.stdin!.end(options.signal?.aborted ? '' : 'go\n');
  const started = Date.now();

  let timedOut = false;
  let canceled = false;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await sandbox.terminate();
      const deadline = Date.now() + options.killGraceMs;
      while (Date.now() < deadline && (await sandbox.alive())) await new Promise((r) => setTimeout(r, 25));
      await sandbox.killAll();
    })());
  const timer = setTimeout(() => {
    timedOut = true;
    void stop();
  }, options.timeoutMs);
  const onAbort = () => {
    canceled = true;
    void stop();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const [code, sig] = await exited;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  if (stopping) await stopping;
  // Whatever the job left behind (daemons, setsid escapees) dies with it.
  await sandbox.killAll();
  await drain(child.stdout!, child.stderr!);
  await closeSink();

  const durationMs = Date.now() - started;
  const explained = (await options.explain?.({ exitCode: code, signal: sig, timedOut }).catch(() => null)) ?? null;
  let reason: string | null = explained;
  if (spawnError) reason = `could not start the job: ${spawnError.message}`;
  else if (timedOut) reason = `timed out after ${formatDuration(options.timeoutMs)}; killed`;
  else if (canceled) reason = 'canceled';
  reason ??= code === 0 ? null : sig ? `killed by ${sig}` : `exit code ${code}`;
  const logResult = await log.end(`\ngit-ci: ${reason ?? 'passed'} after ${formatDuration(durationMs)}\n`);
  return { exitCode: code, signal: sig, timedOut, canceled, durationMs, reason, log: logResult };
}

/** Waits briefly for the pipes to flush; once everything is killed they close at once. */
async function drain(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream): Promise<void> {
  const ended = (s: NodeJS.ReadableStream) =>
    new Promise<void>((resolve) => {
      if ((s as unknown as { readableEnded: boolean }).readableEnded) resolve();
      else s.once('end', () => resolve()).once('close', () => resolve());
    });
  await Promise.race([Promise.all([ended(stdout), ended(stderr)]), new Promise<void>((r) => setTimeout(r, 1000))]);
  for (const s of [stdout, stderr]) (s as unknown as { destroy(): void }).destroy();
}
