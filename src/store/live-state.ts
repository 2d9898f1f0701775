// What a runner is doing right now, beside its claimed queue entry: which process owns the run,
// each job's state and process group. `git ci status` reads it; recovery uses it after a crash.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobState } from '../pipeline/types.js';
import type { ProcessIdentity } from './process-identity.js';

export interface LiveJob {
  name: string;
  state: JobState;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  pgids: number[];
  workspace: string | null;
  /** The jobs it needs (absent in live states written before this field). */
  needs?: string[];
}

export interface LiveRun {
  version: 1;
  id: string;
  owner: ProcessIdentity;
  startedAt: string;
  jobs: LiveJob[];
}

export function liveStatePath(runningDir: string, id: string): string {
  return path.join(runningDir, `${id}.state.json`);
}

let writes = 0;

/** Replaces the live state atomically, so a reader never sees half a file. */
export async function writeLiveState(runningDir: string, state: LiveRun): Promise<void> {
  const file = liveStatePath(runningDir, state.id);
  const tmp = `${file}.${process.pid}-${++writes}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state));
  await fs.rename(tmp, file);
}

/**
 * A writer that applies snapshots in order and never rejects (live state is advisory).
 * While one write is in flight, later snapshots coalesce into one: the newest wins.
 */
export function liveStateWriter(runningDir: string, onError: (err: Error) => void): (state: LiveRun) => Promise<void> {
  let inFlight: Promise<void> | undefined;
  let next: { snapshot: LiveRun; done: Promise<void> } | undefined;
  const write = (snapshot: LiveRun): Promise<void> =>
    writeLiveState(runningDir, snapshot).catch(onError).finally(() => {
      inFlight = undefined;
    });
  return (state) => {
    const snapshot: LiveRun = JSON.parse(JSON.stringify(state));
    if (!inFlight) return (inFlight = write(snapshot));
    if (next) {
      next.snapshot = snapshot;
      return next.done;
    }
    const queued: { snapshot: LiveRun; done: Promise<void> } = { snapshot, done: Promise.resolve() };
    queued.done = inFlight.then(() => {
      next = undefined;
      return (inFlight = write(queued.snapshot));
    });
    next = queued;
    return queued.done;
  };
}

export async function readLiveState(runningDir: string, id: string): Promise<LiveRun | undefined> {
  try {
    return JSON.parse(await fs.readFile(liveStatePath(runningDir, id), 'utf8')) as LiveRun;
  } catch {
    return undefined;
  }
}
