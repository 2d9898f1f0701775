// A process named by pid *and* start time, so a recycled pid is never mistaken for a live runner.
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); "" where /proc is absent. */
  start: string;
}

/** The start time of a pid, or undefined when no such process exists. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (killed, not yet reaped by its parent) is dead for our purposes.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    if (!isAliveBySignal(pid)) return undefined;
    return '';
  }
}

function isAliveBySignal(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStartTime(process.pid) ?? '' };
}

/** True while the very process that was recorded still runs. */
export function isAlive(id: ProcessIdentity): boolean {
  const start = processStartTime(id.pid);
  if (start === undefined) return false;
  return id.start === '' || start === '' || start === id.start;
}
