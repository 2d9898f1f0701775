// The worker thread behind parseReportFiles (see parse-reports.ts for the protocol): reads each
// report, refuses one over the size limit, parses it and posts one reply with the merged counts.
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { JUnitError, mergeJUnit, parseJUnit, type JUnitSummary } from '../report/junit.js';
import type { ReportReply, ReportRequest } from './parse-reports.js';

/** Reads and parses every file of the request, stopping at the first one that cannot be used. */
async function parseRequest({ paths, maxBytes }: ReportRequest): Promise<ReportReply> {
  const summaries: JUnitSummary[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      const file = await open(path, 'r');
      try {
        const stat = await file.stat();
        if (!stat.isFile()) return { ok: false, kind: 'unreadable', path, message: 'not a regular file' };
        if (stat.size > maxBytes) return { ok: false, kind: 'too-large', path, size: stat.size };
        bytes = await file.readFile();
      } finally {
        await file.close();
      }
    } catch (error) {
      return { ok: false, kind: 'unreadable', path, message: (error as Error).message };
    }
    // The file may have grown between stat and read.
    if (bytes.length > maxBytes) return { ok: false, kind: 'too-large', path, size: bytes.length };
    try {
      summaries.push(parseJUnit(bytes.toString('utf8'), path));
    } catch (error) {
      if (!(error instanceof JUnitError)) throw error;
      const { reason, line, column, offset } = error;
      return { ok: false, kind: 'malformed', path, reason, line, column, offset };
    }
  }
  return { ok: true, summary: mergeJUnit(summaries) };
}

parentPort!.postMessage(await parseRequest(workerData as ReportRequest));
