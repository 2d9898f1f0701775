// The runner: one per repository, started by the post-receive hook when none is alive.
// It holds <git-dir>/ci/runner.pid, recovers runs a dead runner left behind, claims queued
// runs (a rename only one process wins), runs them within ci.concurrency slots, and exits
// after ci.runnerIdle without work.
//
// Exit protocol (no lost wake-up): the runner removes its pid file *before* its last look at
// the queue; the hook writes its entry *before* it looks for a live runner. So either the
// runner sees the entry, or the hook sees no runner and starts one.
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Repo } from '../store/repo.js';
import { claimRun, finishRun, listQueued, listRunning, requeueRun, type QueueEntry } from '../store/queue.js';
import { readRunRecord } from '../store/runs.js';
import { readSettings, type RunnerSettings } from '../store/settings.js';
import { Semaphore } from './semaphore.js';
import { isAlive, selfIdentity, type ProcessIdentity } from '../store/process-identity.js';
import { CancelReason, describeCancel, executeRun, PIPELINE_FILE, recordWith, type CacheHit, type PendingCache, type RunContext } from './execute-run.js';
import { clearCancelRequest, listCancelRequests } from '../store/cancel-requests.js';
import { parsePipeline } from '../pipeline/parse.js';
import { refName } from '../report/run-record.js';
import { readLiveState } from '../store/live-state.js';
import { cacheKeysToRecord, collectGarbage, newRunRecord, noteRecordOf, recordMessage, recordRun } from './record-run.js';
import { recordRunsBulk } from '../store/bulk-record.js';
import { applyRetention, planRetention } from '../store/retention.js';
import { encodeNoteLine } from '../report/note-line.js';
import type { RunRecord } from '../report/run-record.js';
import type { LogFile } from '../store/runs.js';
import { signalProcessGroup } from '../sandbox/kill-tree.js';
import { removeWorkspace } from './workspace.js';
import { probeSandbox, type SandboxCapabilities } from '../sandbox/probe.js';
import { removeStaleCgroups } from '../sandbox/cgroup.js';
import { closeInheritedDescriptors } from '../sandbox/inherited-fds.js';

/** A run is retried once after its runner died; the second death records it as `error`. */
export const MAX_ATTEMPTS = 2;

export interface RunnerOptions {
  /** Overrides ci.runnerIdle (ms). */
  idleMs?: number;
  log?: (line: string) => void;
}

export type RunnerExit = 'idle' | 'busy' | 'stopped';

export async function runRunner(repo: Repo, options: RunnerOptions = {}): Promise<RunnerExit> {
  // Several lines in one call go out in one write, each with the prefix (a batch logs 50 at once).
  const log =
    options.log ??
    ((text: string) => {
      const prefix = `${new Date().toISOString()} [${process.pid}] `;
      console.log(prefix + text.split('\n').join(`\n${prefix}`));
    });
  const owner = selfIdentity();
  await fs.mkdir(repo.paths.queue, { recursive: true });
  await fs.mkdir(repo.paths.running, { recursive: true });
  const holder = await acquirePidFile(repo, owner);
  if (holder) {
    log(`another runner is active for this repository (pid ${holder.pid}); leaving the queue to it`);
    return 'busy';
  }
  await trimRunnerLog(repo);
  // Logs of a batch that a dead runner never recorded: its runs are recovered and run again.
  await fs.rm(path.join(repo.paths.root, 'batch'), { recursive: true, force: true });
  const inherited = closeInheritedDescriptors();
  if (inherited.length > 0) log(`closed descriptors inherited from the process that started the runner (${inherited.join(', ')}): jobs must not get them`);
  const { settings, warnings } = readSettings(await repo.settings());
  for (const w of warnings) log(`warning: ${w}`);
  if (options.idleMs !== undefined) settings.idleMs = options.idleMs;

  const shutdown = new AbortController();
  const onSignal = (sig: string) => {
    log(`received ${sig}: stopping; running jobs are killed and their runs recorded as canceled`);
    shutdown.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const runnerDir = `r${owner.pid}_${owner.start}`;
  // The probe (~0.1 s of helper processes) runs while the runner recovers and claims work;
  // a job waits for it, and for the removal of dead runners' cgroups, before it starts.
  const caps = (async (): Promise<SandboxCapabilities | undefined> => {
    if (settings.sandbox === 'off') return undefined;
    const found = await probeSandbox(settings.uidBase);
    log(`sandbox (${settings.sandbox}): ${describeCapabilities(found)}`);
    if (found.cgroup.support) {
      const removed = await removeStaleCgroups(found.cgroup.support, (dir) => dir === runnerDir || runnerDirAlive(dir));
      if (removed.length > 0) log(`removed ${removed.length} job cgroup(s) left by runners that died`);
    }
    return found;
  })();
  // A failed probe fails the runs that need it (as runner faults), never the runner itself.
  caps.catch((err: Error) => log(`sandbox probe failed: ${err.message}`));
  const ctx: RunContext = { repo, settings, slots: new Semaphore(settings.concurrency), owner, log, shutdown: shutdown.signal, caps, runnerDir };
  try {
    await recoverOrphanedRuns(ctx);
    await serveQueue(ctx, settings);
    return shutdown.signal.aborted ? 'stopped' : 'idle';
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await releasePidFile(repo, owner);
  }
}

async function serveQueue(ctx: RunContext, settings: RunnerSettings): Promise<void> {
  const { repo, log } = ctx;
  const active = new Map<string, Promise<void>>();
  const runs = new Map<string, { entry: QueueEntry; cancel: AbortController }>();
  const supersede = new Superseder(ctx);
  await fs.mkdir(repo.paths.cancel, { recursive: true });
  const wake = new Wakeup([repo.paths.queue, repo.paths.cancel]);
  try {
    let idleSince = Date.now();
    for (;;) {
      if (ctx.shutdown.aborted) {
        await Promise.all(active.values());
        return;
      }
      // One listing of the queue a turn, for supersede and for claiming (a claim of an entry
      // superseded meanwhile just fails).
      const queued = await listQueued(repo);
      await supersede.scan(runs, queued);
      await actOnCancelRequests(ctx, runs);
      let claimed = false;
      if (active.size < settings.concurrency) {
        for (const entry of queued) {
          if (active.size >= settings.concurrency) break;
          if (active.has(entry.id) || !(await claimRun(repo, entry.id))) continue;
          claimed = true;
          if (entry.batch) {
            // A range's runs: claimed together, run a few at a time, recorded in bulk.
            // `git ci run` may still be renaming the range's entries into the queue: take what
            // arrives until all of it is claimed (the entries say how many), or else until a look
            // finds nothing new (a second at most), so the range stays one batch.
            const members = [entry];
            const deadline = Date.now() + 1000;
            for (let candidates = queued, looks = 0; Date.now() < deadline; looks++) {
              const taken = new Set(members.map((m) => m.id));
              const mine = candidates.filter((other) => other.batch === entry.batch && !taken.has(other.id));
              const won = await Promise.all(mine.map((other) => claimRun(repo, other.id)));
              members.push(...mine.filter((_, i) => won[i]));
              const found = won.some(Boolean);
              if (entry.batchSize !== undefined && members.length >= entry.batchSize) break;
              if (!found && looks > 0) break;
              await new Promise((r) => setTimeout(r, 20));
              candidates = await listQueued(repo);
            }
            members.sort((a, b) => a.id.localeCompare(b.id));
            log(`claimed ${members.length} run(s) of batch ${entry.batch}`);
            const p = runBatch(ctx, members, runs).finally(() => {
              active.delete(entry.id);
              wake.poke();
            });
            active.set(entry.id, p);
            continue;
          }
          log(`claimed run ${entry.id} for ${entry.ref} ${entry.commit.slice(0, 7)} (attempt ${entry.attempt})`);
          const cancel = new AbortController();
          runs.set(entry.id, { entry, cancel });
          const p = runClaimed(ctx, entry, cancel.signal).finally(() => {
            active.delete(entry.id);
            runs.delete(entry.id);
            wake.poke();
          });
          active.set(entry.id, p);
        }
      }
      if (active.size > 0 || claimed) {
        idleSince = Date.now();
        await wake.wait(1000);
        continue;
      }
      if (!(await exists(repo.paths.queue))) {
        log(`the repository's queue ${repo.paths.queue} is gone; exiting`);
        return;
      }
      const idleLeft = settings.idleMs - (Date.now() - idleSince);
      if (idleLeft > 0) {
        await wake.wait(Math.min(idleLeft, 1000));
        continue;
      }
      // Idle: git's housekeeping, then give up the pid file, then take one last look (see the exit protocol above).
      await collectGarbage(repo);
      await releasePidFile(repo, ctx.owner);
      if ((await listQueued(repo)).length === 0) return;
      const holder = await acquirePidFile(repo, ctx.owner);
      if (holder) return;
      idleSince = Date.now();
    }
  } finally {
    wake.close();
  }
}

async function runClaimed(ctx: RunContext, entry: QueueEntry, cancel: AbortSignal): Promise<void> {
  try {
    // Canceled between the claim and the start (a newer push came in): record it without running it.
    const outcome = cancel.aborted ? { recorded: await recordCanceled(ctx, entry, cancel) } : await executeRun(ctx, entry, cancel);
    if ('skipped' in outcome) ctx.log(`run ${entry.id}: not built: ${outcome.skipped}`);
    else ctx.log(`run ${entry.id}: ${outcome.recorded.state}${outcome.recorded.error ? ` (${outcome.recorded.error})` : ''}`);
    await finishRun(ctx.repo, entry.id);
    if ('recorded' in outcome) await retainAfter(ctx, 1);
  } catch (err) {
    ctx.log(`run ${entry.id}: could not be recorded: ${(err as Error).stack ?? err}`);
  }
}

let recordedSinceRetention = 0;
let retaining: Promise<void> = Promise.resolve();

/** ci.gc.auto=N: retention (git ci gc with the configured policy) after every N recorded runs, one at a time. */
function retainAfter(ctx: RunContext, recorded: number): Promise<void> {
  const every = ctx.settings.gcAuto;
  if (every <= 0) return Promise.resolve();
  recordedSinceRetention += recorded;
  if (recordedSinceRetention < every) return Promise.resolve();
  recordedSinceRetention = 0;
  retaining = retaining.then(async () => {
    try {
      const plan = await planRetention(ctx.repo.git, { keepRuns: ctx.settings.gcKeepRuns, keepArtifactsMs: ctx.settings.gcKeepArtifactsMs });
      if (plan.refs.length === 0) return;
      await applyRetention(ctx.repo.git, plan);
      ctx.log(`retention (ci.gc.auto): deleted ${plan.runs.length} run record(s) and the artifacts of ${plan.artifactsOnly.length} more run(s)`);
    } catch (err) {
      ctx.log(`retention (ci.gc.auto) failed: ${(err as Error).message}`);
    }
  });
  return retaining;
}

/** Records a run canceled before it started, with no job run. */
async function recordCanceled(ctx: RunContext, entry: QueueEntry, cancel: AbortSignal) {
  const commit = (await ctx.repo.git.oid(`${entry.commit}^{commit}`)) ?? entry.commit;
  const record = newRunRecord(entry, commit);
  record.state = 'canceled';
  describeCancel(record, cancel);
  record.finishedAt = new Date().toISOString();
  await recordWith(ctx, record, []);
  return record;
}

/** How many finished runs of a batch wait to be recorded together, at most. */
const BATCH_FLUSH = 50;
/** How many runs of a batch are in flight at once (their jobs still wait for job slots). */
const BATCH_IN_FLIGHT = 16;

/**
 * The runs of one range (`git ci run A..B`): up to ci.concurrency at a time, their records,
 * cache refs and note lines written in bulk every BATCH_FLUSH runs and at the end (one
 * fast-import for the records, one notes commit). A run's logs wait in ci/batch/ until then,
 * and its queue entry stays claimed: a runner that dies before a flush leaves the runs to be
 * run again by the next one, never lost.
 */
async function runBatch(ctx: RunContext, entries: QueueEntry[], runs: Map<string, { entry: QueueEntry; cancel: AbortController }>): Promise<void> {
  const { repo } = ctx;
  // Per claim, not per batch: a range whose entries were still being queued is claimed in parts.
  const staging = path.join(repo.paths.root, 'batch', entries[0]!.id);
  const pending: { entry: QueueEntry; record: RunRecord; logs: LogFile[]; dir: string }[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushes = 0;
  // A flush takes every run finished when it starts; while one waits to start, asking again
  // adds nothing (so a fast batch makes few large flushes, not many small ones).
  let waiting: Promise<void> | undefined;
  const flush = () =>
    // A failed flush leaves its runs claimed (the next runner re-runs them); later ones still go.
    (waiting ??= flushing = flushing.catch(() => undefined).then(async () => {
      waiting = undefined;
      const items = pending.splice(0);
      if (items.length === 0) return;
      const t0 = performance.now();
      await recordRunsBulk(
        repo.git,
        items.map((i) => ({ record: i.record, logs: i.logs, message: recordMessage(i.record), cacheKeys: cacheKeysToRecord(i.record) })),
        items.map((i) => ({ commit: i.record.commit, line: encodeNoteLine(noteRecordOf(i.record)) })),
        `git-ci: ${items.length} run(s) of batch ${entries[0]!.batch} recorded`,
      );
      ctx.log(items.map((i) => `run ${i.entry.id}: ${i.record.state}${i.record.error ? ` (${i.record.error.replace(/\n/g, ' ')})` : ''} (recorded in bulk)`).join('\n'));
      // Recorded: later hits read the stored logs; the staged copies can go.
      for (const i of items) for (const key of cacheKeysToRecord(i.record)) hits.delete(key);
      await Promise.all(
        items.map(async (i) => {
          await finishRun(repo, i.entry.id);
          await fs.rm(i.dir, { recursive: true, force: true });
        }),
      );
      const ms = (a: number, b: number) => `${Math.round(b - a)} ms`;
      ctx.log(`batch ${entries[0]!.batch}: ${items.length} run(s) recorded in ${ms(t0, performance.now())}`);
      await retainAfter(ctx, items.length);
      // Each flush adds packs: git's housekeeping every few flushes keeps reads fast in a long range.
      if (++flushes % 8 === 0) await collectGarbage(repo);
    }));
  const hits = new Map<string, CacheHit>();
  // Which run computes a key, and a promise that settles when that run has ended.
  const computing = new Map<string, { runId: string; ended: Promise<void> }>();
  const ended = new Map(entries.map((e) => [e.id, settleable()]));
  // Runs look a job up in batch order (each after the run before it looked that job up, or
  // ended): with many runs in flight, a later commit must not claim a key before an earlier
  // one that has the same tree, or both would run it.
  const previous = new Map(entries.map((e, i) => [e.id, entries[i - 1]?.id]));
  const looked = new Map<string, ReturnType<typeof settleable>>();
  const lookedUp = (runId: string, job: string) => {
    const k = `${runId}\0${job}`;
    if (!looked.has(k)) looked.set(k, settleable());
    return looked.get(k)!;
  };
  const pendingCache: PendingCache = {
    async lookup(key, runId, job) {
      const before = previous.get(runId);
      if (before) await Promise.race([lookedUp(before, job).promise, ended.get(before)!.promise]);
      try {
        for (;;) {
          const hit = hits.get(key);
          if (hit) return hit;
          const other = computing.get(key);
          // Only an earlier run is waited for: two runs can never wait on each other.
          if (!other || other.runId >= runId) {
            if (!other) computing.set(key, { runId, ended: ended.get(runId)!.promise });
            return undefined;
          }
          await other.ended;
          // That run ended without a passing result for the key: compute it here.
          if (computing.get(key) === other) computing.delete(key);
        }
      } finally {
        lookedUp(runId, job).resolve();
      }
    },
  };
  const controllers = new Map(entries.map((e) => [e.id, new AbortController()]));
  for (const entry of entries) runs.set(entry.id, { entry, cancel: controllers.get(entry.id)! });
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const entry = entries[next++]!;
      const cancel = controllers.get(entry.id)!.signal;
      const defer = async (record: RunRecord, logs: LogFile[]) => {
        // The live logs go when executeRun ends: keep them until the flush has stored them.
        const dir = path.join(staging, record.id);
        const kept: LogFile[] = [];
        // A log in memory (a cache hit's) stays there: no folder, no file.
        if (logs.some((l) => l.content === undefined)) await fs.mkdir(dir, { recursive: true });
        for (const l of logs) {
          if (l.content !== undefined) {
            kept.push(l);
            continue;
          }
          const to = path.join(dir, `${l.job}.log`);
          await fs.rename(l.path, to);
          kept.push({ job: l.job, path: to });
        }
        pending.push({ entry, record, logs: kept, dir });
        for (const key of cacheKeysToRecord(record)) {
          const job = record.jobs.find((j) => j.cacheKey === key)!;
          hits.set(key, { runId: record.id, job, logPath: kept.find((l) => l.job === job.name)?.path });
        }
      };
      const runCtx: RunContext = { ...ctx, record: defer, pendingCache };
      try {
        const outcome = cancel.aborted ? { recorded: await recordCanceled(runCtx, entry, cancel) } : await executeRun(runCtx, entry, cancel);
        if ('skipped' in outcome) {
          ctx.log(`run ${entry.id}: not built: ${outcome.skipped}`);
          await finishRun(repo, entry.id);
        }
      } catch (err) {
        ctx.log(`run ${entry.id}: could not be recorded: ${(err as Error).stack ?? err}`);
      } finally {
        runs.delete(entry.id);
        ended.get(entry.id)!.resolve();
      }
      // Recording goes on beside the runs: a worker does not wait for it.
      if (pending.length >= BATCH_FLUSH) flush().catch((err: Error) => ctx.log(`batch ${entries[0]!.batch}: could not record: ${err.stack ?? err}`));
    }
  };
  try {
    // More runs in flight than job slots: a cached run waits on pipes and files, not on a CPU,
    // so many overlap; the jobs that do run still take ci.concurrency slots, in order.
    await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.max(ctx.settings.concurrency, BATCH_IN_FLIGHT), entries.length)) }, worker));
  } finally {
    await flush().catch((err: Error) => ctx.log(`batch ${entries[0]!.batch}: could not record: ${err.stack ?? err}`));
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await collectGarbage(repo);
  }
}

/** A promise and the function that settles it. */
function settleable(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Acts on `git ci cancel` requests: a running run is aborted (its jobs get the SIGTERM, grace,
 * SIGKILL sweep); a queued one is claimed and recorded canceled; any other id is done already.
 */
async function actOnCancelRequests(ctx: RunContext, runs: Map<string, { entry: QueueEntry; cancel: AbortController }>): Promise<void> {
  const requests = await listCancelRequests(ctx.repo);
  if (requests.length === 0) return;
  const queued = new Map((await listQueued(ctx.repo)).map((e) => [e.id, e]));
  for (const request of requests) {
    const running = runs.get(request.id);
    if (running) {
      if (!running.cancel.signal.aborted) {
        ctx.log(`run ${request.id}: ${request.reason}`);
        running.cancel.abort(new CancelReason(request.reason));
      }
    } else {
      const entry = queued.get(request.id);
      if (entry && (await claimRun(ctx.repo, entry.id))) {
        ctx.log(`run ${entry.id}: ${request.reason} before it started`);
        const cancel = new AbortController();
        cancel.abort(new CancelReason(request.reason));
        await runClaimed(ctx, entry, cancel.signal);
      }
    }
    await clearCancelRequest(ctx.repo, request.id);
  }
}

/**
 * Supersede: a push to a branch cancels the queued and running runs of older pushes to it,
 * when the newer commit's pipeline says `cancel-superseded: true` (the default). Runs queued
 * by hand (`git ci run`, retries) are never superseded, and never supersede.
 */
class Superseder {
  /** Per newer run id: whether its pipeline lets it supersede (read once). */
  private readonly allows = new Map<string, boolean>();

  constructor(private readonly ctx: RunContext) {}

  async scan(runs: Map<string, { entry: QueueEntry; cancel: AbortController }>, queued: QueueEntry[]): Promise<void> {
    const all = [...[...runs.values()].map((r) => r.entry), ...queued].filter((e) => e.trigger === 'push' && e.ref.startsWith('refs/heads/'));
    for (const older of all) {
      const newer = all.filter((e) => e.ref === older.ref && e.id > older.id).sort((a, b) => b.id.localeCompare(a.id));
      for (const candidate of newer) {
        if (!(await this.mayCancelOlder(candidate))) continue;
        const reason = new CancelReason(`superseded by run ${candidate.id} (${candidate.commit.slice(0, 7)}), a newer push to ${refName(older.ref)}`, candidate.id);
        const running = runs.get(older.id);
        if (running) {
          if (!running.cancel.signal.aborted) {
            this.ctx.log(`run ${older.id}: ${reason.message}`);
            running.cancel.abort(reason);
          }
        } else if (await claimRun(this.ctx.repo, older.id)) {
          this.ctx.log(`run ${older.id}: ${reason.message}; not started`);
          const cancel = new AbortController();
          cancel.abort(reason);
          await runClaimed(this.ctx, older, cancel.signal);
        }
        break;
      }
    }
    for (const id of this.allows.keys()) if (!all.some((e) => e.id === id)) this.allows.delete(id);
  }

  private async mayCancelOlder(entry: QueueEntry): Promise<boolean> {
    let allowed = this.allows.get(entry.id);
    if (allowed === undefined) {
      const file = await this.ctx.repo.git.blob(`${entry.commit}:${PIPELINE_FILE}`);
      // A commit without a valid pipeline supersedes nothing: the older run's result still means something.
      allowed = file ? parsePipeline(file.toString()).pipeline?.cancelSuperseded === true : false;
      this.allows.set(entry.id, allowed);
    }
    return allowed;
  }
}

/** Runs claimed by a runner that is gone: kill what they left, then re-queue them or record `error`. */
export async function recoverOrphanedRuns(ctx: RunContext): Promise<void> {
  const { repo, log } = ctx;
  for (const entry of await listRunning(repo)) {
    const live = await readLiveState(repo.paths.running, entry.id);
    if (live && isAlive(live.owner) && live.owner.pid !== ctx.owner.pid) continue;
    for (const job of live?.jobs ?? []) {
      for (const pgid of job.pgids) signalProcessGroup(pgid, 'SIGKILL');
      if (job.workspace) await removeWorkspace({ root: job.workspace });
    }
    await fs.rm(path.join(repo.paths.live, entry.id), { recursive: true, force: true });
    if (await readRunRecord(repo.git, entry.id)) {
      log(`run ${entry.id}: already recorded before its runner died; dropping the claim`);
      await finishRun(repo, entry.id);
    } else if (entry.attempt < MAX_ATTEMPTS) {
      log(`run ${entry.id}: its runner (pid ${live?.owner.pid ?? 'unknown'}) died; queued again (attempt ${entry.attempt + 1})`);
      await requeueRun(repo, entry);
    } else {
      log(`run ${entry.id}: its runner died on attempt ${entry.attempt}; recording it as error`);
      const commit = (await repo.git.resolve(`${entry.commit}^{commit}`)) ?? entry.commit;
      const record = newRunRecord(entry, commit);
      record.state = 'error';
      record.error = `the runner died while running this run, ${entry.attempt} times; not retried again`;
      record.finishedAt = new Date().toISOString();
      await recordRun(repo, record, []);
      await finishRun(repo, entry.id);
    }
  }
}

/** Takes the repository's runner pid file; returns the live holder instead when there is one. */
async function acquirePidFile(repo: Repo, owner: ProcessIdentity): Promise<ProcessIdentity | undefined> {
  for (let i = 0; i < 10; i++) {
    try {
      await fs.writeFile(repo.paths.pidFile, `${owner.pid} ${owner.start}\n`, { flag: 'wx' });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readPidFile(repo);
    if (holder && holder.pid === owner.pid) return undefined;
    if (holder && isAlive(holder)) return holder;
    // Stale (its runner died) or half-written: remove it, unless someone replaced it meanwhile.
    const again = await readPidFile(repo);
    if (again?.pid === holder?.pid && again?.start === holder?.start) await fs.rm(repo.paths.pidFile, { force: true });
  }
  return readPidFile(repo);
}

async function readPidFile(repo: Repo): Promise<ProcessIdentity | undefined> {
  try {
    const [pid, start] = (await fs.readFile(repo.paths.pidFile, 'utf8')).trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, start: start ?? '' } : { pid: -1, start: '' };
  } catch {
    return undefined;
  }
}

async function releasePidFile(repo: Repo, owner: ProcessIdentity): Promise<void> {
  const holder = await readPidFile(repo);
  if (holder?.pid === owner.pid) await fs.rm(repo.paths.pidFile, { force: true });
}

/** Wakes the loop when the queue (or cancel) folder changes, or after a timeout (watchers can miss events). */
class Wakeup {
  private watchers: FSWatcher[] = [];
  private pending: (() => void) | undefined;
  private poked = false;

  constructor(dirs: string[]) {
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, () => this.poke());
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // polling every second still finds the work
      }
    }
  }

  poke(): void {
    this.poked = true;
    this.pending?.();
  }

  async wait(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.pending = done;
    });
    this.pending = undefined;
    this.poked = false;
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** Keeps ci/runner.log bounded: past 4 MiB it moves to runner.log.old and starts again. */
async function trimRunnerLog(repo: Repo): Promise<void> {
  try {
    const { size } = await fs.stat(repo.paths.runnerLog);
    if (size < 4 * 1024 * 1024) return;
    await fs.copyFile(repo.paths.runnerLog, `${repo.paths.runnerLog}.old`);
    // The hook opened the log with O_APPEND: truncating keeps later writes at the new end.
    await fs.truncate(repo.paths.runnerLog, 0);
  } catch {
    // no log yet, or not ours to trim
  }
}

/** True when a cgroup folder name r<pid>_<start> names a runner that is still alive. */
function runnerDirAlive(dir: string): boolean {
  const m = /^r(\d+)_(\d*)$/.exec(dir);
  if (!m) return dir.startsWith('probe-') ? isAlive({ pid: Number(dir.slice(6)), start: '' }) : true;
  return isAlive({ pid: Number(m[1]), start: m[2]! });
}

/** One line: which layers are active. */
export function describeCapabilities(caps: SandboxCapabilities): string {
  return (Object.keys(caps) as (keyof SandboxCapabilities)[]).map((k) => `${k} ${caps[k].ok ? 'on' : 'OFF'}`).join(', ');
}
