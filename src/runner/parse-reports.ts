// A job's JUnit report files, read and parsed in a worker thread: a 50 MB report takes a while
// to scan, and the runner's event loop (live logs, other jobs, timeouts) must not stall meanwhile.
//
// Protocol with src/runner/junit-worker.ts: the worker gets a ReportRequest as workerData,
// posts exactly one ReportReply and exits. Files larger than maxBytes are refused before they
// are read, so a runaway report cannot take the runner's memory.
import { Worker } from 'node:worker_threads';
import { emptyJUnitSummary, JUnitError, type JUnitSummary } from '../report/junit.js';

/** Default size limit of one report file. */
export const DEFAULT_MAX_REPORT_BYTES = 64 * 1024 * 1024;

export interface ReportRequest {
  paths: string[];
  maxBytes: number;
}

export type ReportReply =
  | { ok: true; summary: JUnitSummary }
  | { ok: false; kind: 'too-large'; path: string; size: number }
  | { ok: false; kind: 'unreadable'; path: string; message: string }
  | { ok: false; kind: 'malformed'; path: string; reason: string; line: number; column: number; offset: number };

/** A report file that could not be used (missing, unreadable, too large); names the file. */
export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';

  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** Counts of all a job's reports, parsed off the main thread; rejects with ReportFileError or
 *  JUnitError (message `path:line:column: reason`) when a file cannot be used. */
export function parseReportFiles(paths: string[], maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<JUnitSummary> {
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
    return Promise.reject(new TypeError(`parseReportFiles: expected an array of file paths, got ${describeValue(paths)}`));
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    return Promise.reject(new RangeError(`parseReportFiles: maxBytes must be a positive integer, got ${String(maxBytes)} (${typeof maxBytes})`));
  }
  if (paths.length === 0) return Promise.resolve(emptyJUnitSummary());
  const request: ReportRequest = { paths, maxBytes };
  return new Promise((resolve, reject) => {
    // From src/runner here and from the bundled CLI's folder (dist/src/cli) alike.
    const worker = new Worker(new URL('../runner/junit-worker.js', import.meta.url), { workerData: request });
    let settled = false;
    worker.once('message', (reply: ReportReply) => {
      settled = true;
      if (reply.ok) resolve(reply.summary);
      else reject(replyError(reply, maxBytes));
    });
    worker.once('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`parseReportFiles: the JUnit worker exited with code ${code} before replying`));
    });
  });
}

function replyError(reply: Exclude<ReportReply, { ok: true }>, maxBytes: number): Error {
  switch (reply.kind) {
    case 'too-large':
      return new ReportFileError(
        `test report ${reply.path}: expected at most ${formatBytes(maxBytes)} (the report size limit), got ${formatBytes(reply.size)}${reply.size >= 1024 ? ` (${reply.size} bytes)` : ''}`,
        reply.path,
      );
    case 'unreadable':
      return new ReportFileError(`test report ${reply.path}: cannot be read: ${reply.message}`, reply.path);
    case 'malformed':
      return new JUnitError(reply.reason, reply.path, reply.line, reply.column, reply.offset);
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${(n / 1048576).toFixed(1).replace(/\.0$/, '')} MiB`;
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? `an array holding ${value.map((v) => typeof v).join(', ')}` : typeof value;
}
