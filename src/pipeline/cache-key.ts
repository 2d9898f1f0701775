// The cache key of a job: a canonical text of everything that decides its result.
//
// pipeline/ does no crypto: the caller hashes the text (sha256 of its UTF-8 bytes, hex) into the key. The text
// starts with a version line, so changing what goes into it changes every key instead of reusing stale results.
// Left out on purpose: `if` (decides whether the job runs, not what it produces), `cache` and `line`.

import type { JobSpec } from './types.js';

/** The first line of the material; bump it whenever the lines below change meaning. */
export const CACHE_KEY_VERSION = 'git-ci cache v1';

/** The input path that stands for the whole commit tree, when the job sets no `inputs`. */
export const WHOLE_TREE_INPUT = '.';

/**
 * Describes a job's result-defining parts, one `field value` line each with JSON values, keys and unordered lists
 * sorted, so equal jobs give byte-equal text. `inputTreeIds` maps each of `spec.inputs` (or "." for the whole
 * commit tree when inputs is undefined) to its git object id in the commit; a path the commit lacks is left out and
 * recorded as absent. `neededKeys` maps each job of `spec.needs` to its own cache key; a missing one is a caller
 * bug and throws, since guessing would let a stale result pass.
 */
export function cacheKeyMaterial(spec: JobSpec, inputTreeIds: Record<string, string>, neededKeys: Record<string, string>): string {
  const lines = [
    CACHE_KEY_VERSION,
    `name ${JSON.stringify(spec.name)}`,
    `run ${canonicalJson(spec.run)}`,
    `env ${canonicalJson(spec.env)}`,
    `network ${spec.network}`,
    `limits ${canonicalJson(spec.limits)}`,
    `timeout ${spec.timeoutMs ?? 'default'}`,
    `artifacts ${canonicalJson(sorted(spec.artifacts))}`,
    `secrets ${canonicalJson(sorted(spec.secrets))}`,
    `reports ${spec.reports === undefined ? 'none' : canonicalJson({ junit: sorted(spec.reports.junit) })}`,
  ];
  for (const path of sorted(spec.inputs ?? [WHOLE_TREE_INPUT])) {
    const id = Object.hasOwn(inputTreeIds, path) ? JSON.stringify(inputTreeIds[path]) : 'absent';
    lines.push(`input ${JSON.stringify(path)} ${id}`);
  }
  for (const need of sorted(spec.needs)) {
    if (!Object.hasOwn(neededKeys, need)) throw new Error(`cacheKeyMaterial: no cache key given for job "${need}", which ${spec.name} needs`);
    lines.push(`need ${JSON.stringify(need)} ${JSON.stringify(neededKeys[need])}`);
  }
  return `${lines.join('\n')}\n`;
}

// Code-unit order, not localeCompare: the key must not depend on the machine's locale.
function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

// JSON with object keys in code-unit order and undefined members dropped; JSON.stringify alone keeps insertion order.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
