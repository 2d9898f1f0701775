// The `limits:` of a job: resource ceilings the sandbox applies to its processes.

import { isMap, isScalar, type Node } from 'yaml';
import { childPath } from './config-path.js';
import { findEntry, mapEntries } from './map-entries.js';
import { report, type ParseContext } from './parse-context.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import type { JobLimits } from './types.js';
import { reportUnknownKeys } from './unknown-keys.js';
import { describeNode, showValue } from './yaml-node.js';

/** The keys `limits` may have; anything else is reported as a typo. */
export const LIMIT_KEYS = ['memory', 'procs', 'cpu', 'filesize', 'nofile'] as const;

type LimitKey = (typeof LIMIT_KEYS)[number];

// Each key's reader returns the number to store, or a message saying what was expected.
type LimitReader = (node: Node | undefined) => number | string;

const READERS: Record<LimitKey, { field: keyof JobLimits; read: LimitReader }> = {
  memory: { field: 'memory', read: readSize },
  procs: { field: 'procs', read: readCount },
  cpu: { field: 'cpuSeconds', read: readCpuSeconds },
  filesize: { field: 'filesize', read: readSize },
  nofile: { field: 'nofile', read: readCount },
};

/** Reads `limits` into the limits the job set, reporting unknown keys and values of the wrong kind. */
export function parseLimits(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): JobLimits {
  if (!isMap(node)) {
    report(ctx, line, path, `expected a mapping like { memory: 2G, procs: 512 }, got ${describeNode(node)}`);
    return {};
  }
  const entries = mapEntries(ctx, node, path);
  reportUnknownKeys(ctx, entries, path, LIMIT_KEYS);
  const limits: JobLimits = {};
  for (const key of LIMIT_KEYS) {
    const entry = findEntry(entries, key);
    if (entry === undefined) continue;
    const { field, read } = READERS[key];
    const result = read(entry.value);
    if (typeof result === 'number') limits[field] = result;
    else report(ctx, entry.valueLine, childPath(path, key), result);
  }
  return limits;
}

function readSize(node: Node | undefined): number | string {
  return parseSize(isScalar(node) ? node.value : undefined) ?? `expected a size like 512M or 2G, got ${showValue(node)}`;
}

// Counts accept `512` and `"512"`, as timeouts accept `"90"`.
function readCount(node: Node | undefined): number | string {
  const value = isScalar(node) ? node.value : undefined;
  const count = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    return `expected a whole number of at least 1, got ${showValue(node)}`;
  }
  return Number.isSafeInteger(count) ? count : `must be at most ${Number.MAX_SAFE_INTEGER}, got ${showValue(node)}`;
}

// RLIMIT_CPU counts whole seconds, so a part second rounds up; below one second there is nothing to round to.
function readCpuSeconds(node: Node | undefined): number | string {
  const ms = parseDuration(isScalar(node) ? node.value : undefined);
  if (ms === undefined || !Number.isSafeInteger(Math.ceil(ms / 1_000))) return `expected a duration like 30m, got ${showValue(node)}`;
  if (ms < 1_000) return `must be at least 1s of CPU time, got ${showValue(node)}`;
  return Math.ceil(ms / 1_000);
}
