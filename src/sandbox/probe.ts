// Which sandbox layers work on this machine, found by running each one (not by guessing from
// versions or files): cgroups, a separate uid, namespaces (bubblewrap, else unshare), rlimits.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeFds, findCgroupSupport, JobCgroup, type CgroupSupport } from './cgroup.js';
import { runQuiet } from './run-quiet.js';
import { bwrapArgv, joinCgroupScript, SYSTEM_DIRS, unshareArgv, type RlimitName, type ShellUlimits } from './layers.js';

export type LayerName = 'cgroup' | 'uid' | 'namespaces' | 'rlimits';

export interface LayerProbe {
  ok: boolean;
  /** What is active, or why not. */
  detail: string;
  /** How to get it, when it is missing. */
  fix?: string;
}

export interface SandboxCapabilities {
  cgroup: LayerProbe & { support?: CgroupSupport };
  uid: LayerProbe;
  /** `bin` (and `setpriv` for unshare): the tools' absolute paths, so a job's start searches no PATH. */
  namespaces: LayerProbe & { tool?: 'bwrap' | 'unshare'; bin?: string; setpriv?: string };
  rlimits: LayerProbe & { shell?: ShellUlimits };
}

/** The first uid of the slot uids when the runner is root (ci.sandbox.uidBase). */
export const DEFAULT_UID_BASE = 64000;

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH || '/usr/local/bin:/usr/bin:/bin').split(':')) {
    // Jobs start the tool by this path, from their own folder: never a relative one.
    if (!path.isAbsolute(dir)) continue;
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) if (existsSync(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

export async function probeSandbox(uidBase = DEFAULT_UID_BASE): Promise<SandboxCapabilities> {
  const [cgroup, uid, rlimits] = await Promise.all([probeCgroup(), probeUid(uidBase), probeRlimits()]);
  const namespaces = await probeNamespaces(uid.ok ? uidBase : undefined);
  return { cgroup, uid, namespaces, rlimits };
}

async function probeCgroup(): Promise<SandboxCapabilities['cgroup']> {
  const support = findCgroupSupport();
  const fix = 'run the runner as root with cgroup v1 (pids, memory, cpuacct, freezer) writable, or with a delegated cgroup v2 subtree (pids and memory controllers)';
  if (!support) return { ok: false, detail: 'no usable cgroup hierarchy found', fix };
  let cg: JobCgroup | undefined;
  try {
    cg = await JobCgroup.create(support, `probe-${process.pid}`, 'probe', { pidsMax: 16, memoryBytes: 64 * 1024 * 1024 });
    // Joined the way a job joins: its shell writes to inherited cgroup.procs descriptors.
    const fds = cg.openProcsFiles();
    let r;
    try {
      r = await runQuiet(['/bin/sh', '-c', `${joinCgroupScript(fds.length)}cat /proc/self/cgroup`], { fds });
    } finally {
      closeFds(fds);
    }
    if (!r.ok || !r.output.includes('/git-ci/probe-')) return { ok: false, detail: `could not join a cgroup: ${r.output || `exit ${r.code}`}`, fix };
    return { ok: true, detail: `cgroup v${support.version} (${Object.keys(support.bases).join(', ')})`, support };
  } catch (err) {
    return { ok: false, detail: `could not create a cgroup: ${(err as Error).message}`, fix };
  } finally {
    if (cg) {
      await cg.remove();
      for (const base of Object.values(support.bases)) await fs.rmdir(path.join(base, 'git-ci', `probe-${process.pid}`)).catch(() => undefined);
    }
  }
}

async function probeUid(uidBase: number): Promise<LayerProbe> {
  if (process.getuid?.() !== 0) return { ok: false, detail: `the runner is not root (uid ${process.getuid?.()}): jobs run as the runner's user`, fix: 'run the runner as root to give each slot its own unprivileged uid' };
  const r = await runQuiet(['/bin/sh', '-c', 'id -u; id -G'], { uid: uidBase });
  if (!r.ok || r.output !== `${uidBase}\n${uidBase}`) return { ok: false, detail: `could not switch to uid ${uidBase}: ${r.output}`, fix: 'check that ci.sandbox.uidBase names free uids' };
  return { ok: true, detail: `one unprivileged uid per host slot, from ${uidBase}` };
}

/** Where each rlimit shows in /proc/self/limits, and the `ulimit` flags that may set it (dash: -p, bash: -u). */
const ULIMIT_CANDIDATES: Record<RlimitName, { flags: string[]; line: string; probeValue: number }> = {
  cpu: { flags: ['t'], line: 'Max cpu time', probeValue: 4093 },
  filesize: { flags: ['f'], line: 'Max file size', probeValue: 4093 },
  data: { flags: ['d'], line: 'Max data size', probeValue: 4093 },
  nofile: { flags: ['n'], line: 'Max open files', probeValue: 61 },
  nproc: { flags: ['p', 'u'], line: 'Max processes', probeValue: 4093 },
};

// The job's own shell sets its rlimits (no extra exec): find which `ulimit` flag sets each one,
// and in what unit, by setting it and reading back what the kernel applied.
async function probeRlimits(): Promise<SandboxCapabilities['rlimits']> {
  const fix = 'make /bin/sh a POSIX shell whose ulimit sets -t, -f, -d, -n and -p or -u (dash or bash)';
  const tries = Object.entries(ULIMIT_CANDIDATES).flatMap(([name, c]) =>
    c.flags.map((flag) => `(ulimit -S -${flag} ${c.probeValue} 2>/dev/null && while read -r l; do case $l in "${c.line}"*) echo "${name} ${flag} $l";; esac; done </proc/self/limits)`),
  );
  const r = await runQuiet(['/bin/sh', '-c', tries.join('\n')]);
  const found: Partial<ShellUlimits> = {};
  for (const line of r.output.split('\n')) {
    const m = /^(\w+) (\w) Max [a-z ]+?\s+(\d+)\s/.exec(line);
    if (!m) continue;
    const name = m[1] as RlimitName;
    const unit = Number(m[3]) / ULIMIT_CANDIDATES[name].probeValue;
    if (!found[name] && Number.isInteger(unit) && unit >= 1) found[name] = { flag: m[2]!, unit };
  }
  const missing = (Object.keys(ULIMIT_CANDIDATES) as RlimitName[]).filter((n) => !found[n]);
  if (missing.length > 0) return { ok: false, detail: `/bin/sh's ulimit cannot set ${missing.join(', ')}${r.ok ? '' : `: ${r.output}`}`, fix };
  return { ok: true, detail: "the job shell's ulimit (cpu, fsize, nofile, nproc; data without a memory cgroup)", shell: found as ShellUlimits };
}

async function probeNamespaces(uid: number | undefined): Promise<SandboxCapabilities['namespaces']> {
  const bwrap = which('bwrap');
  let bwrapWhy = 'bubblewrap (bwrap) is not installed';
  if (bwrap) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-probe-'));
    try {
      if (uid !== undefined) await fs.chown(dir, uid, uid);
      const argv = [...bwrapArgv(bwrap, { root: dir, cwd: dir, network: false }), '/bin/sh', '-c', 'echo $$; ls /'];
      const r = await runQuiet(argv, { uid });
      const [pid, ...rest] = r.output.split('\n');
      if (r.ok && pid === '1' && !rest.includes('root')) {
        return { ok: true, tool: 'bwrap', bin: bwrap, detail: `bubblewrap: own pid, mount, network, ipc and uts namespaces; read-only ${SYSTEM_DIRS.join(' ')}; private /tmp` };
      }
      bwrapWhy = `bubblewrap failed: ${r.output || `exit ${r.code}`}`;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  const unshare = which('unshare');
  const setpriv = which('setpriv');
  if (unshare && setpriv) {
    const root = uid === undefined && process.getuid?.() === 0;
    const r = await runQuiet([...unshareArgv(unshare, { network: false, root, setpriv }), '/bin/sh', '-c', 'echo $$'], { uid });
    if (r.ok && r.output === '1') {
      return { ok: true, tool: 'unshare', bin: unshare, setpriv, detail: `unshare: own pid and network namespaces, but the file system is shared (${bwrapWhy})`, fix: 'apt-get install bubblewrap (and allow unprivileged user namespaces) to hide the repository and the runner from jobs' };
    }
  }
  return { ok: false, detail: `no namespaces: ${bwrapWhy}; unshare failed too`, fix: 'apt-get install bubblewrap, and enable user namespaces (sysctl kernel.unprivileged_userns_clone=1)' };
}
