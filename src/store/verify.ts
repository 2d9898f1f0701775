// `git ci verify`: are a commit's note, run records, logs and artifacts consistent? After a
// clone, a fetch or a prune, this says what is missing or does not agree, and what is only
// pruned (by `git ci gc`, which marks the note lines) or inherited (carried by a rebase).
import type { Git } from './git.js';
import { CI_NOTES_REFS, readCiNotes } from './notes.js';
import { RUNS_PREFIX, runRef } from './runs.js';
import { decodeNote, type NoteRecord } from '../report/note-line.js';
import { decodeRunRecord } from '../report/run-record.js';
import { inheritedFrom } from './results.js';

export interface Finding {
  commit: string;
  run: string;
  /** problem: something is missing or disagrees; info: pruned or inherited, as it should be. */
  level: 'problem' | 'info';
  message: string;
}

export interface Verification {
  commits: number;
  runs: number;
  findings: Finding[];
}

/** Checks the runs noted on the given commits. */
export async function verifyCommits(git: Git, commits: string[]): Promise<Verification> {
  const notes = await Promise.all(commits.map(async (commit) => ({ commit, records: decodeNote((await readCiNotes(git, commit)) ?? '') })));
  return verifyNotes(git, notes, false);
}

/** Checks every noted commit, and that every run record is noted somewhere. */
export async function verifyAll(git: Git): Promise<Verification> {
  const refs = (await git.run(['for-each-ref', '--format=%(refname)', ...CI_NOTES_REFS])).stdout.split('\n').filter(Boolean);
  const texts = new Map<string, string>();
  for (const ref of refs) {
    const { stdout } = await git.run(['notes', `--ref=${ref}`, 'list']);
    const pairs = stdout.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]);
    // Note blobs through the cat-file reader, all asked at once.
    const blobs = await Promise.all(pairs.map(([blob]) => git.blob(blob)));
    for (const [i, [, commit]] of pairs.entries()) texts.set(commit, `${texts.get(commit) ?? ''}${blobs[i]?.toString() ?? ''}\n`);
  }
  const notes = [...texts].map(([commit, text]) => ({ commit, records: decodeNote(text) }));
  return verifyNotes(git, notes, true);
}

async function verifyNotes(git: Git, notes: { commit: string; records: NoteRecord[] }[], orphans: boolean): Promise<Verification> {
  const findings: Finding[] = [];
  const noted = new Set<string>();
  const checks: Promise<void>[] = [];
  let runs = 0;
  for (const { commit, records } of notes) {
    for (const note of records) {
      runs++;
      noted.add(note.run);
      checks.push(checkRun(git, commit, note).then((f) => void findings.push(...f)));
    }
  }
  await Promise.all(checks);
  if (orphans) {
    const { stdout } = await git.run(['for-each-ref', '--format=%(refname)', RUNS_PREFIX]);
    for (const ref of stdout.split('\n').filter(Boolean)) {
      const id = ref.slice(RUNS_PREFIX.length);
      if (!noted.has(id)) findings.push({ commit: '', run: id, level: 'problem', message: `run record ${ref} has no note line on any commit` });
    }
  }
  findings.sort((a, b) => (a.commit + a.run < b.commit + b.run ? -1 : 1));
  return { commits: notes.length, runs, findings };
}

async function checkRun(git: Git, commit: string, note: NoteRecord): Promise<Finding[]> {
  const found: Finding[] = [];
  const say = (level: Finding['level'], message: string) => found.push({ commit, run: note.run, level, message });
  const from = inheritedFrom(commit, note);
  if (from) {
    say('info', `inherited from ${from} (a rebase or amend carried the note); this commit was not built`);
    return found;
  }
  const pruned = note.extra.pruned;
  const ref = runRef(note.run);
  const blob = await git.blob(`${ref}:run.json`);
  if (!blob) {
    if (pruned) say('info', `run record pruned on ${pruned} (git ci gc)`);
    else if (!(await git.oid(ref))) say('problem', `no run record ${ref} (not fetched: git ci fetch; or deleted without git ci gc)`);
    else say('problem', `${ref} has no run.json`);
    return found;
  }
  const { record, errors } = decodeRunRecord(blob.toString());
  if (!record) {
    say('problem', `${ref}:run.json does not read: ${errors.join('; ')}`);
    return found;
  }
  if (record.id !== note.run) say('problem', `${ref}:run.json is run ${record.id}, not ${note.run}`);
  if (record.commit !== commit) say('problem', `the note is on ${commit.slice(0, 12)} but run.json says commit ${record.commit.slice(0, 12)}`);
  if (record.state !== note.state) say('problem', `the note says ${note.state}, run.json says ${record.state}`);
  const inNote = note.jobs.map((j) => `${j.name}:${j.state}`).join(',');
  const inRecord = record.jobs.map((j) => `${j.name}:${j.state}`).join(',');
  if (note.jobs.length > 0 && inNote !== inRecord) say('problem', `jobs differ: the note says ${inNote}, run.json says ${inRecord}`);
  const logs = await Promise.all(record.jobs.map((j) => (j.log ? git.oid(`${ref}:${j.log}`) : Promise.resolve('none'))));
  for (const [i, job] of record.jobs.entries()) if (!logs[i]) say('problem', `job ${job.name}: its log ${job.log} is missing from the run record`);
  const artifactsPruned = note.extra['artifacts-pruned'];
  for (const job of record.jobs) {
    if (!job.artifacts) continue;
    if (await git.oid(job.artifacts.ref)) continue;
    if (artifactsPruned || pruned) say('info', `job ${job.name}: artifacts pruned on ${artifactsPruned ?? pruned} (git ci gc)`);
    else say('problem', `job ${job.name}: artifacts ${job.artifacts.ref} are missing (not fetched: git ci fetch; or deleted without git ci gc)`);
  }
  return found;
}
