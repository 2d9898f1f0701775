// A job's effective limits: what it asked for, else the server default; never above the
// server's maximum (asking for more is an error that names the setting).
import type { JobLimits } from '../pipeline/types.js';
import { formatSize } from '../pipeline/size.js';
import { formatDuration } from '../pipeline/duration.js';

const SETTING: Record<keyof JobLimits, string> = {
  memory: 'memory',
  procs: 'procs',
  cpuSeconds: 'cpu',
  filesize: 'filesize',
  nofile: 'nofile',
};

function show(key: keyof JobLimits, value: number): string {
  if (key === 'memory' || key === 'filesize') return formatSize(value);
  if (key === 'cpuSeconds') return formatDuration(value * 1000);
  return String(value);
}

export function resolveJobLimits(
  job: string,
  asked: JobLimits,
  max: Required<JobLimits>,
  defaults: Required<JobLimits>,
): { limits: Required<JobLimits>; errors: string[] } {
  const errors: string[] = [];
  const limits = { ...defaults };
  for (const key of Object.keys(SETTING) as (keyof JobLimits)[]) {
    const value = asked[key];
    if (value === undefined) continue;
    if (value > max[key]) {
      errors.push(
        `jobs.${job}.limits.${SETTING[key]}: ${show(key, value)} is above this server's maximum of ${show(key, max[key])} (git config ci.limits.${SETTING[key]})`,
      );
    } else limits[key] = value;
  }
  return { limits, errors };
}

/** A limit in words, for logs and notes: "memory limit 512 MiB". */
export function describeLimit(key: keyof JobLimits, value: number): string {
  return `${SETTING[key]} limit ${show(key, value)}`;
}
