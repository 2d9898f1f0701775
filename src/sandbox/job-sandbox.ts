// One job's sandbox, built from the layers the probe found: its cgroup, its uid, its
// namespaces and its rlimits; how to start a command inside it, stop everything in it, and
// read what it used. Lifecycle: prepare → spawn → terminate/killAll → usage → destroy.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { promises as fs, lchownSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { JobLimits } from '../pipeline/types.js';
import { closeFds, JobCgroup, type CgroupUsage } from './cgroup.js';
import type { SandboxCapabilities, LayerName } from './probe.js';
import { bwrapArgv, joinCgroupScript, ulimitScript, unshareArgv } from './layers.js';
import { signalProcessGroup, processGroupAlive } from './kill-tree.js';
import { ProcTreeSampler } from './proc-usage.js';

export type SandboxMode = 'auto' | 'strict' | 'off';

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface JobSandboxOptions {
  mode: SandboxMode;
  caps: SandboxCapabilities | undefined;
  /** Folder name for this runner's cgroups (identifies the runner, so stale ones can be found). */
  runnerDir: string;
  /** Unique name of the job's cgroup. */
  name: string;
  /** The job's own folder: workspace, home, tmp; the only writable place it sees. */
  root: string;
  cwd: string;
  network: boolean;
  limits: Required<JobLimits>;
  /** The host slot's uid, when the uid layer is active. */
  uid: number | undefined;
}

/** The layers that would be missing under ci.sandbox=strict, with why and the fix. */
export function missingLayers(caps: SandboxCapabilities): string[] {
  return (Object.keys(caps) as LayerName[])
    .filter((k) => !caps[k].ok)
    .map((k) => `${k}: ${caps[k].detail}${caps[k].fix ? ` (fix: ${caps[k].fix})` : ''}`);
}

export class JobSandbox {
  private pgid: number | undefined;
  /** Without a cgroup, usage comes from sampling the job's process tree in /proc. */
  private sampler: ProcTreeSampler | undefined;

  private constructor(
    readonly options: JobSandboxOptions,
    readonly layers: string[],
    readonly cgroup: JobCgroup | undefined,
  ) {}

  static async prepare(options: JobSandboxOptions): Promise<JobSandbox> {
    const { caps, mode } = options;
    if (mode === 'off' || !caps) return new JobSandbox(options, [], undefined);
    if (mode === 'strict') {
      const missing = missingLayers(caps);
      if (missing.length > 0) throw new SandboxError(`ci.sandbox is strict and a layer is missing: ${missing.join('; ')}`);
    }
    const layers: string[] = [];
    let cgroup: JobCgroup | undefined;
    if (caps.cgroup.ok && caps.cgroup.support) {
      cgroup = await JobCgroup.create(caps.cgroup.support, options.runnerDir, options.name, {
        memoryBytes: options.limits.memory,
        pidsMax: options.limits.procs,
      });
      cgroup.startSampling();
      layers.push(`cgroup-v${caps.cgroup.support.version}`);
    }
    if (caps.uid.ok && options.uid !== undefined) {
      await chownTree(options.root, options.uid);
      await fs.chmod(options.root, 0o700);
      layers.push(`uid-${options.uid}`);
    }
    if (caps.namespaces.ok) layers.push(caps.namespaces.tool === 'bwrap' ? 'bwrap' : 'unshare');
    if (caps.rlimits.ok) layers.push('rlimits');
    return new JobSandbox(options, layers, cgroup);
  }

  /**
   * Starts `/bin/sh -c <script> <name> <args…>` inside every active layer, in its own process
   * group. Before the script, that shell joins the job's cgroup and sets the job's rlimits, so
   * both hold before any command of the job runs, at the cost of no extra exec.
   */
  spawn(script: string, args: string[], options: { cwd: string; env: Record<string, string>; stdio: StdioOptions }): ChildProcess {
    const fds = this.cgroup?.openProcsFiles() ?? [];
    try {
      const shell = ['/bin/sh', '-c', `${joinCgroupScript(fds.length)}${this.rlimitScript()}${script}`, ...args];
      const argv = [...this.namespaceArgv(), ...shell];
      const uid = this.layers.some((l) => l.startsWith('uid-')) ? this.options.uid : undefined;
      const stdio = [...(options.stdio as (string | number)[]), ...fds] as StdioOptions;
      const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, stdio, detached: true, uid, gid: uid });
      if (child.pid !== undefined) this.started(child.pid);
      return child;
    } finally {
      closeFds(fds);
    }
  }

  private namespaceArgv(): string[] {
    const { root, cwd, network, caps } = this.options;
    // By the path the probe found: a bare name costs an execve for every PATH entry before it.
    const ns = caps?.namespaces;
    if (this.layers.includes('bwrap')) return bwrapArgv(ns?.bin ?? 'bwrap', { root, cwd, network });
    if (this.layers.includes('unshare')) {
      return unshareArgv(ns?.bin ?? 'unshare', { network, root: process.getuid?.() === 0 && !this.layers.some((l) => l.startsWith('uid-')), setpriv: ns?.setpriv });
    }
    return [];
  }

  private rlimitScript(): string {
    const { caps, limits } = this.options;
    if (!this.layers.includes('rlimits') || !caps?.rlimits.shell) return '';
    const dropsUid = this.layers.some((l) => l.startsWith('uid-'));
    return ulimitScript(caps.rlimits.shell, {
      cpu: limits.cpuSeconds,
      filesize: limits.filesize,
      nofile: limits.nofile,
      // RLIMIT_NPROC counts per uid: it binds only when the job has a uid of its own. With a
      // cgroup, pids.max is the limit (and counts its hits); nproc is only a backstop above it.
      nproc: dropsUid ? (this.cgroup ? limits.procs + 16 : limits.procs) : undefined,
      // The memory cgroup is the real limit; without it, the data segment is the next best.
      data: this.cgroup ? undefined : limits.memory,
    });
  }

  /** Gives the job's folder, filled since `prepare`, to the slot's uid: call it before the job's commands run. */
  async handOver(): Promise<void> {
    if (this.layers.some((l) => l.startsWith('uid-')) && this.options.uid !== undefined) await chownTree(this.options.root, this.options.uid);
  }

  /** Records the spawned process (its own process group): the fallback kill when there is no cgroup. */
  private started(pid: number): void {
    this.pgid = pid;
    if (!this.cgroup) {
      this.sampler = new ProcTreeSampler(pid);
      this.sampler.start();
    }
  }

  /** SIGTERM to everything of the job: the polite first step of a timeout or cancel. */
  async terminate(): Promise<void> {
    // With a cgroup, only the job's own processes: bwrap or unshare, outside it, would take the
    // whole job down at once when they die (die-with-parent), skipping the grace period.
    if (this.cgroup) await this.cgroup.signalAll('SIGTERM');
    else if (this.pgid) signalProcessGroup(this.pgid, 'SIGTERM');
  }

  /** True while any process of the job is alive. */
  async alive(): Promise<boolean> {
    if (this.cgroup) return (await this.cgroup.pids()).length > 0;
    return this.pgid !== undefined && processGroupAlive(this.pgid);
  }

  /** SIGKILL to everything of the job, including what escaped its process group. */
  async killAll(): Promise<void> {
    if (this.pgid) signalProcessGroup(this.pgid, 'SIGKILL');
    if (this.cgroup) await this.cgroup.killAll();
  }

  async usage(): Promise<CgroupUsage | undefined> {
    if (this.cgroup) return this.cgroup.usage();
    if (!this.sampler) return undefined;
    return { ...this.sampler.stop(), oomKilled: false, pidsLimitHit: false };
  }

  async destroy(): Promise<void> {
    this.sampler?.stop();
    await this.killAll();
    await this.cgroup?.remove();
  }
}

/**
 * lchown of a whole tree (never through a link) with synchronous calls, yielding to the event
 * loop every 64 entries: a promise per entry cost the runner's thread several times more, and a
 * large checkout still never blocks it for long. The checkout may still be writing while
 * `prepare` runs (git's index.lock comes and goes): what is gone needs no owner.
 */
async function chownTree(dir: string, uid: number): Promise<void> {
  let seen = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      lchownSync(d, uid, uid);
      entries = readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if (isGone(err)) return;
      throw err;
    }
    for (const entry of entries) {
      if (++seen % 64 === 0) await new Promise((r) => setImmediate(r));
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        try {
          lchownSync(p, uid, uid);
        } catch (err) {
          if (!isGone(err)) throw err;
        }
      }
    }
  };
  await walk(dir);
}

function isGone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}
