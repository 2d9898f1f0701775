// The `jobs:` mapping: job names, each job, then the checks across jobs.

import { isMap } from 'yaml';
import { childPath } from './config-path.js';
import { mapEntries, type MapEntry } from './map-entries.js';
import { report, type ParseContext } from './parse-context.js';
import { reportNeedsCycles } from './needs-cycles.js';
import { parseJob, type JobDraft } from './parse-job.js';
import type { JobSpec } from './types.js';
import { describeNode } from './yaml-node.js';

// Job names become file and ref names, so they stay short and path-safe.
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const EXAMPLE = '(for example: jobs: { build: { run: make } })';

/** Validates `jobs:` and every job in it, returning the jobs in file order. */
export function parseJobs(ctx: ParseContext, entry: MapEntry): JobSpec[] {
  const node = entry.value;
  if (!isMap(node)) {
    const got = describeNode(node);
    const wanted = got === 'null' ? 'at least one job' : 'a mapping of job names to jobs';
    report(ctx, entry.valueLine, 'jobs', `expected ${wanted}, got ${got} ${EXAMPLE}`);
    return [];
  }
  const entries = mapEntries(ctx, node, 'jobs');
  if (entries.length === 0) report(ctx, entry.valueLine, 'jobs', `expected at least one job, got an empty mapping ${EXAMPLE}`);
  const jobNames = new Set(entries.flatMap((job) => (job.key === undefined ? [] : [job.key])));
  const drafts = entries.flatMap((job) => draftJob(ctx, job, jobNames));
  reportNeedsCycles(ctx, drafts);
  return drafts.map((draft) => draft.spec);
}

function draftJob(ctx: ParseContext, entry: MapEntry, jobNames: ReadonlySet<string>): JobDraft[] {
  const name = entry.key;
  if (name === undefined) {
    report(ctx, entry.keyLine, 'jobs', `expected job names as keys, got ${describeNode(entry.keyNode)}`);
    return [];
  }
  if (!JOB_NAME.test(name)) {
    report(ctx, entry.keyLine, childPath('jobs', name),
      'invalid job name; use up to 64 letters, digits, "_", "." and "-", starting with a letter or digit');
  }
  return [parseJob(ctx, name, entry, jobNames)];
}
