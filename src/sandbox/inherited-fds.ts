// A process inherits every descriptor its parent left open without close-on-exec (here: from
// git, the hook, an ssh session, a terminal), and node passes them on to what it spawns. Jobs
// must not get them. Node and libuv open all of their own with close-on-exec, so any descriptor
// above stderr without it was inherited: closing those at start is safe.
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** Closes the descriptors this process inherited (above stderr); returns their numbers. */
export function closeInheritedDescriptors(): number[] {
  const closed: number[] = [];
  let fds: number[];
  try {
    fds = readdirSync('/proc/self/fd').map(Number).filter((fd) => fd > 2);
  } catch {
    return closed;
  }
  for (const fd of fds) {
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags === undefined || (parseInt(flags, 8) & O_CLOEXEC) !== 0) continue;
      closeSync(fd);
      closed.push(fd);
    } catch {
      // gone meanwhile (the descriptor of the readdir itself)
    }
  }
  return closed;
}
