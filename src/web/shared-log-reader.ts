// Following a job's log over Server-Sent Events with one reader a log, whatever the number of
// clients: the reader polls the live file (a positioned read, nothing when nothing was added),
// then what is left of the stored copy, and writes each chunk to every follower as the same
// SSE text (one event a line, its id the byte offset just past it). A follower is at its own
// offset: one that joins behind the reader (late, or resuming with Last-Event-ID) or falls
// behind (a slow client with a full buffer) is fed by catch-up reads of its own until it is
// level, then shares the stream. The reader stops when the last follower leaves or every
// follower has had the `end` event.
import type { Repo } from '../store/repo.js';
import { findJobLog, readLogRange, type LogSource } from './job-log.js';

/** Where a reader gets one job's log (an interface: tests count its reads). */
export interface LogAccess {
  /** Where the log is now; undefined when the run or the job does not exist. */
  find(): Promise<LogSource | undefined>;
  /** Up to `limit` bytes from `offset`; `end` when the source has nothing past them. */
  read(source: LogSource, offset: number, limit: number): Promise<{ bytes: Buffer; end: boolean }>;
  /** The size of a stored log. */
  storedSize(source: Extract<LogSource, { kind: 'stored' }>): Promise<number | undefined>;
  /** What the `end` event says when `find` finds nothing. */
  missing: string;
}

/** A job's log in a repository, for a reader. */
export function repoLogAccess(repo: Repo, runId: string, job: string): LogAccess {
  return {
    find: () => findJobLog(repo, runId, job),
    read: (source, offset, limit) => readLogRange(repo, source, offset, limit),
    storedSize: (source) => repo.git.size(source.rev),
    missing: `no job ${job} in run ${runId}`,
  };
}

/** One client following a log. */
export interface LogFollower {
  /** The next byte it needs (0, or the Last-Event-ID it came back with); the reader moves it. */
  offset: number;
  write(text: string): void;
  /** Bytes written but not yet sent on: past a limit the follower is fed by catch-up reads. */
  backlog(): number;
  /** Called once, after the `end` event was written. */
  end(): void;
}

const CHUNK = 64 * 1024;
const POLL_MS = 150;
// A follower this far behind in sending stops getting the shared stream; it catches up later.
const MAX_BACKLOG = 4 * 1024 * 1024;

/** The SSE events of whole lines (or pieces of a line longer than a chunk) starting at byte `at`. */
export function sseLines(bytes: Buffer, at: number): string {
  let text = '';
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(10, start);
    const stop = nl < 0 ? bytes.length : nl + 1;
    const line = bytes.subarray(start, nl < 0 ? bytes.length : nl).toString('utf8').replace(/\r/g, '');
    text += `id: ${at + stop}\ndata: ${line}\n\n`;
    start = stop;
  }
  return text;
}

/** How much of a fresh read to send now: whole lines while the log can grow, everything once it cannot. */
function cutAt(bytes: Buffer, whole: boolean, limit: number): number {
  if (whole) return bytes.length;
  const cut = bytes.lastIndexOf(10) + 1;
  // A line longer than a chunk goes out in pieces.
  return cut === 0 && bytes.length === limit ? bytes.length : cut;
}

/** One job's log read once for all who follow it. */
export class SharedLogReader {
  /** Followers level with the reader (or ahead of it), fed each chunk it reads. */
  private readonly level = new Set<LogFollower>();
  /** Followers behind it, fed by their own reads until they are level. */
  private readonly behind = new Set<LogFollower>();
  private offset: number;
  private source: LogSource | undefined;
  /** The stored log is read to its end: followers level with it get `end`. */
  private complete = false;
  private running = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly access: LogAccess,
    from: number,
    private readonly stopped: () => void,
  ) {
    this.offset = from;
  }

  get followers(): number {
    return this.level.size + this.behind.size;
  }

  /** Adds a follower; the reader starts if it was not running. */
  join(follower: LogFollower): void {
    if (follower.offset < this.offset) this.behind.add(follower);
    else this.level.add(follower);
    this.wake?.();
    if (!this.running) {
      this.running = true;
      void this.run();
    }
  }

  /** Removes a follower (its client went away); the last one out stops the reader. */
  leave(follower: LogFollower): void {
    this.level.delete(follower);
    this.behind.delete(follower);
    if (this.followers === 0) this.wake?.();
  }

  private async run(): Promise<void> {
    try {
      let idle = true;
      while (this.followers > 0) {
        // Where the log is is looked up again only when the live file had nothing new (the run may
        // have been recorded): a busy log is read without a run lookup each time; a complete one never.
        if (!this.complete && (idle || this.source?.kind !== 'live')) this.source = await this.access.find();
        const source = this.source;
        if (!source) return this.endAll((f) => ({ error: this.access.missing, offset: f.offset }));
        if (source.kind === 'none') {
          // Not started yet: wait; no log at all (a skipped job): say so and end.
          if (source.pending) {
            await this.pause(POLL_MS * 2);
            continue;
          }
          return this.endAll((f) => ({ offset: f.offset, reason: source.reason }));
        }
        // Recorded, and the reader has every byte already (it read the live file): no read.
        if (source.kind === 'stored' && !this.complete && (await this.access.storedSize(source)) === this.offset) this.complete = true;
        let more = await this.feedBehind(source);
        if (this.complete) {
          for (const f of this.level) this.finish(f, { offset: f.offset });
        } else {
          const { bytes, end } = await this.access.read(source, this.offset, CHUNK);
          idle = bytes.length === 0;
          const cut = cutAt(bytes, source.kind === 'stored' && end, CHUNK);
          this.broadcast(bytes.subarray(0, cut));
          if (source.kind === 'stored' && end) this.complete = true;
          else if (bytes.length === CHUNK && cut > 0) more = true;
        }
        if (!more && this.followers > 0) await this.pause(POLL_MS);
      }
    } catch (err) {
      this.endAll((f) => ({ error: `could not read the log: ${(err as Error).message}`, offset: f.offset }));
    } finally {
      // In the same tick as the last check: a follower that comes after gets a new reader.
      this.running = false;
      this.stopped();
    }
  }

  /** Writes a chunk that starts at the reader's offset to every level follower; one SSE text for all. */
  private broadcast(bytes: Buffer): void {
    const start = this.offset;
    this.offset += bytes.length;
    if (bytes.length === 0) return;
    const text = sseLines(bytes, start);
    for (const f of this.level) {
      if (f.offset >= this.offset) continue;
      if (f.backlog() > MAX_BACKLOG) {
        // Too slow to take the stream now: it catches up by its own reads once it has sent on.
        this.level.delete(f);
        this.behind.add(f);
        continue;
      }
      // Ahead of the reader (it resumed past where the reader started): only what it lacks.
      f.write(f.offset === start ? text : sseLines(bytes.subarray(f.offset - start), f.offset));
      f.offset = this.offset;
    }
  }

  /** One catch-up read for each follower behind the reader; true when one got bytes and is still behind. */
  private async feedBehind(source: LogSource): Promise<boolean> {
    let more = false;
    for (const f of [...this.behind]) {
      if (f.backlog() > MAX_BACKLOG) continue;
      if (f.offset < this.offset) {
        const { bytes } = await this.access.read(source, f.offset, Math.min(CHUNK, this.offset - f.offset));
        if (!this.behind.has(f)) continue; // it left meanwhile
        // Up to the reader's offset the bytes are final (the reader cut there); before it, whole lines.
        const cut = cutAt(bytes, f.offset + bytes.length === this.offset, Math.min(CHUNK, this.offset - f.offset));
        if (cut > 0) f.write(sseLines(bytes.subarray(0, cut), f.offset));
        f.offset += cut;
        if (cut > 0 && f.offset < this.offset) more = true;
      }
      if (f.offset >= this.offset) {
        this.behind.delete(f);
        if (this.complete) this.finish(f, { offset: f.offset });
        else this.level.add(f);
      }
    }
    return more;
  }

  private endAll(data: (f: LogFollower) => object): void {
    for (const f of [...this.level, ...this.behind]) this.finish(f, data(f));
  }

  private finish(f: LogFollower, data: object): void {
    this.level.delete(f);
    this.behind.delete(f);
    f.write(`event: end\ndata: ${JSON.stringify(data)}\n\n`);
    f.end();
  }

  /** Waits `ms`, or less when a follower joins or the last one leaves. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/** The shared readers of a server, one per followed (repository, run, job). */
export class SharedLogReaders {
  private readonly readers = new Map<string, SharedLogReader>();

  /** Adds a follower to the reader of `key`, started with `access()` when there is none; returns its leave. */
  follow(key: string, access: () => LogAccess, follower: LogFollower): () => void {
    let reader = this.readers.get(key);
    if (!reader) {
      const created: SharedLogReader = new SharedLogReader(access(), follower.offset, () => {
        if (this.readers.get(key) === created) this.readers.delete(key);
      });
      this.readers.set(key, (reader = created));
    }
    const joined = reader;
    joined.join(follower);
    return () => joined.leave(follower);
  }

  /** How many readers run now (one a followed log, however many follow it). */
  get size(): number {
    return this.readers.size;
  }
}
