// Which sandbox layers work on this machine, found by running each one (not by guessing from
// versions or files): cgroups, a separate uid, namespaces (bubblewrap, else unshare), rlimits.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findCgroupSupport, JobCgroup, type CgroupSupport } from './cgroup.js';
import { runQuiet } from './run-quiet.js';
import { bwrapArgv, SYSTEM_DIRS } from './layers.js';

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
  namespaces: LayerProbe & { tool?: 'bwrap' | 'unshare' };
  rlimits: LayerProbe;
}

/** The first uid of the slot uids when the runner is root (ci.sandbox.uidBase). */
export const DEFAULT_UID_BASE = 64000;

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH || '/usr/local/bin:/usr/bin:/bin').split(':')) {
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
    const r = await runQuiet(cg.joinArgv(['/bin/sh', '-c', 'cat /proc/self/cgroup']));
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
  const setpriv = which('setpriv');
  if (!setpriv) return { ok: false, detail: 'setpriv not found', fix: 'apt-get install util-linux' };
  const r = await runQuiet([setpriv, `--reuid=${uidBase}`, `--regid=${uidBase}`, '--clear-groups', '--', '/bin/sh', '-c', 'id -u']);
  if (!r.ok || r.output !== String(uidBase)) return { ok: false, detail: `setpriv could not switch to uid ${uidBase}: ${r.output}`, fix: 'check that setpriv works' };
  return { ok: true, detail: `one unprivileged uid per host slot, from ${uidBase}` };
}

async function probeRlimits(): Promise<LayerProbe> {
  const prlimit = which('prlimit');
  if (!prlimit) return { ok: false, detail: 'prlimit not found', fix: 'apt-get install util-linux' };
  const r = await runQuiet([prlimit, '--nofile=64', '--cpu=10', '--', '/bin/sh', '-c', 'ulimit -n']);
  if (!r.ok || r.output !== '64') return { ok: false, detail: `prlimit did not apply limits: ${r.output}`, fix: 'check that prlimit works' };
  return { ok: true, detail: 'prlimit (cpu, fsize, nofile, nproc; data without a memory cgroup)' };
}

async function probeNamespaces(uid: number | undefined): Promise<SandboxCapabilities['namespaces']> {
  const drop = uid === undefined ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
  const bwrap = which('bwrap');
  let bwrapWhy = 'bubblewrap (bwrap) is not installed';
  if (bwrap) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-probe-'));
    try {
      if (uid !== undefined) await fs.chown(dir, uid, uid);
      const argv = [...drop, ...bwrapArgv(bwrap, { root: dir, cwd: dir, network: false }), '/bin/sh', '-c', 'echo $$; ls /'];
      const r = await runQuiet(argv);
      const [pid, ...rest] = r.output.split('\n');
      if (r.ok && pid === '2' && !rest.includes('root')) {
        return { ok: true, tool: 'bwrap', detail: `bubblewrap: own pid, mount, network, ipc and uts namespaces; read-only ${SYSTEM_DIRS.join(' ')}; private /tmp` };
      }
      bwrapWhy = `bubblewrap failed: ${r.output || `exit ${r.code}`}`;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  const unshare = which('unshare');
  if (unshare) {
    const user = uid === undefined && process.getuid?.() !== 0 ? ['--user', '--map-root-user'] : [];
    const r = await runQuiet([...drop, unshare, ...user, '--pid', '--fork', '--kill-child', '--mount-proc', '--net', '--', '/bin/sh', '-c', 'echo $$']);
    if (r.ok && r.output === '1') {
      return { ok: true, tool: 'unshare', detail: `unshare: own pid and network namespaces, but the file system is shared (${bwrapWhy})`, fix: 'apt-get install bubblewrap (and allow unprivileged user namespaces) to hide the repository and the runner from jobs' };
    }
  }
  return { ok: false, detail: `no namespaces: ${bwrapWhy}; unshare failed too`, fix: 'apt-get install bubblewrap, and enable user namespaces (sysctl kernel.unprivileged_userns_clone=1)' };
}
