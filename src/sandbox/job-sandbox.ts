// One job's sandbox, built from the layers the probe found: its cgroup, its uid, its
// namespaces and its rlimits; how to start a command inside it, stop everything in it, and
// read what it used. Lifecycle: prepare → argv (spawn) → terminate/killAll → usage → destroy.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobLimits } from '../pipeline/types.js';
import { JobCgroup, type CgroupUsage } from './cgroup.js';
import type { SandboxCapabilities, LayerName } from './probe.js';
import { bwrapArgv, prlimitArgv, setprivArgv, unshareArgv } from './layers.js';
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

  /** The command line that runs `inner` (already a full argv) inside every active layer. */
  argv(inner: string[]): string[] {
    const { caps, limits, uid } = this.options;
    let argv = inner;
    if (!caps || this.layers.length === 0) return argv;
    const dropsUid = this.layers.some((l) => l.startsWith('uid-'));
    if (this.layers.includes('rlimits')) {
      argv = [
        ...prlimitArgv({
          cpuSeconds: limits.cpuSeconds,
          filesize: limits.filesize,
          nofile: limits.nofile,
          // RLIMIT_NPROC counts per uid: it binds only when the job has a uid of its own. With a
          // cgroup, pids.max is the limit (and counts its hits); nproc is only a backstop above it.
          nproc: dropsUid ? (this.cgroup ? limits.procs + 16 : limits.procs) : undefined,
          // The memory cgroup is the real limit; without it, the data segment is the next best.
          data: this.cgroup ? undefined : limits.memory,
        }),
        ...argv,
      ];
    }
    if (this.layers.includes('bwrap')) {
      argv = [...bwrapArgv('bwrap', { root: this.options.root, cwd: this.options.cwd, network: this.options.network }), ...argv];
    } else if (this.layers.includes('unshare')) {
      argv = [...unshareArgv('unshare', { network: this.options.network, asRoot: process.getuid?.() === 0, dropsUid }), ...argv];
    }
    if (dropsUid && uid !== undefined) argv = [...setprivArgv(uid), ...argv];
    // unshare does not die with the runner by itself: make the kernel kill it when the runner dies.
    else if (this.layers.includes('unshare')) argv = ['setpriv', '--pdeathsig=KILL', '--', ...argv];
    if (this.cgroup) argv = this.cgroup.joinArgv(argv);
    return argv;
  }

  /** Records the spawned process (its own process group): the fallback kill when there is no cgroup. */
  started(pid: number): void {
    this.pgid = pid;
    if (!this.cgroup) {
      this.sampler = new ProcTreeSampler(pid);
      this.sampler.start();
    }
  }

  /** SIGTERM to everything of the job: the polite first step of a timeout or cancel. */
  async terminate(): Promise<void> {
    if (this.cgroup) await this.cgroup.signalAll('SIGTERM');
    if (this.pgid) signalProcessGroup(this.pgid, 'SIGTERM');
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

async function chownTree(dir: string, uid: number): Promise<void> {
  await fs.lchown(dir, uid, uid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, uid);
    else await fs.lchown(p, uid, uid);
  }
}
