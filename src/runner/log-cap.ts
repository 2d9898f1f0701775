// A job's log file capped at ci.maxLogBytes: the head and, at the end, the tail of the output
// are kept, the middle is dropped and replaced by one marker line, and memory stays flat
// however much the job prints.
//
// Lifecycle of the file:
//   1. Output is appended live (readers tailing the file see it at once) while the total
//      stays <= maxBytes.
//   2. The first write that would take the total past maxBytes caps the log: the file is cut
//      back to the head (ftruncate) and from then on only the most recent `tailBytes` live in
//      a fixed ring buffer. Readers tailing the file see it SHRINK at that moment (size < their
//      offset) and must re-read from the start; it then grows no more until the job ends.
//      Cutting at once (not at end) keeps that shrink visible for the rest of the job.
//   3. end(): marker line + ring contents + trailer are appended, and the fd is closed.
// Final file when capped: head + marker + tail (<= maxBytes unless the marker outgrows its
// allowance) + trailer. This object must be the file's only writer while it is open.
import { closeSync, close, fstatSync, ftruncate, openSync, write } from 'node:fs';
import { Writable } from 'node:stream';

/** Default of ci.maxLogBytes. */
export const DEFAULT_MAX_LOG_BYTES = 16 * 1024 * 1024;

export interface CappedLogOptions {
  path: string;
  maxBytes: number;
  /** bytes of the head kept in the file; default maxBytes/2 */
  headBytes?: number;
}

export interface CappedLogResult {
  /** Output bytes accepted (marker and trailer not included). */
  totalBytes: number;
  /** Output bytes left in the file: all of them, or head + tail when capped. */
  writtenBytes: number;
  /** totalBytes - writtenBytes. */
  droppedBytes: number;
  capped: boolean;
}

/** Room reserved for the marker line so head + marker + tail stays within maxBytes. */
const MARKER_ALLOWANCE = 256;
/** Small writes are copied into one batch buffer of this size: one fs write per batch. */
const BATCH_BYTES = 64 * 1024;

interface FileOp {
  /** Position in the queue; ops complete in this order. */
  index: number;
  /** Bytes to append, `used` of them valid; or null for a truncate. */
  data: Buffer | null;
  used: number;
  truncateTo: number;
}

// Keeps the last `size` bytes pushed into it in one Buffer allocated once.
class TailRing {
  private readonly buffer: Buffer;
  private next = 0;
  private full = false;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  get length(): number {
    return this.full ? this.size : this.next;
  }

  push(bytes: Buffer): void {
    if (bytes.length >= this.size) {
      bytes.copy(this.buffer, 0, bytes.length - this.size);
      this.next = 0;
      this.full = true;
      return;
    }
    const first = Math.min(bytes.length, this.size - this.next);
    bytes.copy(this.buffer, this.next, 0, first);
    if (first < bytes.length) bytes.copy(this.buffer, 0, first);
    const end = this.next + bytes.length;
    if (end >= this.size) this.full = true;
    this.next = end % this.size;
  }

  /** Contents oldest first, as views (valid until the next push). */
  parts(): Buffer[] {
    if (!this.full) return [this.buffer.subarray(0, this.next)];
    return [this.buffer.subarray(this.next), this.buffer.subarray(0, this.next)];
  }
}

/** The runner's log sink for one job: live while small, head + tail once past ci.maxLogBytes. */
export class CappedLog {
  /** A view to pipe child stdout/stderr into; its callbacks wait for the disk (backpressure).
   *  With several sources use `pipe(log.writable, { end: false })`; ending it only flushes,
   *  end() closes the log. It never emits an error: a failing disk surfaces in end(). */
  readonly writable: Writable;

  private readonly path: string;
  private readonly maxBytes: number;
  private readonly headBytes: number;
  private readonly tailBytes: number;
  /** Stream position from which bytes are mirrored into the ring (they may end up in the tail). */
  private readonly tailStart: number;
  private readonly fd: number;
  /** File size at open: the log appends after what was already there. */
  private readonly base: number;

  private total = 0;
  private capped = false;
  private ring: TailRing | null = null;

  private readonly ops: FileOp[] = [];
  private batch: FileOp | null = null;
  private nextIndex = 0;
  private doneIndex = -1;
  private pumping = false;
  private failure: Error | null = null;
  private readonly waiters: Array<{ index: number; resolve: () => void }> = [];

  private endCalled = false;
  private intakeOpen = true;
  private ending: Promise<CappedLogResult> | null = null;
  private readonly settleWaiters: Array<() => void> = [];

  constructor(options: CappedLogOptions) {
    const { path, maxBytes } = options;
    const headBytes = options.headBytes ?? Math.floor(maxBytes / 2);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`CappedLog: maxBytes must be a positive integer, got ${String(maxBytes)} (${typeof maxBytes})`);
    }
    if (!Number.isSafeInteger(headBytes) || headBytes < 0 || headBytes > maxBytes) {
      throw new RangeError(`CappedLog: headBytes must be an integer from 0 to maxBytes (${maxBytes}), got ${String(headBytes)} (${typeof headBytes})`);
    }
    this.path = path;
    this.maxBytes = maxBytes;
    this.headBytes = headBytes;
    this.tailBytes = Math.max(0, maxBytes - headBytes - MARKER_ALLOWANCE);
    this.tailStart = maxBytes - this.tailBytes;
    this.fd = openSync(path, 'a');
    try {
      this.base = fstatSync(this.fd).size;
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
    this.writable = new Writable({
      highWaterMark: BATCH_BYTES,
      write: (chunk: Buffer, _encoding, callback) => this.writeFromStream(chunk, callback),
      final: (callback) => void this.flushed().then(() => callback()),
    });
  }

  /** Accepts output now (copied; the caller may reuse the chunk); ignored once end() was called. */
  write(chunk: Buffer | string): void {
    if (this.endCalled || !this.intakeOpen) return;
    if (typeof chunk === 'string') this.accept(Buffer.from(chunk, 'utf8'), true);
    else this.accept(chunk, false);
  }

  /** Resolves when all accepted bytes are on disk. */
  end(trailer?: string): Promise<CappedLogResult> {
    this.endCalled = true;
    this.ending ??= this.finish(trailer);
    return this.ending;
  }

  private async finish(trailer: string | undefined): Promise<CappedLogResult> {
    // Chunks a source already handed to `writable` belong to the log (e.g. the last output of
    // a child that has just exited), so they are accepted before the intake closes.
    if (this.writable.writableLength > 0) await new Promise<void>((resolve) => this.settleWaiters.push(resolve));
    this.intakeOpen = false;
    const tail = this.ring?.length ?? 0;
    const written = this.capped ? this.headBytes + tail : this.total;
    const result: CappedLogResult = { totalBytes: this.total, writtenBytes: written, droppedBytes: this.total - written, capped: this.capped };
    if (this.capped) {
      this.enqueueBytes(Buffer.from(markerLine(this.maxBytes, result.droppedBytes, tail), 'utf8'), true);
      for (const part of this.ring?.parts() ?? []) this.enqueueBytes(part, true);
    }
    if (trailer) this.enqueueBytes(Buffer.from(trailer, 'utf8'), true);
    await this.flushed();
    this.ring = null;
    await new Promise<void>((resolve) => close(this.fd, (error) => {
      if (error && !this.failure) this.failure = this.wrapError(error);
      resolve();
    }));
    if (this.failure) throw this.failure;
    return result;
  }

  private writeFromStream(chunk: Buffer, callback: () => void): void {
    if (!this.intakeOpen) {
      callback();
      return;
    }
    const target = this.accept(chunk, true);
    this.whenDone(target, () => {
      callback();
      this.checkStreamSettled();
    });
  }

  private checkStreamSettled(): void {
    if (this.settleWaiters.length === 0 || this.writable.writableLength > 0) return;
    for (const resolve of this.settleWaiters.splice(0)) resolve();
  }

  /** Routes one chunk to the file and/or the ring; returns the op index to wait for (-1: none). */
  private accept(chunk: Buffer, owned: boolean): number {
    const start = this.total;
    const length = chunk.length;
    if (length === 0) return -1;
    this.total += length;
    let target = -1;
    if (!this.capped) {
      if (this.total <= this.maxBytes) {
        target = this.enqueueBytes(chunk, owned);
      } else {
        this.capped = true;
        if (start < this.headBytes) target = this.enqueueBytes(chunk.subarray(0, this.headBytes - start), false);
        if (start > this.headBytes) target = this.enqueue({ index: 0, data: null, used: 0, truncateTo: this.base + this.headBytes });
      }
    }
    if (this.total > this.tailStart && this.tailBytes > 0) {
      this.ring ??= new TailRing(this.tailBytes);
      this.ring.push(chunk.subarray(Math.max(0, this.tailStart - start)));
    }
    return target;
  }

  /** Queues bytes for appending, small ones batched; returns the index of the op holding the last byte. */
  private enqueueBytes(bytes: Buffer, owned: boolean): number {
    if (bytes.length === 0) return -1;
    if (bytes.length >= BATCH_BYTES) {
      return this.enqueue({ index: 0, data: owned ? bytes : Buffer.from(bytes), used: bytes.length, truncateTo: 0 });
    }
    let offset = 0;
    while (offset < bytes.length) {
      if (!this.batch || this.batch.used === BATCH_BYTES) {
        this.sealBatch();
        this.batch = { index: this.nextIndex++, data: Buffer.allocUnsafe(BATCH_BYTES), used: 0, truncateTo: 0 };
      }
      const copied = bytes.copy(this.batch.data!, this.batch.used, offset);
      this.batch.used += copied;
      offset += copied;
    }
    const index = this.batch!.index;
    void this.pump();
    return index;
  }

  private enqueue(op: FileOp): number {
    this.sealBatch();
    op.index = this.nextIndex++;
    this.ops.push(op);
    void this.pump();
    return op.index;
  }

  private sealBatch(): void {
    if (!this.batch) return;
    this.ops.push(this.batch);
    this.batch = null;
  }

  // The single writer: runs queued ops one at a time, in order, on the one fd.
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.ops.length === 0) this.sealBatch();
        const op = this.ops.shift();
        if (!op) break;
        if (!this.failure) {
          try {
            if (op.data) await appendAll(this.fd, op.data.subarray(0, op.used));
            else await truncateFile(this.fd, op.truncateTo);
          } catch (error) {
            this.failure = this.wrapError(error);
          }
        }
        this.doneIndex = op.index;
        this.releaseWaiters();
      }
    } finally {
      this.pumping = false;
    }
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.index <= this.doneIndex);
    if (ready.length === 0) return;
    this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((w) => w.index > this.doneIndex));
    for (const waiter of ready) waiter.resolve();
  }

  private whenDone(index: number, resolve: () => void): void {
    if (index <= this.doneIndex) resolve();
    else this.waiters.push({ index, resolve });
  }

  private flushed(): Promise<void> {
    return new Promise((resolve) => this.whenDone(this.nextIndex - 1, resolve));
  }

  private wrapError(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`git-ci: writing the job log ${this.path} failed: ${message}`, { cause: error });
  }
}

function markerLine(maxBytes: number, dropped: number, tail: number): string {
  const follows = tail > 0 ? `; the last ${formatSize(tail)} follow` : '';
  return `\n[git-ci: log capped at ${formatSize(maxBytes)} (ci.maxLogBytes): ${dropped} bytes of output dropped here${follows}]\n`;
}

/** "512 bytes", "16 MiB", "1.5 GiB": sizes for people, one decimal below 10 units. */
function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1023.5 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 10 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit]}`;
}

function appendAll(fd: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      write(fd, bytes, offset, bytes.length - offset, null, (error, n) => {
        if (error) reject(error);
        else if (n <= 0) reject(new Error(`short write (${offset} of ${bytes.length} bytes)`));
        else if (offset + n < bytes.length) step(offset + n);
        else resolve();
      });
    };
    if (bytes.length === 0) resolve();
    else step(0);
  });
}

function truncateFile(fd: number, size: number): Promise<void> {
  return new Promise((resolve, reject) => ftruncate(fd, size, (error) => (error ? reject(error) : resolve())));
}
