// Following a job's log over Server-Sent Events: one event a line, its id the byte offset just
// past it, so a client that reconnects with Last-Event-ID resumes exactly there. Polls the
// live file while the job runs (a positioned read, nothing when nothing was added), then sends
// what is left of the stored copy and an `end` event.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Repo } from '../store/repo.js';
import { findJobLog, readLogRange } from './job-log.js';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

const CHUNK = 64 * 1024;
const POLL_MS = 150;

/** Sends the log from byte `from` until the job's log is complete or `stop` aborts. */
export async function followJobLog(repo: Repo, runId: string, job: string, from: number, send: (e: SseEvent[]) => void, stop: AbortSignal): Promise<void> {
  let offset = from;
  let source: Awaited<ReturnType<typeof findJobLog>>;
  let idle = true;
  while (!stop.aborted) {
    // Where the log is is looked up again only when the live file had nothing new (the run may
    // have been recorded): a busy log is read without a run lookup each time.
    if (idle || source?.kind !== 'live') source = await findJobLog(repo, runId, job);
    if (!source) {
      send([{ event: 'end', data: JSON.stringify({ error: `no job ${job} in run ${runId}` }) }]);
      return;
    }
    // Recorded, and the follower has every byte already (it read the live file): done, no read.
    if (source.kind === 'stored' && (await repo.git.size(source.rev)) === offset) {
      send([{ event: 'end', data: JSON.stringify({ offset }) }]);
      return;
    }
    if (source.kind === 'none') {
      // Not started yet: wait; no log at all (a skipped job): say so and end.
      if (source.pending) {
        await sleep(POLL_MS * 2, undefined, { signal: stop }).catch(() => undefined);
        continue;
      }
      send([{ event: 'end', data: JSON.stringify({ offset, reason: source.reason }) }]);
      return;
    }
    const { bytes, end } = await readLogRange(repo, source, offset, CHUNK);
    idle = bytes.length === 0;
    // Whole lines only while the file can still grow; the rest of a stored log as it is.
    let cut = bytes.lastIndexOf(10) + 1;
    if (source.kind === 'stored' && end) cut = bytes.length;
    // A line longer than a chunk goes out in pieces.
    if (cut === 0 && bytes.length === CHUNK) cut = bytes.length;
    // One write a chunk, not one a line: 50 followers of a 10,000-line log are 500,000 lines.
    const batch: SseEvent[] = [];
    let start = 0;
    while (start < cut) {
      const nl = bytes.indexOf(10, start);
      const stop = nl < 0 || nl >= cut ? cut : nl + 1;
      const line = bytes.subarray(start, nl < 0 || nl >= cut ? cut : nl).toString('utf8').replace(/\r/g, '');
      offset += stop - start;
      batch.push({ id: String(offset), data: line });
      start = stop;
    }
    if (source.kind === 'stored' && end) {
      send([...batch, { event: 'end', data: JSON.stringify({ offset }) }]);
      return;
    }
    if (batch.length > 0) send(batch);
    if (bytes.length < CHUNK || cut === 0) await sleep(POLL_MS, undefined, { signal: stop }).catch(() => undefined);
  }
}
