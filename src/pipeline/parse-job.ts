// One job under `jobs:`: its keys checked one by one into a JobSpec.

import { isMap, type Node } from 'yaml';
import { childPath } from './config-path.js';
import { findEntry, mapEntries, type MapEntry } from './map-entries.js';
import { parseEnv } from './parse-env.js';
import { parseLimits } from './parse-limits.js';
import { parseNetwork } from './parse-network.js';
import { parseNeeds } from './parse-needs.js';
import { report, type ParseContext } from './parse-context.js';
import { parseRun } from './parse-run.js';
import { parseTimeout } from './parse-timeout.js';
import type { JobSpec } from './types.js';
import { describeNode } from './yaml-node.js';
import { reportUnknownKeys } from './unknown-keys.js';

/** The keys a job may have; anything else is reported as a typo. */
export const JOB_KEYS = ['run', 'needs', 'timeout', 'env', 'network', 'limits'] as const;

/** A job as parsed, with where its needs were written, for the cycle check across jobs. */
export interface JobDraft {
  spec: JobSpec;
  needsPath: string;
  needsLine: number | undefined;
}

/** Validates one job's mapping; always returns a draft so the cycle check still runs after local errors. */
export function parseJob(ctx: ParseContext, name: string, entry: MapEntry, jobNames: ReadonlySet<string>): JobDraft {
  const path = childPath('jobs', name);
  const spec: JobSpec = {
    name, run: [], needs: [], timeoutMs: undefined, env: {}, network: false, limits: {}, line: entry.keyLine ?? 1,
  };
  const draft: JobDraft = { spec, needsPath: childPath(path, 'needs'), needsLine: entry.keyLine };
  if (!isMap(entry.value)) {
    report(ctx, entry.valueLine, path, `expected a mapping with a "run" key, got ${describeNode(entry.value)}${stringHint(entry.value)}`);
    return draft;
  }
  const entries = mapEntries(ctx, entry.value, path);
  reportUnknownKeys(ctx, entries, path, JOB_KEYS);
  const field = (key: string) => findEntry(entries, key);
  const run = field('run');
  if (run === undefined) report(ctx, entry.keyLine, path, 'missing required key "run" (the commands to run)');
  else spec.run = parseRun(ctx, childPath(path, 'run'), run.value, run.valueLine);
  const needs = field('needs');
  if (needs !== undefined) {
    spec.needs = parseNeeds(ctx, draft.needsPath, needs.value, needs.valueLine, jobNames);
    draft.needsLine = needs.keyLine;
  }
  const timeout = field('timeout');
  if (timeout !== undefined) spec.timeoutMs = parseTimeout(ctx, childPath(path, 'timeout'), timeout.value, timeout.valueLine);
  const env = field('env');
  if (env !== undefined) spec.env = parseEnv(ctx, childPath(path, 'env'), env.value, env.valueLine);
  const network = field('network');
  if (network !== undefined) spec.network = parseNetwork(ctx, childPath(path, 'network'), network.value, network.valueLine);
  const limits = field('limits');
  if (limits !== undefined) spec.limits = parseLimits(ctx, childPath(path, 'limits'), limits.value, limits.valueLine);
  return draft;
}

// `build: make` is the commonest shape mistake; show the fix.
function stringHint(node: Node | undefined): string {
  return describeNode(node) === 'a string' ? '; write the command under "run:"' : '';
}
