// Scheduling over the job graph: what may start, what must be skipped, when a run is over.

import type { JobState, Pipeline } from './types.js';

export { findCycles } from './find-cycles.js';

// A need in one of these states can never pass, so its dependents are skipped.
const BLOCKING_STATES: ReadonlySet<JobState> = new Set<JobState>(['failed', 'skipped', 'canceled', 'error']);

/**
 * Tells the runner which pending jobs to start (all needs passed) and which to skip (a need can no longer
 * pass), in file order. Skips cascade as the caller applies them and asks again. A missing state is "pending".
 */
export function nextSteps(pipeline: Pipeline, states: Record<string, JobState>): { start: string[]; skip: string[] } {
  const known = new Set(pipeline.jobs.map((job) => job.name));
  const start: string[] = [];
  const skip: string[] = [];
  for (const job of pipeline.jobs) {
    if (stateOf(states, job.name) !== 'pending') continue;
    const needStates = job.needs.map((need) => (known.has(need) ? stateOf(states, need) : 'error'));
    if (needStates.some((state) => BLOCKING_STATES.has(state))) skip.push(job.name);
    else if (needStates.every((state) => state === 'passed')) start.push(job.name);
  }
  return { start, skip };
}

/** Orders jobs so each comes after its needs, taking the earliest job in file order whenever several are ready. */
export function topologicalOrder(pipeline: Pipeline): string[] {
  const known = new Set(pipeline.jobs.map((job) => job.name));
  const placed = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const ready = pipeline.jobs.find(
      (job) => !placed.has(job.name) && job.needs.every((need) => placed.has(need) || !known.has(need)),
    );
    // Jobs caught in a cycle never become ready; a parsed pipeline has none.
    if (ready === undefined) return order;
    placed.add(ready.name);
    order.push(ready.name);
  }
}

/** Tells whether a run is over: no job is still pending or running. */
export function isFinished(states: Record<string, JobState>): boolean {
  return Object.values(states).every((state) => state !== 'pending' && state !== 'running');
}

function stateOf(states: Record<string, JobState>, name: string): JobState {
  return Object.hasOwn(states, name) ? (states[name] as JobState) : 'pending';
}
