// A cgroup per job: pids.max stops fork bombs, a memory limit, usage counters, and the only
// kill that catches every process of a job. cgroup v2 where its controllers are delegated to
// us, else v1 (pids, memory, cpuacct, freezer). Each job's group sits under the runner's own
// group, in `git-ci/r<runner pid>_<start>/<name>`, so a dead runner's groups can be found.
import { promises as fs, readFileSync, writeFileSync, existsSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';

export type CgroupVersion = 1 | 2;

export interface CgroupSupport {
  version: CgroupVersion;
  /** v2: the runner's group folder. v1: each controller's folder for the runner. */
  bases: Record<string, string>;
}

export interface CgroupLimits {
  memoryBytes?: number;
  pidsMax?: number;
}

export interface CgroupUsage {
  cpuSeconds: number | null;
  peakMemoryBytes: number | null;
  peakPids: number | null;
  oomKilled: boolean;
  pidsLimitHit: boolean;
}

const V1_CONTROLLERS = ['pids', 'memory', 'cpuacct', 'freezer'] as const;

/** Where the runner may create cgroups, found from /proc/self/cgroup and the mounts; undefined when none is usable. */
export function findCgroupSupport(): CgroupSupport | undefined {
  let mounts: string;
  let own: string;
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
    own = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const mountLines = mounts.split('\n').map((l) => l.split(' '));
  const v2Mount = mountLines.find((f) => f[2] === 'cgroup2')?.[1];
  const v2Path = own.split('\n').find((l) => l.startsWith('0::'))?.slice(3);
  if (v2Mount && v2Path !== undefined) {
    const base = path.join(v2Mount, v2Path);
    const controllers = readText(path.join(base, 'cgroup.controllers')).split(/\s+/);
    if (controllers.includes('pids') && controllers.includes('memory')) return { version: 2, bases: { unified: base } };
  }
  const bases: Record<string, string> = {};
  for (const controller of V1_CONTROLLERS) {
    const mount = mountLines.find((f) => f[2] === 'cgroup' && (f[3] ?? '').split(',').includes(controller))?.[1];
    const line = own.split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller));
    if (!mount || !line) return undefined;
    bases[controller] = path.join(mount, line.split(':').slice(2).join(':'));
  }
  return { version: 1, bases };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

// A cgroup's files live in kernel memory, never on a disk: a synchronous read cost the runner's
// thread ~30 µs here, fs.promises.readFile ~230 µs (open, stat, read, close through the thread pool).

async function readNumber(file: string): Promise<number | null> {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

async function readKeyed(file: string, key: string): Promise<number | null> {
  try {
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(' ')[1]) : null;
  } catch {
    return null;
  }
}

export class JobCgroup {
  private peakPids = 0;
  private sampler: NodeJS.Timeout | undefined;

  private constructor(
    readonly support: CgroupSupport,
    /** The job's folder in each hierarchy (one for v2). */
    readonly dirs: Record<string, string>,
  ) {}

  /** Creates the job's group with its limits; the job's shell joins it through `openProcsFiles`. */
  static async create(support: CgroupSupport, runnerDir: string, name: string, limits: CgroupLimits): Promise<JobCgroup> {
    const dirs: Record<string, string> = {};
    for (const [controller, base] of Object.entries(support.bases)) dirs[controller] = path.join(base, 'git-ci', runnerDir, name);
    // The hierarchies are independent: their folders are made at once, not one after another.
    await Promise.all(
      Object.entries(support.bases).map(async ([controller, base]) => {
        // v1: a recursive mkdir makes the runner's folder too, when it is the first job.
        if (support.version === 2) await enableV2Controllers(base, path.join(base, 'git-ci', runnerDir));
        await fs.mkdir(dirs[controller]!, { recursive: true });
      }),
    );
    const cg = new JobCgroup(support, dirs);
    await cg.applyLimits(limits);
    return cg;
  }

  private file(controller: string, name: string): string {
    return path.join(this.support.version === 2 ? this.dirs.unified! : this.dirs[controller]!, name);
  }

  private async applyLimits(limits: CgroupLimits): Promise<void> {
    if (this.support.version === 2) {
      if (limits.pidsMax) await fs.writeFile(this.file('pids', 'pids.max'), String(limits.pidsMax));
      if (limits.memoryBytes) {
        await fs.writeFile(this.file('memory', 'memory.max'), String(limits.memoryBytes));
        await fs.writeFile(this.file('memory', 'memory.swap.max'), '0').catch(() => undefined);
      }
      return;
    }
    // Kernel memory, as for the reads: synchronous writes cost the runner's thread a fraction.
    if (limits.pidsMax) writeFileSync(this.file('pids', 'pids.max'), String(limits.pidsMax));
    if (limits.memoryBytes) {
      writeFileSync(this.file('memory', 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // Without this the job could spill into swap past its limit.
      try {
        writeFileSync(this.file('memory', 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      } catch {
        // No swap accounting on this kernel.
      }
    }
  }

  /**
   * Opens each hierarchy's cgroup.procs for writing, for the job's shell to inherit and join
   * through (see joinCgroupScript); the caller closes them once the job is spawned.
   */
  openProcsFiles(): number[] {
    const fds: number[] = [];
    try {
      for (const dir of Object.values(this.dirs)) fds.push(openSync(path.join(dir, 'cgroup.procs'), 'w'));
    } catch (err) {
      closeFds(fds);
      throw err;
    }
    return fds;
  }

  /** Samples pids.current, since cgroup v1 keeps no peak of it. */
  startSampling(intervalMs = 100): void {
    const sample = async () => {
      const n = await readNumber(this.file('pids', 'pids.current'));
      if (n !== null && n > this.peakPids) this.peakPids = n;
    };
    void sample();
    this.sampler = setInterval(() => void sample(), intervalMs);
    this.sampler.unref();
  }

  async pids(): Promise<number[]> {
    try {
      const text = readFileSync(this.file('pids', 'cgroup.procs'), 'utf8');
      return text.split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  async usage(): Promise<CgroupUsage> {
    if (this.sampler) clearInterval(this.sampler);
    const v2 = this.support.version === 2;
    const cpu = v2 ? await readKeyed(this.file('cpu', 'cpu.stat'), 'usage_usec') : await readNumber(this.file('cpuacct', 'cpuacct.usage'));
    const peakMemory = v2 ? await readNumber(this.file('memory', 'memory.peak')) : await readNumber(this.file('memory', 'memory.max_usage_in_bytes'));
    const oom = v2 ? await readKeyed(this.file('memory', 'memory.events'), 'oom_kill') : await readKeyed(this.file('memory', 'memory.oom_control'), 'oom_kill');
    const pidsMax = await readKeyed(this.file('pids', 'pids.events'), 'max');
    const current = await readNumber(this.file('pids', 'pids.current'));
    // Newer kernels keep the peak themselves (pids.peak); older ones only have our samples.
    const kernelPeak = await readNumber(this.file('pids', 'pids.peak'));
    if (kernelPeak !== null && kernelPeak > this.peakPids) this.peakPids = kernelPeak;
    return {
      cpuSeconds: cpu === null ? null : v2 ? cpu / 1e6 : cpu / 1e9,
      peakMemoryBytes: peakMemory,
      peakPids: Math.max(this.peakPids, current ?? 0) || null,
      oomKilled: (oom ?? 0) > 0,
      pidsLimitHit: (pidsMax ?? 0) > 0,
    };
  }

  /** Kills every process in the group, whatever it did (setsid, double fork): v2 cgroup.kill; v1 freeze, kill, thaw. */
  async killAll(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const pids = await this.pids();
      if (pids.length === 0) return;
      if (this.support.version === 2 && existsSync(this.file('pids', 'cgroup.kill'))) {
        await fs.writeFile(this.file('pids', 'cgroup.kill'), '1').catch(() => undefined);
      } else {
        const freezer = this.support.version === 2 ? this.file('pids', 'cgroup.freeze') : this.file('freezer', 'freezer.state');
        await fs.writeFile(freezer, this.support.version === 2 ? '1' : 'FROZEN').catch(() => undefined);
        for (const pid of await this.pids()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await fs.writeFile(freezer, this.support.version === 2 ? '0' : 'THAWED').catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, round < 5 ? 5 : 20));
    }
  }

  /** Sends a signal to every process in the group (SIGTERM before the grace period). */
  async signalAll(signal: NodeJS.Signals): Promise<void> {
    for (const pid of await this.pids()) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Kills what is left and removes the group's folders. */
  async remove(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await this.killAll();
    await Promise.all(Object.values(this.dirs).map((dir) => removeCgroupDir(dir)));
  }
}

export function closeFds(fds: number[]): void {
  for (const fd of fds) closeSync(fd);
}

async function enableV2Controllers(base: string, parent: string): Promise<void> {
  let dir = base;
  for (const part of path.relative(base, parent).split(path.sep)) {
    await fs.writeFile(path.join(dir, 'cgroup.subtree_control'), '+pids +memory +cpu').catch(() => undefined);
    dir = path.join(dir, part);
    await fs.mkdir(dir, { recursive: true });
  }
  await fs.writeFile(path.join(dir, 'cgroup.subtree_control'), '+pids +memory +cpu').catch(() => undefined);
}

async function removeCgroupDir(dir: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Removes the job groups of runners that are gone: kills what is left in them, then rmdir. */
export async function removeStaleCgroups(support: CgroupSupport, isLiveRunnerDir: (name: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const base of Object.values(support.bases)) {
    const root = path.join(base, 'git-ci');
    let runnerDirs: string[];
    try {
      runnerDirs = (await fs.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const runnerDir of runnerDirs) {
      if (isLiveRunnerDir(runnerDir)) continue;
      const dir = path.join(root, runnerDir);
      for (const job of (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory())) {
        const jobDir = path.join(dir, job.name);
        const procs = (await fs.readFile(path.join(jobDir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
        for (const pid of procs) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone
          }
        }
        await removeCgroupDir(jobDir);
        removed.push(jobDir);
      }
      await removeCgroupDir(dir);
    }
  }
  return removed;
}
