// GET /<repo>/runs/<id>/artifacts/<job>.tar.gz: a job's artifacts as a gzipped tar made on the fly
// from their git tree: restored into a temporary folder (as `git ci artifacts --tar` does),
// streamed out through tar, the folder removed once the response ends.
import http from 'node:http';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import type { Repo } from '../store/repo.js';
import { ARTIFACTS_PREFIX, artifactsRef, restoreArtifacts } from '../store/artifacts.js';
import { readRunRecord } from '../store/runs.js';
import { isRunId } from '../store/queue.js';
import { isSafeJobName } from './api.js';

/** The artifacts ref of a run's job (a cached job's may be its source run's); undefined when it stored none. */
export async function findArtifactsRef(repo: Repo, runId: string, job: string): Promise<string | undefined> {
  const record = await readRunRecord(repo.git, runId).catch(() => undefined);
  const recorded = record?.jobs.find((j) => j.name === job)?.artifacts?.ref;
  const candidates = [recorded, artifactsRef(runId, job)].filter((r): r is string => typeof r === 'string' && isArtifactsRef(r));
  for (const ref of candidates) if (await repo.git.oid(`${ref}^{tree}`)) return ref;
  return undefined;
}

function isArtifactsRef(ref: string): boolean {
  if (!ref.startsWith(ARTIFACTS_PREFIX)) return false;
  const [id, job, ...rest] = ref.slice(ARTIFACTS_PREFIX.length).split('/');
  return rest.length === 0 && isRunId(id ?? '') && isSafeJobName(job ?? '');
}

/** Streams the artifacts under `ref` as <job>.tar.gz (false, nothing sent, when none could be restored); the temporary folder is removed afterwards. */
export async function sendArtifactsTar(repo: Repo, ref: string, job: string, res: http.ServerResponse): Promise<boolean> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-serve-tar-'));
  const cleanup = () => fs.rm(tmp, { recursive: true, force: true });
  try {
    await restoreArtifacts(repo.git, ref, tmp);
    // Top-level entries, not ".": a "./" entry would carry the temp folder's 0700 mode.
    const entries = (await fs.readdir(tmp)).sort();
    if (entries.length === 0) return false;
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-disposition': `attachment; filename="${job}.tar.gz"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const stream = tar.c({ gzip: true, cwd: tmp, portable: true }, entries);
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      res.on('close', resolve);
      stream.pipe(res);
    });
    return true;
  } finally {
    await cleanup();
  }
}
