// Retention (`git ci gc`): old run records and artifacts are deleted by policy, the notes that
// point at them are rewritten to say so, and git collects what nothing reaches any more.
//
// Policy: the newest `keepRuns` runs of each branch keep their records; artifacts of runs
// older than `keepArtifactsMs` go first (a pruned run loses its artifacts too); the newest
// run of every branch tip is always kept, with its artifacts. A cache entry whose run or
// artifacts are gone is deleted with them (a hit must not reuse what no longer exists).
// Note lines stay (the result is still true) with `pruned=<day>` or `artifacts-pruned=<day>`.
import type { Git } from './git.js';
import { RUNS_PREFIX } from './runs.js';
import { ARTIFACTS_PREFIX } from './artifacts.js';
import { CACHE_PREFIX } from './cache-refs.js';
import { NOTES_REF } from './notes.js';
import { editNotesBulk } from './bulk-record.js';
import { decodeNote, decodeNoteLine, encodeNoteLine } from '../report/note-line.js';
import { decodeRunRecord } from '../report/run-record.js';
import { ulidTime } from './queue.js';

export interface RetentionPolicy {
  /** Run records kept per branch (the newest). */
  keepRuns: number;
  /** Artifacts of runs older than this are deleted, ms. */
  keepArtifactsMs: number;
}

export interface PrunedRun {
  id: string;
  commit: string;
  branch: string;
}

export interface RetentionPlan {
  /** Runs whose records (and artifacts) go. */
  runs: PrunedRun[];
  /** Runs that keep their records but lose their artifacts. */
  artifactsOnly: PrunedRun[];
  /** Every ref to delete: run refs, artifact refs, cache refs. */
  refs: string[];
  /** Runs kept. */
  kept: number;
  /** Runs kept although past the policy: the newest of a branch tip. */
  protectedTips: number;
}

interface StoredRun extends PrunedRun {
  oid: string;
  time: number;
  artifacts: string[];
}

/** What a policy would delete, read from the refs and the run records (nothing is changed). */
export async function planRetention(git: Git, policy: RetentionPolicy, now = Date.now()): Promise<RetentionPlan> {
  const { stdout } = await git.run(['for-each-ref', '--format=%(objectname) %(refname)', RUNS_PREFIX, ARTIFACTS_PREFIX, CACHE_PREFIX]);
  const runs = new Map<string, StoredRun>();
  const artifactRefs: { ref: string; run: string }[] = [];
  const cacheRefs: { ref: string; oid: string }[] = [];
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [oid, ref] = line.split(' ') as [string, string];
    if (ref.startsWith(RUNS_PREFIX)) {
      const id = ref.slice(RUNS_PREFIX.length);
      runs.set(id, { id, oid, commit: '', branch: '', time: ulidTime(id) ?? 0, artifacts: [] });
    } else if (ref.startsWith(ARTIFACTS_PREFIX)) {
      artifactRefs.push({ ref, run: ref.slice(ARTIFACTS_PREFIX.length).split('/')[0]! });
    } else {
      cacheRefs.push({ ref, oid });
    }
  }
  // Every record at once: the cat-file reader streams them.
  const blobs = await Promise.all([...runs.keys()].map((id) => git.blob(`${RUNS_PREFIX}${id}:run.json`)));
  for (const [i, run] of [...runs.values()].entries()) {
    const record = blobs[i] ? decodeRunRecord(blobs[i]!.toString()).record : undefined;
    run.commit = record?.commit ?? '';
    run.branch = record?.branch ?? '';
  }
  for (const a of artifactRefs) runs.get(a.run)?.artifacts.push(a.ref);
  const tips = await branchTipRuns(git);

  const pruned = new Set<string>();
  const byBranch = new Map<string, StoredRun[]>();
  for (const run of runs.values()) byBranch.set(run.branch, [...(byBranch.get(run.branch) ?? []), run]);
  let protectedTips = 0;
  for (const list of byBranch.values()) {
    list.sort((a, b) => (a.id < b.id ? 1 : -1));
    for (const run of list.slice(policy.keepRuns)) {
      if (tips.has(run.id)) protectedTips++;
      else pruned.add(run.id);
    }
  }
  const refs: string[] = [];
  const artifactsGone = new Set<string>();
  for (const a of artifactRefs) {
    const run = runs.get(a.run);
    const old = (run?.time ?? ulidTime(a.run) ?? now) < now - policy.keepArtifactsMs;
    if (pruned.has(a.run) || (old && !tips.has(a.run))) {
      refs.push(a.ref);
      artifactsGone.add(a.run);
    }
  }
  for (const id of pruned) refs.push(`${RUNS_PREFIX}${id}`);
  // A cache entry points at its run's record commit.
  const goneOids = new Set([...runs.values()].filter((r) => pruned.has(r.id) || artifactsGone.has(r.id)).map((r) => r.oid));
  for (const c of cacheRefs) if (goneOids.has(c.oid)) refs.push(c.ref);
  const plain = (r: StoredRun): PrunedRun => ({ id: r.id, commit: r.commit, branch: r.branch });
  return {
    runs: [...runs.values()].filter((r) => pruned.has(r.id)).map(plain),
    artifactsOnly: [...runs.values()].filter((r) => artifactsGone.has(r.id) && !pruned.has(r.id)).map(plain),
    refs,
    kept: runs.size - pruned.size,
    protectedTips,
  };
}

/** The newest run noted on each branch tip. */
async function branchTipRuns(git: Git): Promise<Set<string>> {
  const { stdout } = await git.run(['log', '--no-walk=unsorted', '--branches', `--notes=${NOTES_REF}`, '-z', '--format=%H%x1f%N']);
  const ids = new Set<string>();
  for (const chunk of stdout.split('\0').filter(Boolean)) {
    const newest = decodeNote(chunk.split('\x1f')[1] ?? '').at(-1);
    if (newest) ids.add(newest.run);
  }
  return ids;
}

/**
 * Applies a plan: note lines marked first (so a note never points at a record without saying
 * it is gone), then every ref deleted in one transaction.
 */
export async function applyRetention(git: Git, plan: RetentionPlan, now = Date.now()): Promise<void> {
  const day = new Date(now).toISOString().slice(0, 10);
  const marks = new Map<string, Map<string, string>>();
  const mark = (run: PrunedRun, key: string) => {
    if (!run.commit) return;
    const forCommit = marks.get(run.commit) ?? new Map<string, string>();
    forCommit.set(run.id, key);
    marks.set(run.commit, forCommit);
  };
  for (const run of plan.runs) mark(run, 'pruned');
  for (const run of plan.artifactsOnly) mark(run, 'artifacts-pruned');
  const edits = new Map<string, (current: string | undefined) => string>();
  for (const [commit, byRun] of marks) {
    edits.set(commit, (current) => {
      const lines = (current ?? '').split('\n').filter((l) => l.trim() !== '');
      return `${lines
        .map((line) => {
          const note = decodeNoteLine(line.trim());
          const key = note && byRun.get(note.run);
          if (!note || !key || note.extra[key]) return line;
          return encodeNoteLine({ ...note, extra: { ...note.extra, [key]: day } });
        })
        .join('\n')}\n`;
    });
  }
  await editNotesBulk(git, edits, `git-ci: gc pruned ${plan.runs.length} run(s), the artifacts of ${plan.artifactsOnly.length} more`);
  if (plan.refs.length > 0) await git.run(['update-ref', '--stdin'], { input: plan.refs.map((ref) => `delete ${ref}\n`).join('') });
}

/** The repository's object storage, bytes (`git count-objects -v`: loose, packs, garbage). */
export async function objectBytes(git: Git): Promise<number> {
  const { stdout } = await git.run(['count-objects', '-v']);
  let kib = 0;
  for (const line of stdout.split('\n')) {
    const [key, value] = line.split(': ');
    if (key === 'size' || key === 'size-pack' || key === 'size-garbage') kib += Number(value) || 0;
  }
  return kib * 1024;
}
