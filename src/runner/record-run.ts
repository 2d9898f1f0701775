// The end of every run: run.json and logs under refs/ci/runs/<id>, then the note line on the
// commit (compare-and-swap), then let git collect garbage if it wants to.
import os from 'node:os';
import type { Repo } from '../store/repo.js';
import { writeRunRecord, type LogFile } from '../store/runs.js';
import { writeNoteWithRetry } from '../store/notes.js';
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
    trigger: entry.trigger === 'manual' ? 'manual' : 'push',
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
  };
}

export function noteRecordOf(record: RunRecord): NoteRecord {
  const failures = record.jobs.filter((j) => j.state === 'failed' && j.reason).map((j) => `${j.name}: ${j.reason}`);
  const message = record.error ?? (failures.length > 0 ? failures.join('; ') : undefined);
  return {
    run: record.id,
    state: record.state,
    branch: record.branch,
    durationMs: record.durationMs ?? undefined,
    jobs: record.jobs.map((j) => ({ name: j.name, state: j.state, durationMs: j.durationMs ?? undefined })),
    message,
    extra: {},
  };
}

/** Stores a finished run: the run ref first, then the note that points at it. */
export async function recordRun(repo: Repo, record: RunRecord, logs: LogFile[]): Promise<void> {
  const short = record.commit.slice(0, 7);
  const message = `git-ci: run ${record.id} ${record.state} for ${short} on ${record.branch}`;
  await writeRunRecord(repo.git, record, logs, message);
  const line = noteRecordOf(record);
  await writeNoteWithRetry(repo.git, { commit: record.commit, edit: (current) => appendNoteLine(current ?? '', line), message });
  await repo.git.run(['gc', '--auto', '--quiet']).catch(() => undefined);
}
