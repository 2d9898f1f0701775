// The command lines of the layers, outermost first: [cgroup join] → [setpriv: slot uid] →
// [bwrap | unshare: namespaces] → [prlimit: rlimits] → /bin/sh -c <command>.
import { existsSync } from 'node:fs';

/** System folders a job sees, read-only. Nothing else of the host is visible. */
export const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'].filter((d) => existsSync(d));

export interface BwrapOptions {
  /** The job's own folder (workspace, home, tmp), bound read-write at the same path. */
  root: string;
  cwd: string;
  network: boolean;
}

export function bwrapArgv(bwrap: string, o: BwrapOptions): string[] {
  const argv = [bwrap, '--unshare-all', '--die-with-parent', '--new-session'];
  if (o.network) argv.push('--share-net');
  for (const dir of SYSTEM_DIRS) argv.push('--ro-bind', dir, dir);
  argv.push('--proc', '/proc', '--dev', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', o.root, o.root, '--chdir', o.cwd, '--');
  return argv.filter((a, i, all) => !(a === '--dev' && all[i + 1] === '--dev'));
}

export function unshareArgv(unshare: string, o: { network: boolean; asRoot: boolean; dropsUid: boolean }): string[] {
  const argv = [unshare];
  if (!o.asRoot && !o.dropsUid) argv.push('--user', '--map-root-user');
  argv.push('--pid', '--fork', '--kill-child', '--mount-proc');
  if (!o.network) argv.push('--net');
  argv.push('--');
  return argv;
}

export function setprivArgv(uid: number): string[] {
  return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--pdeathsig=KILL', '--'];
}

export interface Rlimits {
  cpuSeconds?: number;
  filesize?: number;
  nofile?: number;
  nproc?: number;
  data?: number;
}

export function prlimitArgv(l: Rlimits): string[] {
  const argv = ['prlimit'];
  // soft < hard: the job gets SIGXCPU at its limit (reported as such), SIGKILL a second later.
  if (l.cpuSeconds) argv.push(`--cpu=${l.cpuSeconds}:${l.cpuSeconds + 1}`);
  if (l.filesize) argv.push(`--fsize=${l.filesize}`);
  if (l.nofile) argv.push(`--nofile=${l.nofile}`);
  if (l.nproc) argv.push(`--nproc=${l.nproc}`);
  if (l.data) argv.push(`--data=${l.data}`);
  argv.push('--');
  return argv.length > 2 ? argv : [];
}
