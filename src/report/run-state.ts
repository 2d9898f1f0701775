// Run states and how they read: shared by notes, run.json and every printer.
import type { JobState } from '../pipeline/types.js';

export type { JobState };

/** Final states are written to notes; queued/running exist only while the runner works. */
export type RunState = 'queued' | 'running' | 'passed' | 'failed' | 'error' | 'canceled';

export const FINAL_RUN_STATES: readonly RunState[] = ['passed', 'failed', 'error', 'canceled'];
export const RUN_STATES: readonly RunState[] = ['queued', 'running', ...FINAL_RUN_STATES];
export const JOB_STATES: readonly JobState[] = ['pending', 'running', 'passed', 'failed', 'skipped', 'canceled', 'error'];

export function isRunState(value: string): value is RunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}

/** The run's overall state from its jobs, once none is pending or running. */
export function runStateFromJobs(states: JobState[]): RunState {
  if (states.includes('error')) return 'error';
  if (states.includes('canceled')) return 'canceled';
  // A job skipped because a need failed comes with that failure; one skipped by its `if:` or by
  // `git ci run --job` is no failure of the run.
  if (states.includes('failed')) return 'failed';
  return 'passed';
}

/** Exit codes of `git ci status`: 0 passed, 1 failed/error/canceled, 2 queued/running, 3 nothing recorded. */
export function statusExitCode(state: RunState | undefined): number {
  if (state === undefined) return 3;
  if (state === 'passed') return 0;
  if (state === 'queued' || state === 'running') return 2;
  return 1;
}
