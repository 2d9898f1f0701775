// run.json: the full record of one run, stored at refs/ci/runs/<id>. Versioned; readers
// accept what they know and keep going.
import type { JobState, RunState } from './run-state.js';
import { isJobState, isRunState } from './run-state.js';

export const RUN_SCHEMA = 'git-ci/run';
export const RUN_SCHEMA_VERSION = 1;

export type Trigger = 'push' | 'manual' | 'retry' | 'local' | 'recovery';

export interface JobRecord {
  name: string;
  state: JobState;
  needs: string[];
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  timedOut: boolean;
  cached: boolean;
  /** Path of the log inside the run's tree, e.g. logs/build.log; null when the job never started. */
  log: string | null;
  /** Why the job ended as it did, in words (skipped because…, timed out after…). */
  reason: string | null;
  /** Sandbox layers the job ran in (e.g. cgroup-v1, uid-64000, bwrap, rlimits); [] for none. */
  sandbox?: string[];
  /** The limits the job ran with (bytes, counts, CPU seconds). */
  limits?: { memory: number; procs: number; cpuSeconds: number; filesize: number; nofile: number };
  /** What the job used, from its cgroup; null where not measured. */
  usage?: { cpuSeconds: number | null; peakMemoryBytes: number | null; peakPids: number | null };
  /** The limit that stopped the job, if one did. */
  limitHit?: 'memory' | 'procs' | 'cpu' | 'filesize' | 'timeout' | null;
  /** Bytes of output, and whether the log was capped (head and tail kept). */
  logBytes?: number;
  logCapped?: boolean;
  /** A job not run because an earlier run already passed it: that run's id (its result and artifacts are reused). */
  cachedFrom?: string;
  /** The job's cache key (sha256 of its definition and inputs), for `cache: true` jobs. */
  cacheKey?: string;
  /** Test counts from the job's JUnit reports, with the failed tests (at most 50 listed). */
  tests?: { tests: number; passed: number; failed: number; skipped: number; failing: { suite: string; name: string; classname: string; message: string }[]; moreFailing: number } | null;
  /** The stored artifacts: ref, file count and bytes; null when the job stored none. */
  artifacts?: { ref: string; files: number; bytes: number } | null;
}

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  version: typeof RUN_SCHEMA_VERSION;
  id: string;
  commit: string;
  ref: string;
  branch: string;
  trigger: Trigger;
  state: RunState;
  attempt: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Why the run could not run (error) or stopped (canceled). */
  error: string | null;
  /** Every problem found in .git-ci.yml, formatted `file:line: path: message`. */
  problems: string[];
  runner: { host: string; pid: number; version: string; sandbox?: string };
  jobs: JobRecord[];
  /** A canceled run: the newer run of the same branch that superseded it. */
  supersededBy?: string | null;
  /** `git ci retry`: the run this one repeats. */
  retryOf?: string | null;
}

/** The branch (or tag) name a ref stands for: refs/heads/main -> main. */
export function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

export function encodeRunRecord(record: RunRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

/** Parses run.json; returns problems instead of throwing so a damaged record is reported, not fatal. */
export function decodeRunRecord(text: string): { record: RunRecord | undefined; errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { record: undefined, errors: [`run.json: not valid JSON (${(err as Error).message})`] };
  }
  const errors: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { record: undefined, errors: ['run.json: expected an object'] };
  }
  const v = value as Record<string, unknown>;
  if (v.schema !== RUN_SCHEMA) errors.push(`run.json: schema: expected "${RUN_SCHEMA}", got ${JSON.stringify(v.schema)}`);
  if (typeof v.version !== 'number' || v.version > RUN_SCHEMA_VERSION) {
    errors.push(`run.json: version: expected ${RUN_SCHEMA_VERSION} or lower, got ${JSON.stringify(v.version)}`);
  }
  for (const key of ['id', 'commit', 'ref', 'branch', 'queuedAt'] as const) {
    if (typeof v[key] !== 'string') errors.push(`run.json: ${key}: expected a string, got ${typeof v[key]}`);
  }
  if (typeof v.state !== 'string' || !isRunState(v.state)) errors.push(`run.json: state: unknown state ${JSON.stringify(v.state)}`);
  if (!Array.isArray(v.jobs)) errors.push('run.json: jobs: expected a list');
  else {
    v.jobs.forEach((job, i) => {
      const j = job as Record<string, unknown>;
      if (typeof j?.name !== 'string') errors.push(`run.json: jobs[${i}].name: expected a string`);
      if (typeof j?.state !== 'string' || !isJobState(j.state)) errors.push(`run.json: jobs[${i}].state: unknown state ${JSON.stringify(j?.state)}`);
    });
  }
  if (errors.length > 0) return { record: undefined, errors };
  return { record: value as RunRecord, errors };
}
