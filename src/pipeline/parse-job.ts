// One job under `jobs:`: its keys checked one by one into a JobSpec.

import { isMap, isScalar, type Node } from 'yaml';
import { childPath } from './config-path.js';
import { findEntry, mapEntries, type MapEntry } from './map-entries.js';
import { parseArtifacts } from './parse-artifacts.js';
import { parseCache } from './parse-cache.js';
import { parseEnv } from './parse-env.js';
import { parseIf } from './parse-if.js';
import { parseInputs } from './parse-inputs.js';
import { parseLimits } from './parse-limits.js';
import { parseNetwork } from './parse-network.js';
import { parseNeeds } from './parse-needs.js';
import { report, warn, type ParseContext } from './parse-context.js';
import { parseReports } from './parse-reports.js';
import { parseRun } from './parse-run.js';
import { parseSecrets } from './parse-secrets.js';
import { parseTimeout } from './parse-timeout.js';
import type { JobSpec } from './types.js';
import { describeNode } from './yaml-node.js';
import { reportUnknownKeys } from './unknown-keys.js';

/** The keys a job may have; anything else is reported as a typo. */
export const JOB_KEYS = [
  'run', 'needs', 'timeout', 'env', 'network', 'limits', 'if', 'cache', 'inputs', 'artifacts', 'reports', 'secrets',
] as const;

// Every optional key's reader has this shape, so parseJob can read them all the same way.
type KeyReader<T> = (ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined) => T;

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
    name, run: [], needs: [], timeoutMs: undefined, env: {}, network: false, limits: {}, if: undefined, cache: false,
    inputs: undefined, artifacts: [], secrets: [], reports: undefined, line: entry.keyLine ?? 1,
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
  const read = <T>(key: string, reader: KeyReader<T>): T | undefined => {
    const found = field(key);
    return found === undefined ? undefined : reader(ctx, childPath(path, key), found.value, found.valueLine);
  };
  spec.timeoutMs = read('timeout', parseTimeout);
  spec.env = read('env', parseEnv) ?? {};
  spec.network = read('network', parseNetwork) ?? false;
  spec.limits = read('limits', parseLimits) ?? {};
  spec.if = read('if', parseIf);
  spec.cache = read('cache', parseCache) ?? false;
  spec.inputs = read('inputs', parseInputs);
  spec.artifacts = read('artifacts', parseArtifacts) ?? [];
  spec.reports = read('reports', parseReports);
  spec.secrets = read('secrets', parseSecrets) ?? [];
  warnInputsWithoutCache(ctx, path, field('inputs'), field('cache'));
  return draft;
}

// Inputs only shape the cache key; a misspelt or forgotten `cache: true` would otherwise go unnoticed.
function warnInputsWithoutCache(ctx: ParseContext, path: string, inputs: MapEntry | undefined, cache: MapEntry | undefined): void {
  if (inputs === undefined) return;
  const cacheOff = cache === undefined || (isScalar(cache.value) && cache.value.value === false);
  if (cacheOff) warn(ctx, inputs.keyLine, childPath(path, 'inputs'), 'has no effect without "cache: true"; inputs only decide the cache key');
}

// `build: make` is the commonest shape mistake; show the fix.
function stringHint(node: Node | undefined): string {
  return describeNode(node) === 'a string' ? '; write the command under "run:"' : '';
}
