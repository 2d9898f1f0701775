// One run from claim to record: read the pipeline at the commit, run the job DAG within the
// slots, store logs and run.json, write the note. Any fault becomes an `error` run, never a
// run that stays "running".
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Repo } from '../store/repo.js';
import type { QueueEntry } from '../store/queue.js';
import type { LogFile } from '../store/runs.js';
import type { JobSpec, JobState, Pipeline } from '../pipeline/types.js';
import { refName, type JobRecord, type RunRecord } from '../report/run-record.js';
import { parsePipeline } from '../pipeline/parse.js';
import { formatProblem } from '../pipeline/format-problem.js';
import { branchMatches } from '../pipeline/branch-match.js';
import { nextSteps } from '../pipeline/dag.js';
import { runStateFromJobs } from '../report/run-state.js';
import { checkOut, makeWorkspace, removeWorkspace } from './workspace.js';
import { jobsLeftOut } from './plan.js';
import { readRunRecord, readStoredLog } from '../store/runs.js';
import { artifactsRef, restoreArtifacts, saveArtifacts } from '../store/artifacts.js';
import { lookupCache } from '../store/cache-refs.js';
import { cacheKeyOf } from './job-cache.js';
import { validateSecretValue } from './secret-mask.js';
import { findFiles } from './find-files.js';
import { parseReportFiles } from './parse-reports.js';
import { formatTestCounts } from '../report/junit.js';
import { formatSize } from '../pipeline/size.js';
import { runJobProcess } from './job-process.js';
import { liveStateWriter, type LiveRun } from '../store/live-state.js';
import { newRunRecord, recordRun } from './record-run.js';
import type { RunnerSettings } from '../store/settings.js';
import type { SandboxCapabilities } from '../sandbox/probe.js';
import { JobSandbox, missingLayers } from '../sandbox/job-sandbox.js';
import { resolveJobLimits, describeLimit } from '../sandbox/limits.js';
import { acquireHostSlot } from '../sandbox/host-slots.js';
import type { JobLimits } from '../pipeline/types.js';
import type { Semaphore } from './semaphore.js';
import type { ProcessIdentity } from '../store/process-identity.js';

export const PIPELINE_FILE = '.git-ci.yml';

export interface RunContext {
  repo: Repo;
  settings: RunnerSettings;
  slots: Semaphore;
  owner: ProcessIdentity;
  log: (line: string) => void;
  /** Aborted when the runner shuts down: running jobs are killed. */
  shutdown: AbortSignal;
  /** What the sandbox probe found (undefined with ci.sandbox=off); settles before any job may start. */
  caps: Promise<SandboxCapabilities | undefined>;
  /** This runner's folder for job cgroups: r<pid>_<start>. */
  runnerDir: string;
  /** Records a finished run; recordRun unless a batch defers it (the logs must be kept until then). */
  record?: (record: RunRecord, logs: LogFile[]) => Promise<void>;
  /** A batch's cache entries not recorded yet, so a range's later commits reuse its earlier ones. */
  pendingCache?: PendingCache;
}

/** The cache entries of a batch's runs that are not recorded yet (or still being computed). */
export interface PendingCache {
  /**
   * A passed result for `key` (of `job`) among the batch's unrecorded runs. When an earlier run
   * of the batch is still computing the same key, waits for that run to end first (so a range
   * does not run one tree twice); otherwise marks `runId` as the one computing it.
   */
  lookup(key: string, runId: string, job: string): Promise<CacheHit | undefined>;
}

/** Where a cached result comes from: the run, its job record and, when not stored yet, its log file. */
export interface CacheHit {
  runId: string;
  job: JobRecord;
  logPath?: string;
}

export type RunOutcome = { recorded: RunRecord } | { skipped: string };

/** Why a run was canceled, given as the reason of its AbortController. */
export class CancelReason {
  constructor(
    readonly message: string,
    /** The newer run of the same branch, when this one was superseded. */
    readonly supersededBy?: string,
  ) {}
}

/** `cancel` aborts this run alone (git ci cancel, a newer push); ctx.shutdown stops them all. */
export async function executeRun(runnerCtx: RunContext, entry: QueueEntry, cancel?: AbortSignal): Promise<RunOutcome> {
  const ctx: RunContext = cancel ? { ...runnerCtx, shutdown: AbortSignal.any([runnerCtx.shutdown, cancel]) } : runnerCtx;
  const { repo } = ctx;
  const started = Date.now();
  const resolved = await repo.git.oid(`${entry.commit}^{commit}`);
  const commit = resolved ?? entry.commit;
  const record = newRunRecord(entry, commit);
  record.startedAt = new Date(started).toISOString();
  const finishWithError = async (error: string, problems: string[] = []): Promise<RunOutcome> => {
    record.state = 'error';
    record.error = error;
    record.problems = problems;
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.now() - started;
    await recordWith(ctx, record, []);
    return { recorded: record };
  };

  try {
    if (!resolved) {
      return await finishWithError(`${entry.ref} points at ${entry.commit}, which is not a commit in this repository`);
    }
    const file = await repo.git.object(`${commit}:${PIPELINE_FILE}`);
    if (!file || file.type !== 'blob') {
      return await finishWithError(`no ${PIPELINE_FILE} in commit ${commit.slice(0, 7)}: add one to build this commit`);
    }
    const parsed = parsedPipeline(file.oid, file.content);
    if (!parsed.pipeline) {
      const problems = parsed.errors.map((p) => formatProblem(p, PIPELINE_FILE));
      return await finishWithError(problems.join('; '), problems);
    }
    // `branches:` filters pushes; a run queued by hand runs whatever its branch.
    if (entry.trigger === 'push' && entry.ref.startsWith('refs/heads/') && !branchMatches(parsed.pipeline.branches, record.branch)) {
      return { skipped: `branch ${record.branch} is not in the pipeline's branches (${parsed.pipeline.branches.join(', ')})` };
    }
    const limitErrors: string[] = [];
    const limits = new Map<string, Required<JobLimits>>();
    for (const job of parsed.pipeline.jobs) {
      const r = resolveJobLimits(job.name, job.limits, ctx.settings.limitsMax, ctx.settings.limitsDefault);
      limitErrors.push(...r.errors);
      limits.set(job.name, r.limits);
    }
    if (limitErrors.length > 0) return await finishWithError(limitErrors.join('; '), limitErrors);
    const leftOut = jobsLeftOut(parsed.pipeline, entry);
    if (leftOut.error !== undefined) return await finishWithError(leftOut.error);
    const caps = await ctx.caps;
    if (ctx.settings.sandbox === 'strict' && caps && missingLayers(caps).length > 0) {
      return await finishWithError(`ci.sandbox is strict and a sandbox layer is missing: ${missingLayers(caps).join('; ')}`);
    }
    const reused = entry.reuse ? await readRunRecord(repo.git, entry.reuse) : undefined;
    if (entry.reuse && !reused) return await finishWithError(`run ${entry.reuse}, whose passed jobs this retry reuses, has no run record`);
    const logs = await runJobs(ctx, entry, record, parsed.pipeline, limits, leftOut.skips, reused);
    record.state = runStateFromJobs(record.jobs.map((j) => j.state));
    if (ctx.shutdown.aborted && record.state === 'canceled') describeCancel(record, cancel);
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.now() - started;
    await recordWith(ctx, record, logs);
    return { recorded: record };
  } catch (err) {
    ctx.log(`run ${entry.id}: runner fault: ${(err as Error).stack ?? err}`);
    return await finishWithError(`runner fault: ${(err as Error).message}`);
  } finally {
    await fs.rm(path.join(repo.paths.live, entry.id), { recursive: true, force: true });
  }
}

// Commits of a branch mostly share one .git-ci.yml blob: parse each blob once (a range backfill
// parses one file, not 200). Results are never changed by their users.
const parsedPipelines = new Map<string, ReturnType<typeof parsePipeline>>();

function parsedPipeline(oid: string, content: Buffer): ReturnType<typeof parsePipeline> {
  let parsed = parsedPipelines.get(oid);
  if (!parsed) {
    parsed = parsePipeline(content.toString());
    if (parsedPipelines.size >= 64) parsedPipelines.delete(parsedPipelines.keys().next().value!);
    parsedPipelines.set(oid, parsed);
  }
  return parsed;
}

/** Records a run the context's way: at once (recordRun), or deferred by a batch. */
export function recordWith(ctx: RunContext, record: RunRecord, logs: LogFile[]): Promise<void> {
  return ctx.record ? ctx.record(record, logs) : recordRun(ctx.repo, record, logs);
}

/** Says why a canceled run stopped: its own cancel (with who superseded it), or the runner stopping. */
export function describeCancel(record: RunRecord, cancel: AbortSignal | undefined): void {
  const reason: unknown = cancel?.aborted ? cancel.reason : undefined;
  if (reason instanceof CancelReason) {
    record.error = reason.message;
    if (reason.supersededBy) record.supersededBy = reason.supersededBy;
  } else {
    record.error = 'the runner was stopped while this run ran';
  }
}

async function runJobs(
  ctx: RunContext,
  entry: QueueEntry,
  record: RunRecord,
  pipeline: Pipeline,
  limits: Map<string, Required<JobLimits>>,
  leftOut: Map<string, string>,
  reused: RunRecord | undefined,
): Promise<LogFile[]> {
  const liveDir = path.join(ctx.repo.paths.live, entry.id);
  // Made when a job first writes a log file there: a batch's cache hits keep their logs in memory.
  let made: Promise<unknown> | undefined;
  const makeLiveDir = () => (made ??= fs.mkdir(liveDir, { recursive: true }));
  // A batch records its runs itself (recordRunsBulk takes a log's bytes); a run recorded alone writes files.
  const inMemory = ctx.record !== undefined;
  const reusedLog = async (name: string, logPath: string, content: Buffer): Promise<LogFile> => {
    if (inMemory) return { job: name, path: logPath, content };
    await makeLiveDir();
    await fs.writeFile(logPath, content);
    return { job: name, path: logPath };
  };
  const states: Record<string, JobState> = {};
  const jobs = new Map<string, JobRecord>();
  for (const spec of pipeline.jobs) {
    states[spec.name] = 'pending';
    const job: JobRecord = {
      name: spec.name,
      state: 'pending',
      needs: spec.needs,
      exitCode: null,
      signal: null,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      timedOut: false,
      cached: false,
      log: null,
      reason: null,
    };
    jobs.set(spec.name, job);
    record.jobs.push(job);
    const why = leftOut.get(spec.name);
    if (why !== undefined) {
      states[spec.name] = job.state = 'skipped';
      job.reason = why;
    }
  }
  const logs: LogFile[] = [];
  // git ci retry --failed: what passed before passes again, with its log and artifacts.
  for (const before of reused?.jobs ?? []) {
    const job = jobs.get(before.name);
    if (!job || before.state !== 'passed' || states[before.name] !== 'pending') continue;
    const logPath = path.join(liveDir, `${before.name}.log`);
    const content = await reuseJobResult(ctx, entry.id, job, reused!.id, before, 'passed in run');
    states[before.name] = 'passed';
    logs.push(await reusedLog(before.name, logPath, content));
  }
  const live: LiveRun = { version: 1, id: entry.id, owner: ctx.owner, startedAt: record.startedAt!, jobs: [] };
  const pgids = new Map<string, number[]>();
  const workspaces = new Map<string, string>();
  const writeLive = liveStateWriter(ctx.repo.paths.running, (err) => ctx.log(`run ${entry.id}: could not save live state: ${err.message}`));
  // A batch's run writes its live state only once a job starts a process: most of a backfill's
  // runs are cache hits done in a millisecond, and nothing of theirs needs finding after a crash.
  const lazy = ctx.record !== undefined;
  const saveLive = () => {
    if (lazy && workspaces.size === 0) return Promise.resolve();
    live.jobs = record.jobs.map((j) => ({
      name: j.name,
      state: j.state,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      durationMs: j.durationMs,
      exitCode: j.exitCode,
      pgids: pgids.get(j.name) ?? [],
      workspace: workspaces.get(j.name) ?? null,
      needs: j.needs,
    }));
    return writeLive(live);
  };
  await saveLive();

  const active = new Map<string, Promise<void>>();
  const reusedLogs = new Map<string, LogFile>();
  const specs = new Map(pipeline.jobs.map((s) => [s.name, s]));
  for (;;) {
    const { start, skip } = nextSteps(pipeline, states);
    for (const name of skip) {
      const job = jobs.get(name)!;
      const failed = job.needs.filter((n) => states[n] !== 'passed');
      states[name] = job.state = ctx.shutdown.aborted ? 'canceled' : 'skipped';
      job.reason = `needs ${failed.map((n) => `${n} (${states[n]})`).join(', ')}`;
    }
    for (const name of start) {
      states[name] = 'running';
      const logPath = path.join(liveDir, `${name}.log`);
      const job = jobs.get(name)!;
      const spec = specs.get(name)!;
      const needed = spec.needs.map((n) => jobs.get(n)!);
      const hooks: JobHooks = {
        onStart: async (ws) => {
          workspaces.set(name, ws);
          await saveLive();
        },
        onProcessGroup: (pgid) => {
          pgids.set(name, [...(pgids.get(name) ?? []), pgid]);
          void saveLive();
        },
      };
      const promise = (async () => {
        if (spec.cache) {
          // A pure job whose key already passed is not run: its result, log and artifacts are reused.
          job.cacheKey = await cacheKeyOf(ctx.repo.git, record.commit, spec, needed);
          const hit: CacheHit | undefined = entry.noCache
            ? undefined
            : ((await ctx.pendingCache?.lookup(job.cacheKey, entry.id, name)) ?? (await lookupCache(ctx.repo.git, job.cacheKey, name)));
          if (hit) {
            const content = await reuseJobResult(ctx, entry.id, job, hit.runId, hit.job, `cached: key ${job.cacheKey.slice(0, 12)} passed in run`, hit.logPath);
            reusedLogs.set(name, await reusedLog(name, logPath, content));
            return;
          }
        }
        await makeLiveDir();
        await runOneJob(ctx, entry, record.commit, spec, limits.get(name)!, job, logPath, needed, hooks);
      })()
        .catch(async (err: Error) => {
          job.state = 'error';
          job.reason = `could not run: ${err.message}`;
          reusedLogs.delete(name);
          await makeLiveDir().catch(() => undefined);
          await fs.appendFile(logPath, `\ngit-ci: ${job.reason}\n`).catch(() => undefined);
          job.log ??= `logs/${name}.log`;
        })
        .then(async () => {
        states[name] = job.state;
        if (job.log) logs.push(reusedLogs.get(name) ?? { job: name, path: logPath });
        active.delete(name);
        await saveLive();
      });
      active.set(name, promise);
    }
    if (skip.length > 0) await saveLive();
    if (active.size === 0 && start.length === 0 && skip.length === 0) break;
    if (active.size > 0 && skip.length === 0) await Promise.race(active.values());
  }
  logs.sort((a, b) => a.job.localeCompare(b.job));
  return logs;
}

/**
 * Records a job as passed from an earlier run (a retry of what failed, or a cache hit), with the
 * same artifacts (the ref points at the same commit; nothing is copied). Returns its log: the
 * earlier one under a header saying where it came from.
 */
async function reuseJobResult(ctx: RunContext, runId: string, job: JobRecord, fromRun: string, from: JobRecord, how: string, fromLogFile?: string): Promise<Buffer> {
  const now = new Date().toISOString();
  job.state = 'passed';
  job.cached = true;
  job.cachedFrom = fromRun;
  job.startedAt = now;
  job.finishedAt = now;
  job.durationMs = 0;
  job.exitCode = 0;
  job.reason = null;
  // A batch's not yet recorded run: its staged log, or, if a flush stored it meanwhile, the stored one.
  const staged = fromLogFile ? await fs.readFile(fromLogFile).catch(() => undefined) : undefined;
  const before = staged ?? (await readStoredLog(ctx.repo.git, fromRun, from.name));
  const log = Buffer.concat([Buffer.from(`git-ci: not run again: ${how} ${fromRun}; its log follows\n`), before ?? Buffer.from('(its log was not kept)\n')]);
  if (from.artifacts) {
    const target = await ctx.repo.git.resolve(from.artifacts.ref);
    if (target) {
      const ref = artifactsRef(runId, job.name);
      await ctx.repo.git.run(['update-ref', '-m', `git-ci: artifacts of ${job.name} reused from run ${fromRun}`, ref, target]);
      job.artifacts = { ...from.artifacts, ref };
    }
  }
  job.log = `logs/${job.name}.log`;
  return log;
}

interface JobHooks {
  onStart: (workspace: string) => Promise<void>;
  onProcessGroup: (pgid: number) => void;
}

async function runOneJob(
  ctx: RunContext,
  entry: QueueEntry,
  commit: string,
  spec: JobSpec,
  limits: Required<JobLimits>,
  job: JobRecord,
  logPath: string,
  needed: JobRecord[],
  hooks: JobHooks,
): Promise<void> {
  const release = await ctx.slots.acquire();
  const hostSlot = await acquireHostSlot(ctx.settings.hostConcurrency, ctx.shutdown);
  const started = Date.now();
  job.startedAt = new Date(started).toISOString();
  job.state = 'running';
  job.log = `logs/${spec.name}.log`;
  job.limits = limits;
  let workspace: { root: string } | undefined;
  let checkedOut: Promise<void> | undefined;
  let sandbox: JobSandbox | undefined;
  try {
    await fs.writeFile(logPath, '');
    if (ctx.shutdown.aborted || !hostSlot) {
      job.state = 'canceled';
      job.reason = 'the run was canceled before this job started';
      return;
    }
    const ws = await makeWorkspace(`${entry.id}-${spec.name}`);
    workspace = ws;
    // The commit is checked out while the live state is saved, the sandbox is prepared and its
    // shell starts: none of those is on the job's critical path. The sandbox gets the files
    // (handOver) only once they are all there.
    checkedOut = checkOut(ctx.repo.git, ws, commit);
    checkedOut.catch(() => undefined);
    await hooks.onStart(ws.root);
    sandbox = await JobSandbox.prepare({
      mode: ctx.settings.sandbox,
      caps: await ctx.caps,
      runnerDir: ctx.runnerDir,
      name: `${entry.id}-${spec.name}`,
      root: ws.root,
      cwd: ws.dir,
      network: spec.network,
      limits,
      uid: ctx.settings.uidBase + hostSlot.index,
    });
    job.sandbox = sandbox.layers;
    const box = sandbox;
    const secrets = jobSecrets(spec, ctx.settings.secrets);
    if ('error' in secrets) throw new Error(secrets.error);
    // The sandbox starts while the commit is checked out (and the needed jobs' artifacts are put
    // in): its start costs the job's critical path nothing.
    const ready = checkedOut
      .then(() => restoreNeededArtifacts(ctx, needed, ws.dir))
      .then(async (said) => {
        await box.handOver();
        return said;
      });
    const result = await runJobProcess({
      ready,
      maskSecrets: [...ctx.settings.secrets.values()].filter((v) => validateSecretValue('', v) === null && v !== ''),
      commands: spec.run,
      cwd: ws.dir,
      env: { ...jobEnvironment(spec, entry, commit, ws), ...secrets.env },
      logPath,
      maxLogBytes: ctx.settings.maxLogBytes,
      timeoutMs: spec.timeoutMs ?? ctx.settings.timeoutMs,
      killGraceMs: ctx.settings.killGraceMs,
      sandbox: box,
      onProcessGroup: hooks.onProcessGroup,
      signal: ctx.shutdown,
      explain: async (r) => {
        const usage = await box.usage();
        if (usage) job.usage = { cpuSeconds: usage.cpuSeconds, peakMemoryBytes: usage.peakMemoryBytes, peakPids: usage.peakPids };
        const hit = limitHit(r, usage, limits);
        job.limitHit = hit?.limit ?? (r.timedOut ? 'timeout' : null);
        return hit?.reason ?? null;
      },
    });
    job.exitCode = result.exitCode;
    job.signal = result.signal;
    job.timedOut = result.timedOut;
    job.logBytes = result.log.totalBytes;
    job.logCapped = result.log.capped;
    job.reason = result.reason;
    job.state = result.canceled ? 'canceled' : result.reason ? 'failed' : 'passed';
    if (spec.reports) await readTestReports(job, ws.dir, spec.reports.junit, logPath);
    if (job.state === 'passed' && spec.artifacts.length > 0) {
      const saved = await saveArtifacts(ctx.repo.git, { workspace: ws.dir, patterns: spec.artifacts, runId: entry.id, job: spec.name, maxBytes: ctx.settings.maxArtifactBytes });
      job.artifacts = saved.ref ? { ref: saved.ref, files: saved.files, bytes: saved.bytes } : null;
      const said = [...saved.messages, ...(saved.ref ? [`stored ${saved.files} artifact file(s), ${formatSize(saved.bytes)}, at ${saved.ref}`] : [])];
      if (said.length > 0) await fs.appendFile(logPath, said.map((m) => `git-ci: ${m}\n`).join(''));
    }
  } catch (err) {
    job.state = 'error';
    job.reason = `could not run: ${(err as Error).message}`;
    await fs.appendFile(logPath, `\ngit-ci: ${job.reason}\n`).catch(() => undefined);
  } finally {
    await sandbox?.destroy().catch((err: Error) => ctx.log(`run ${entry.id}: ${spec.name}: could not remove its sandbox: ${err.message}`));
    // A checkout still writing (the sandbox failed to start) must end before its folder goes.
    await checkedOut?.catch(() => undefined);
    if (workspace) await removeWorkspace(workspace);
    job.finishedAt = new Date().toISOString();
    job.durationMs = Date.now() - started;
    hostSlot?.release();
    release();
  }
}

/** The git config name of a secret: ci.secret.<this>. */
export function secretConfigName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/** The secrets a job lists, as environment variables; an error naming the first one the server lacks. */
function jobSecrets(spec: JobSpec, configured: Map<string, string>): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  for (const name of spec.secrets) {
    // git config keys cannot hold "_" and ignore case: NPM_TOKEN is configured as ci.secret.npm-token.
    const key = secretConfigName(name);
    const value = configured.get(key);
    if (value === undefined) return { error: `secret ${name} is not set on the server (git config ci.secret.${key} <value>)` };
    const problem = validateSecretValue(name, value);
    if (problem) return { error: problem };
    env[name] = value;
  }
  return { env };
}

/** Puts the artifacts of the jobs a job needs into its workspace, before its commands run; returns what to say in its log. */
async function restoreNeededArtifacts(ctx: RunContext, needed: JobRecord[], dir: string): Promise<string> {
  const said: string[] = [];
  for (const need of needed) {
    if (!need.artifacts) continue;
    const r = await restoreArtifacts(ctx.repo.git, need.artifacts.ref, dir);
    said.push(`artifacts of ${need.name}: ${r.files} file(s), ${formatSize(r.bytes)}`, ...r.messages);
  }
  return said.map((m) => `git-ci: ${m}\n`).join('');
}

/** Reads the job's JUnit reports (in a worker thread) into its record; a bad report is said in the log, not fatal. */
async function readTestReports(job: JobRecord, dir: string, patterns: string[], logPath: string): Promise<void> {
  const files = await findFiles(dir, patterns);
  if (files.length === 0) {
    await fs.appendFile(logPath, `git-ci: no test report matched ${patterns.join(', ')}\n`);
    return;
  }
  try {
    const s = await parseReportFiles(files.map((f) => path.join(dir, f)));
    const failed = s.failures + s.errors;
    job.tests = { tests: s.tests, passed: Math.max(0, s.tests - failed - s.skipped), failed, skipped: s.skipped, failing: s.failed, moreFailing: s.moreFailed };
    await fs.appendFile(logPath, `git-ci: tests: ${formatTestCounts(s)} (${files.length} report file(s))\n`);
  } catch (err) {
    await fs.appendFile(logPath, `git-ci: could not read the test reports: ${(err as Error).message}\n`);
  }
}

/** Which limit stopped a job, from its exit and its cgroup's counters, in plain words. */
function limitHit(
  r: { exitCode: number | null; signal: string | null },
  usage: { oomKilled: boolean; pidsLimitHit: boolean; cpuSeconds: number | null } | undefined,
  limits: Required<JobLimits>,
): { limit: 'memory' | 'procs' | 'cpu' | 'filesize'; reason: string } | undefined {
  if (r.exitCode === 0) return undefined;
  if (usage?.oomKilled) return { limit: 'memory', reason: `${describeLimit('memory', limits.memory)} exceeded, OOM-killed` };
  // A shell reports a command killed by signal N as exit 128+N: SIGXCPU is 24, SIGXFSZ 25.
  const killed = r.signal === 'SIGKILL' || r.exitCode === 137;
  if (r.signal === 'SIGXCPU' || r.exitCode === 152 || (killed && (usage?.cpuSeconds ?? 0) >= 0.8 * limits.cpuSeconds)) {
    return { limit: 'cpu', reason: `${describeLimit('cpuSeconds', limits.cpuSeconds)} exceeded (SIGXCPU)` };
  }
  if (r.signal === 'SIGXFSZ' || r.exitCode === 153) return { limit: 'filesize', reason: `${describeLimit('filesize', limits.filesize)} exceeded (SIGXFSZ)` };
  if (usage?.pidsLimitHit) return { limit: 'procs', reason: `${describeLimit('procs', limits.procs)} reached: the job could not start more processes` };
  return undefined;
}

/** What a job sees: a safe allow-list of the runner's environment, git-ci's variables, its own env. */
export function jobEnvironment(spec: JobSpec, entry: QueueEntry, commit: string, ws: { home: string; tmp: string }): Record<string, string> {
  return {
    PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin',
    HOME: ws.home,
    TMPDIR: ws.tmp,
    LANG: process.env.LANG || 'C.UTF-8',
    ...spec.env,
    CI: 'true',
    GIT_CI: 'true',
    GIT_CI_RUN: entry.id,
    GIT_CI_ATTEMPT: String(entry.attempt),
    GIT_CI_JOB: spec.name,
    GIT_CI_COMMIT: commit,
    GIT_CI_REF: entry.ref,
    GIT_CI_BRANCH: refName(entry.ref),
  };
}
