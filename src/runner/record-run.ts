// The end of every run: run.json and logs under refs/ci/runs/<id>, then the note line on the
// commit (compare-and-swap), then let git collect garbage if it wants to.
import os from 'node:os';
import type { Repo } from '../store/repo.js';
import { writeRunRecord, type LogFile } from '../store/runs.js';
import { writeNoteWithRetry } from '../store/notes.js';
import { writeCacheRefs } from '../store/cache-refs.js';
import { appendNoteLine, type NoteRecord } from '../report/note-line.js';
import type { RunRecord } from '../report/run-record.js';
import { RUN_SCHEMA, RUN_SCHEMA_VERSION, refName } from '../report/run-record.js';
import type { QueueEntry } from '../store/queue.js';
import { GIT_CI_VERSION } from '../version.js';

/** A run record with nothing run yet, filled in as the run goes. */
export function newRunRecord(entry: QueueEntry, commit: string): RunRecord {
  return {
    schema: RUN_SCHEMA,
    version: RUN_SCHEMA_VERSION,
    id: entry.id,
    commit,
    ref: entry.ref,
    branch: refName(entry.ref),
    trigger: entry.trigger === 'manual' || entry.trigger === 'retry' || entry.trigger === 'local' ? entry.trigger : 'push',
    state: 'running',
    attempt: entry.attempt,
    queuedAt: new Date(entry.queuedAt).toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    error: null,
    problems: [],
    runner: { host: os.hostname(), pid: process.pid, version: GIT_CI_VERSION },
    jobs: [],
    ...(entry.retryOf ? { retryOf: entry.retryOf } : {}),
  };
}

export function noteRecordOf(record: RunRecord): NoteRecord {
  const failures = record.jobs
    .filter((j) => j.state === 'failed' && (j.reason || j.tests))
    .map((j) => `${j.name}: ${[j.reason, j.tests ? testCounts(j.tests) : null].filter(Boolean).join(', ')}`);
  const message = record.error ?? (failures.length > 0 ? failures.join('; ') : undefined);
  const extra: Record<string, string> = {};
  // commit=<id prefix>: the commit this line is about, so a copy a rebase carries to another
  // commit (notes.rewriteRef) reads as inherited, not as that commit's result.
  extra.commit = record.commit.slice(0, 12);
  // cached=<job>@<run>: jobs whose result came from an earlier run; tests=<job>:<passed>/<failed>/<skipped>.
  const cached = record.jobs.filter((j) => j.cachedFrom).map((j) => `${j.name}@${j.cachedFrom}`);
  if (cached.length > 0) extra.cached = cached.join(',');
  const tests = record.jobs.filter((j) => j.tests).map((j) => `${j.name}:${j.tests!.passed}/${j.tests!.failed}/${j.tests!.skipped}`);
  if (tests.length > 0) extra.tests = tests.join(',');
  if (record.supersededBy) extra['superseded-by'] = record.supersededBy;
  return {
    run: record.id,
    state: record.state,
    branch: record.branch,
    durationMs: record.durationMs ?? undefined,
    jobs: record.jobs.map((j) => ({ name: j.name, state: j.state, durationMs: j.durationMs ?? undefined })),
    message,
    extra,
  };
}

function testCounts(t: NonNullable<RunRecord['jobs'][number]['tests']>): string {
  return `${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`;
}

/** The message of a run's record commit and of its notes commit. */
export function recordMessage(record: RunRecord): string {
  return `git-ci: run ${record.id} ${record.state} for ${record.commit.slice(0, 7)} on ${record.branch}`;
}

/** Pure jobs that passed in the run (not reused): they become cache entries, pointing at its record. */
export function cacheKeysToRecord(record: RunRecord): string[] {
  return record.jobs.filter((j) => j.cacheKey && j.state === 'passed' && !j.cachedFrom).map((j) => j.cacheKey!);
}

/** Stores a finished run: the run ref first, then the note that points at it. */
export async function recordRun(repo: Repo, record: RunRecord, logs: LogFile[]): Promise<void> {
  const message = recordMessage(record);
  const runCommit = await writeRunRecord(repo.git, record, logs, message);
  await writeCacheRefs(repo.git, cacheKeysToRecord(record), runCommit, record.id);
  const line = noteRecordOf(record);
  await writeNoteWithRetry(repo.git, { commit: record.commit, edit: (current) => appendNoteLine(current ?? '', line), message });
  // git's own housekeeping, not after every run (a git process each): every 25th, and when the runner goes idle.
  if (++recordedSinceGc >= 25) await collectGarbage(repo);
}

let recordedSinceGc = 0;

/** `git gc --auto`: packs loose objects and refs once there are enough of them. */
export async function collectGarbage(repo: Repo): Promise<void> {
  recordedSinceGc = 0;
  await repo.git.run(['gc', '--auto', '--quiet']).catch(() => undefined);
}
