// Kills a job's whole process group: the job's own process and everything it started
// that stayed in its group (what `setsid` escapes is the sandbox issue's to catch).

/** Sends a signal to a process group; false when the group is already gone. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    throw err;
  }
}

/** True while any process of the group is alive. */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, then SIGKILL after the grace period if anything is left; resolves when the group is gone. */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalProcessGroup(pgid, 'SIGTERM')) return;
  signalProcessGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!processGroupAlive(pgid)) return;
    await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, deadline - Date.now()))));
  }
  signalProcessGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 100 && processGroupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 10));
}
