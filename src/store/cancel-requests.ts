// Cancel requests: `git ci cancel` (or the runner itself, for a superseded run) writes a file
// named after the run into ci/cancel; the runner that owns the queue acts on it, so only the
// runner ever records a run, and a request made while no runner is up waits for the next one.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Repo } from './repo.js';
import { isRunId } from './queue.js';

export interface CancelRequest {
  id: string;
  /** In words, for the run record: "canceled by git ci cancel", "superseded by run …". */
  reason: string;
}

/** Asks the runner to cancel a run (atomic: temp file + rename). */
export async function requestCancel(repo: Repo, id: string, reason: string): Promise<void> {
  await fs.mkdir(repo.paths.cancel, { recursive: true });
  const tmp = path.join(repo.paths.cancel, `.tmp-${id}-${process.pid}`);
  await fs.writeFile(tmp, `${reason.replace(/\n/g, ' ')}\n`);
  await fs.rename(tmp, path.join(repo.paths.cancel, id));
}

export async function listCancelRequests(repo: Repo): Promise<CancelRequest[]> {
  let names: string[];
  try {
    names = await fs.readdir(repo.paths.cancel);
  } catch {
    return [];
  }
  const requests: CancelRequest[] = [];
  for (const id of names.filter(isRunId).sort()) {
    const reason = await fs.readFile(path.join(repo.paths.cancel, id), 'utf8').catch(() => undefined);
    if (reason !== undefined) requests.push({ id, reason: reason.trim() || 'canceled' });
  }
  return requests;
}

export async function clearCancelRequest(repo: Repo, id: string): Promise<void> {
  await fs.rm(path.join(repo.paths.cancel, id), { force: true });
}
