// Usage of a process tree from /proc, for jobs without a cgroup: sampled CPU time, peak
// resident memory and peak process count of the tree under the job's first process.
// (What pidusage does per pid, for a whole tree, with no dependency.)
import { promises as fs } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

interface ProcInfo {
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

async function readProc(pid: number): Promise<ProcInfo | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14) … rss(21)
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]), rssPages: Number(f[21]) };
  } catch {
    return undefined;
  }
}

export class ProcTreeSampler {
  private timer: NodeJS.Timeout | undefined;
  private cpuTicks = 0;
  private peakRss = 0;
  private peakPids = 0;

  constructor(private readonly root: number) {}

  start(intervalMs = 200): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    const pids = (await fs.readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).map(Number);
    const infos = new Map<number, ProcInfo>();
    await Promise.all(pids.map(async (pid) => {
      const info = await readProc(pid);
      if (info) infos.set(pid, info);
    }));
    const tree = new Set<number>([this.root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, info] of infos) if (!tree.has(pid) && tree.has(info.ppid)) (tree.add(pid), (grew = true));
    }
    let cpu = 0;
    let rss = 0;
    let count = 0;
    for (const pid of tree) {
      const info = infos.get(pid);
      if (!info) continue;
      count++;
      rss += info.rssPages;
      cpu += info.cpuTicks;
    }
    if (count === 0) return;
    this.cpuTicks = Math.max(this.cpuTicks, cpu);
    this.peakRss = Math.max(this.peakRss, rss * PAGE);
    this.peakPids = Math.max(this.peakPids, count);
  }

  /** What the tree used, as sampled (CPU of processes that ended between samples may be missed). */
  stop(): { cpuSeconds: number | null; peakMemoryBytes: number | null; peakPids: number | null } {
    if (this.timer) clearInterval(this.timer);
    return { cpuSeconds: this.cpuTicks / TICKS, peakMemoryBytes: this.peakRss || null, peakPids: this.peakPids || null };
  }
}
