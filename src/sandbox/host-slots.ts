// Host-wide job slots (ci.hostConcurrency) shared by the runners of every repository on the
// machine. A slot is an abstract unix socket name that one process binds: the kernel makes it
// exclusive and frees it when the holder dies, so a crashed runner never leaks a slot.
// The slot's index also picks the job's unprivileged uid, so two jobs never share one.
// A released slot stays bound for a moment and goes straight to this process's next job
// (closing and re-binding made the next job wait on a socket still closing).
import net from 'node:net';

export interface HostSlot {
  index: number;
  release: () => void;
}

const PREFIX = '\0git-ci-host-slot-';
const LINGER_MS = 500;

interface Held {
  index: number;
  server: net.Server;
  timer?: NodeJS.Timeout;
}

const idle: Held[] = [];
const waiters: Array<(held: Held) => void> = [];

function tryBind(index: number, namespace: string): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(`${PREFIX}${namespace}-${index}`, () => {
      server.unref();
      resolve(server);
    });
  });
}

function wrap(held: Held): HostSlot {
  let released = false;
  return {
    index: held.index,
    release: () => {
      if (released) return;
      released = true;
      const next = waiters.shift();
      if (next) return next(held);
      held.timer = setTimeout(() => {
        const i = idle.indexOf(held);
        if (i >= 0) idle.splice(i, 1);
        held.server.close();
      }, LINGER_MS);
      held.timer.unref();
      idle.push(held);
    },
  };
}

/** Takes the first free of `size` host slots, waiting while all are held; aborting gives up. */
export async function acquireHostSlot(size: number, signal?: AbortSignal, namespace = 'default'): Promise<HostSlot | undefined> {
  for (let wait = 5; ; wait = Math.min(100, wait * 2)) {
    const reuse = idle.find((h) => h.index < size);
    if (reuse) {
      idle.splice(idle.indexOf(reuse), 1);
      clearTimeout(reuse.timer);
      return wrap(reuse);
    }
    for (let index = 0; index < size; index++) {
      const server = await tryBind(index, namespace);
      if (server) return wrap({ index, server });
    }
    if (signal?.aborted) return undefined;
    // Whichever comes first: a slot this process releases, or a poll for one another runner frees.
    const handed = await new Promise<Held | undefined>((resolve) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(take);
        if (i >= 0) waiters.splice(i, 1);
        resolve(undefined);
      }, wait);
      const take = (held: Held) => {
        clearTimeout(timer);
        resolve(held);
      };
      waiters.push(take);
    });
    if (handed) return wrap(handed);
  }
}
