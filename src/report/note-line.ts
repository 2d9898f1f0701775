// The note format: one self-contained line per recorded run, so that
// `git notes merge -s cat_sort_uniq` of two writers' notes still parses and reads in run order.
//
//   git-ci v1 run=<ulid> state=<state> branch=<branch> duration=<dur> jobs=<job>:<state>:<dur>,... [-- <message>]
//
// Lines start with the fixed prefix and then the run id (a ULID, sorted by time), so sorting
// lines sorts runs. Readers skip lines and keys they do not understand.
import { formatDuration, parseDuration } from '../pipeline/duration.js';
import type { JobState, RunState } from './run-state.js';
import { isJobState, isRunState } from './run-state.js';

export const NOTE_PREFIX = 'git-ci v1';

export interface NoteJob {
  name: string;
  state: JobState;
  durationMs: number | undefined;
}

export interface NoteRecord {
  run: string;
  state: RunState;
  branch: string;
  durationMs: number | undefined;
  jobs: NoteJob[];
  /** Why the run errored or was canceled; one line. */
  message: string | undefined;
  /** Keys this reader does not know, kept so a rewrite loses nothing. */
  extra: Record<string, string>;
}

const KNOWN_KEYS = new Set(['run', 'state', 'branch', 'duration', 'jobs']);

/** Renders one run as a note line; newlines in the message are folded so the line stays one line. */
export function encodeNoteLine(record: NoteRecord): string {
  const parts = [NOTE_PREFIX, `run=${record.run}`, `state=${record.state}`, `branch=${record.branch}`];
  if (record.durationMs !== undefined) parts.push(`duration=${formatDuration(record.durationMs)}`);
  if (record.jobs.length > 0) {
    const jobs = record.jobs.map((j) =>
      j.durationMs === undefined ? `${j.name}:${j.state}` : `${j.name}:${j.state}:${formatDuration(j.durationMs)}`,
    );
    parts.push(`jobs=${jobs.join(',')}`);
  }
  for (const [key, value] of Object.entries(record.extra)) parts.push(`${key}=${value.replace(/\s+/g, '_')}`);
  let line = parts.join(' ');
  if (record.message) line += ` -- ${record.message.replace(/\s*\n\s*/g, '; ').trim()}`;
  return line;
}

/** Parses one note line; undefined for lines of another format or version. */
export function decodeNoteLine(line: string): NoteRecord | undefined {
  if (!line.startsWith(NOTE_PREFIX + ' ')) return undefined;
  const rest = line.slice(NOTE_PREFIX.length + 1);
  const sep = rest.indexOf(' -- ');
  const head = sep >= 0 ? rest.slice(0, sep) : rest;
  const message = sep >= 0 ? rest.slice(sep + 4) : undefined;
  const fields: Record<string, string> = {};
  for (const token of head.split(' ')) {
    const eq = token.indexOf('=');
    if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
  }
  const { run, state, branch } = fields;
  if (!run || !state || branch === undefined || !isRunState(state)) return undefined;
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (!KNOWN_KEYS.has(key)) extra[key] = value;
  return {
    run,
    state,
    branch,
    durationMs: fields.duration === undefined ? undefined : parseDuration(fields.duration),
    jobs: fields.jobs ? decodeJobs(fields.jobs) : [],
    message,
    extra,
  };
}

function decodeJobs(text: string): NoteJob[] {
  const jobs: NoteJob[] = [];
  for (const item of text.split(',')) {
    const [name, state, duration] = item.split(':');
    if (!name || !state || !isJobState(state)) continue;
    jobs.push({ name, state, durationMs: duration === undefined ? undefined : parseDuration(duration) });
  }
  return jobs;
}

/** Every run recorded in a note, oldest first, whatever order the lines are in. */
export function decodeNote(text: string): NoteRecord[] {
  const byRun = new Map<string, NoteRecord>();
  for (const line of text.split('\n')) {
    const record = decodeNoteLine(line.trim());
    if (record) byRun.set(record.run, record);
  }
  return [...byRun.values()].sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

/** A note's text with one more run: existing lines kept as they are, the new line sorted in. */
export function appendNoteLine(existing: string, record: NoteRecord): string {
  const lines = existing.split('\n').filter((l) => l.trim() !== '');
  lines.push(encodeNoteLine(record));
  lines.sort();
  return [...new Set(lines)].join('\n') + '\n';
}
