// The command lines and shell lines of the layers. A job starts as: [uid: set by spawn itself] →
// [bwrap | setpriv --pdeathsig + unshare: namespaces] → /bin/sh, whose first lines join the
// job's cgroup (through inherited file descriptors) and set its rlimits (the `ulimit` builtin),
// then run the job. Each exec costs a whole process start, so no layer adds one it can avoid.
import { existsSync } from 'node:fs';

/** System folders a job sees, read-only. Nothing else of the host is visible. */
export const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'].filter((d) => existsSync(d));

export interface BwrapOptions {
  /** The job's own folder (workspace, home, tmp), bound read-write at the same path. */
  root: string;
  cwd: string;
  network: boolean;
}

// --as-pid-1: the job's shell is the namespace's init, which saves bubblewrap's own init process;
// when it exits, the kernel kills everything left in the namespace.
export function bwrapArgv(bwrap: string, o: BwrapOptions): string[] {
  const argv = [bwrap, '--unshare-all', '--as-pid-1', '--die-with-parent', '--new-session'];
  if (o.network) argv.push('--share-net');
  for (const dir of SYSTEM_DIRS) argv.push('--ro-bind', dir, dir);
  argv.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', o.root, o.root, '--chdir', o.cwd, '--');
  return argv;
}

/** unshare does not die with the runner by itself: setpriv (by its path, else found in PATH) asks the kernel to kill it then. */
export function unshareArgv(unshare: string, o: { network: boolean; root: boolean; setpriv?: string }): string[] {
  const argv = [o.setpriv ?? 'setpriv', '--pdeathsig=KILL', '--', unshare];
  if (!o.root) argv.push('--user', '--map-root-user');
  argv.push('--pid', '--fork', '--kill-child', '--mount-proc');
  if (!o.network) argv.push('--net');
  argv.push('--');
  return argv;
}

/** The first file descriptor of the cgroup.procs files a job's shell inherits (after stdin, stdout, stderr). */
export const FIRST_JOIN_FD = 3;

/**
 * Shell lines that move the shell itself into the job's cgroup: writing 0 to cgroup.procs means
 * "the writer", and the kernel checks the permission of whoever opened the file (the runner), so
 * this works from inside the namespaces as the slot's uid. The descriptors are closed at once.
 */
export function joinCgroupScript(count: number): string {
  if (count === 0) return '';
  const fds = Array.from({ length: count }, (_, i) => FIRST_JOIN_FD + i);
  if (fds.at(-1)! > 9) throw new Error(`a shell redirects only file descriptors 0-9, not ${fds.at(-1)}`);
  return `${fds.map((fd) => `echo 0 >&${fd}`).join(' && ')} || { echo "git-ci: could not join the job's cgroup" >&2; exit 125; }
exec ${fds.map((fd) => `${fd}>&-`).join(' ')}
`;
}

export type RlimitName = 'cpu' | 'filesize' | 'data' | 'nofile' | 'nproc';

/** How this machine's /bin/sh sets one rlimit: the `ulimit` flag and the size of its unit in the kernel's unit. */
export interface UlimitFlag {
  flag: string;
  unit: number;
}

export type ShellUlimits = Record<RlimitName, UlimitFlag>;

/** Values in the kernel's units: seconds, bytes, bytes, descriptors, processes. */
export type Rlimits = Partial<Record<RlimitName, number>>;

/**
 * Shell lines that set the job's rlimits, both soft and hard so the job cannot raise them.
 * CPU time gets a hard limit one second above the soft one: SIGXCPU at the limit (reported as
 * such), SIGKILL a second later. Sizes round down to the shell's unit (512-byte blocks, KiB).
 */
export function ulimitScript(shell: ShellUlimits, limits: Rlimits): string {
  const lines: string[] = [];
  for (const name of Object.keys(limits) as RlimitName[]) {
    const value = limits[name];
    if (value === undefined) continue;
    const { flag, unit } = shell[name];
    const n = Math.max(1, Math.floor(value / unit));
    lines.push(name === 'cpu' ? `ulimit -S -${flag} ${n} && ulimit -H -${flag} ${n + 1}` : `ulimit -${flag} ${n}`);
  }
  if (lines.length === 0) return '';
  return `{ ${lines.join(' && ')}; } || { echo "git-ci: could not set the job's rlimits" >&2; exit 125; }\n`;
}
