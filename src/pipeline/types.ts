// The validated shape of a .git-ci.yml: what the runner plans and runs.

import type { Condition } from './condition.js';

export interface JobSpec {
  name: string;
  /** Commands run in order in the job's workspace; the job fails at the first non-zero exit. */
  run: string[];
  /** Names of jobs that must pass before this one starts. */
  needs: string[];
  /** Job timeout in milliseconds; undefined means "use the server default" (ci.timeout). */
  timeoutMs: number | undefined;
  env: Record<string, string>;
  /** Whether the job's commands may use the network; default false. */
  network: boolean;
  /** Resource ceilings for the job's processes; only the keys the job set. */
  limits: JobLimits;
  /** The job runs only when this holds for the run's branch, tag and event; undefined means always. */
  if: Condition | undefined;
  /** Whether a passed result is reused when the job's cache key (cache-key.ts) is unchanged; default false. */
  cache: boolean;
  /** Repository paths (no globs, no trailing "/") the cache key covers; undefined means the whole commit tree. */
  inputs: string[] | undefined;
  /** Workspace globs (glob.ts) of the files kept after the job; default []. */
  artifacts: string[];
  /** Names of the secrets the job receives; their values never appear in the file; default []. */
  secrets: string[];
  /** Test reports the job writes, as workspace globs; undefined when the job has none. */
  reports: JobReports | undefined;
  /** 1-based line of the job's key in the file, for messages. */
  line: number;
}

/** Per-job resource ceilings from `limits:`; a missing key means "the server default". */
export interface JobLimits {
  /** Bytes of memory. */
  memory?: number;
  /** Processes and threads the job may have at once. */
  procs?: number;
  /** CPU time in whole seconds. */
  cpuSeconds?: number;
  /** Bytes: the largest file the job may write. */
  filesize?: number;
  /** Open files. */
  nofile?: number;
}

/** The `reports:` of a job: which files hold its test results, by format. */
export interface JobReports {
  /** Workspace globs of JUnit XML files. */
  junit: string[];
}

export interface Pipeline {
  /** Jobs in file order. */
  jobs: JobSpec[];
  /** Branch patterns; `!` negates; the last matching pattern wins; default ["*"]. */
  branches: string[];
  /** Whether a newer push to the same branch cancels this run's jobs that have not finished; default true. */
  cancelSuperseded: boolean;
}

export interface ConfigProblem {
  /** 1-based line, when the problem points at a place in the file. */
  line: number | undefined;
  /** Dotted path of the key: `jobs.test.needs[0]`, or "" for the document. */
  path: string;
  message: string;
}

export interface ParseResult {
  /** Present only when there are no errors. */
  pipeline: Pipeline | undefined;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** The state of one job inside a run. */
export type JobState = 'pending' | 'running' | 'passed' | 'failed' | 'skipped' | 'canceled' | 'error';
