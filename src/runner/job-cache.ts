// Cache keys of pure jobs (`cache: true`): sha256 of the job's definition, the git ids of its
// inputs in the commit (git has hashed every tree already: a lookup in cat-file), and what it
// gets from the jobs it needs (their keys, or the tree of their artifacts).
import { createHash } from 'node:crypto';
import type { Git } from '../store/git.js';
import type { JobSpec } from '../pipeline/types.js';
import { cacheKeyMaterial, WHOLE_TREE_INPUT } from '../pipeline/cache-key.js';
import type { JobRecord } from '../report/run-record.js';

/** The object id of each input path in the commit (the whole tree when the job names none); absent paths are left out. */
export async function inputTreeIds(git: Git, commit: string, spec: JobSpec): Promise<Record<string, string>> {
  if (spec.inputs === undefined) {
    const tree = await git.oid(`${commit}^{tree}`);
    return tree ? { [WHOLE_TREE_INPUT]: tree } : {};
  }
  const ids: Record<string, string> = {};
  // Each path through the long-lived cat-file reader: no git process per key.
  for (const input of spec.inputs) {
    const oid = await git.oid(`${commit}:${input}`);
    if (oid) ids[input] = oid;
  }
  return ids;
}

/**
 * What a job gets from a job it needs: a pure one is named by its key; another one only passes
 * its artifacts on, so the tree of those (content-addressed) is all that matters; none: "none".
 */
export async function neededKey(git: Git, job: JobRecord): Promise<string> {
  if (job.cacheKey) return `key:${job.cacheKey}`;
  if (!job.artifacts) return 'artifacts:none';
  return `artifacts:${(await git.oid(`${job.artifacts.ref}^{tree}`)) ?? 'missing'}`;
}

export async function cacheKeyOf(git: Git, commit: string, spec: JobSpec, needed: JobRecord[]): Promise<string> {
  const neededKeys: Record<string, string> = {};
  for (const job of needed) neededKeys[job.name] = await neededKey(git, job);
  const material = cacheKeyMaterial(spec, await inputTreeIds(git, commit, spec), neededKeys);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
