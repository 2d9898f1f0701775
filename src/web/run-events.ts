// Run state changes of a repository as events, for `GET /api/<repo>/events` (SSE): a run
// queued, started, a job's state changed, a run recorded. One poller a repository, shared by
// every client, running only while someone listens: each look is two folder listings and the
// live state of running runs; a run that leaves them is read from its record.
import type { Repo } from '../store/repo.js';
import { listQueued, listRunning } from '../store/queue.js';
import { readLiveState } from '../store/live-state.js';
import { readRunRecord } from '../store/runs.js';

export interface RunEvent {
  /** A number that grows by one an event: a client resumes after the last it saw. */
  seq: number;
  type: 'queued' | 'running' | 'job' | 'recorded' | 'gone';
  run: string;
  commit: string;
  ref: string;
  job?: string;
  state: string;
}

const POLL_MS = 250;
const KEEP = 1000;

/** The events of one repository, with the last KEEP kept for clients that reconnect. */
export class RunEvents {
  private seq = 0;
  private readonly recent: RunEvent[] = [];
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private known = new Map<string, { state: string; commit: string; ref: string; jobs: Map<string, string> }>();
  private timer: NodeJS.Timeout | undefined;
  private looking = false;
  private primed = false;

  constructor(private readonly repo: Repo) {}

  /** Listens; the events after `after` still kept are replayed first. False: `after` is too old (refetch). */
  subscribe(listener: (e: RunEvent) => void, after?: number): { replayed: boolean; stop: () => void } {
    let replayed = true;
    if (after !== undefined && after !== this.seq) {
      const oldest = this.recent[0]?.seq ?? this.seq + 1;
      // Older than what is kept, or from before this server started: the client refetches.
      if (after > this.seq || after + 1 < oldest) replayed = false;
      else for (const e of this.recent) if (e.seq > after) listener(e);
    }
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.look(), POLL_MS);
      void this.look();
    }
    return {
      replayed,
      stop: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
          // What changed while nobody listened is not replayed: the next listener starts afresh.
          this.primed = false;
        }
      },
    };
  }

  /** The sequence number of the newest event. */
  get last(): number {
    return this.seq;
  }

  private async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const [queued, running] = await Promise.all([listQueued(this.repo), listRunning(this.repo)]);
      const now = new Map<string, { state: string; commit: string; ref: string; jobs: Map<string, string> }>();
      for (const e of queued) now.set(e.id, { state: 'queued', commit: e.commit, ref: e.ref, jobs: new Map() });
      const lives = await Promise.all(running.map((e) => readLiveState(this.repo.paths.running, e.id)));
      for (const [i, e] of running.entries()) now.set(e.id, { state: 'running', commit: e.commit, ref: e.ref, jobs: new Map((lives[i]?.jobs ?? []).map((j) => [j.name, j.state])) });
      // The first look only learns what is there: a client asks the API for the present.
      if (this.primed) {
        for (const [id, run] of now) {
          const before = this.known.get(id);
          if (!before || before.state !== run.state) this.emit({ type: run.state as 'queued' | 'running', run: id, commit: run.commit, ref: run.ref, state: run.state });
          for (const [job, state] of run.jobs) if (before?.jobs.get(job) !== state) this.emit({ type: 'job', run: id, commit: run.commit, ref: run.ref, job, state });
        }
        for (const [id, run] of this.known) {
          if (now.has(id)) continue;
          const record = await readRunRecord(this.repo.git, id).catch(() => undefined);
          this.emit({ type: record ? 'recorded' : 'gone', run: id, commit: run.commit, ref: run.ref, state: record?.state ?? 'gone' });
        }
      }
      this.known = now;
      this.primed = true;
    } finally {
      this.looking = false;
    }
  }

  private emit(event: Omit<RunEvent, 'seq'>): void {
    const e = { seq: ++this.seq, ...event };
    this.recent.push(e);
    if (this.recent.length > KEEP) this.recent.shift();
    for (const listener of this.listeners) listener(e);
  }
}
