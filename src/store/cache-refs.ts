// The tree-keyed cache: refs/ci/cache/<key> points at the run record (commit) of the run in
// which a pure job with that key passed. A ref per key: a lookup is one ref read, pruning is
// deleting refs, and a clone that fetches refs/ci/* carries the cache with it.
import type { Git } from './git.js';
import { decodeRunRecord, type JobRecord } from '../report/run-record.js';

export const CACHE_PREFIX = 'refs/ci/cache/';

/** The run and job record that passed with this key, when one is recorded. */
export async function lookupCache(git: Git, key: string, job: string): Promise<{ runId: string; job: JobRecord } | undefined> {
  const blob = await git.blob(`${CACHE_PREFIX}${key}:run.json`);
  if (!blob) return undefined;
  const record = decodeRunRecord(blob.toString()).record;
  const hit = record?.jobs.find((j) => j.name === job && j.state === 'passed' && j.cacheKey === key);
  return record && hit ? { runId: record.id, job: hit } : undefined;
}

/** Points each key at the run record that passed it (one git process for all of them). */
export async function writeCacheRefs(git: Git, keys: string[], runCommit: string, runId: string): Promise<void> {
  if (keys.length === 0) return;
  const input = keys.map((key) => `update ${CACHE_PREFIX}${key} ${runCommit}\n`).join('');
  await git.run(['update-ref', '-m', `git-ci: cache entries of run ${runId}`, '--stdin'], { input });
}
