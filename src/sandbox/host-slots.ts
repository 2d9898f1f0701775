// Host-wide job slots (ci.hostConcurrency) shared by the runners of every repository on the
// machine. A slot is an abstract unix socket name that one process binds: the kernel makes it
// exclusive and frees it when the holder dies, so a crashed runner never leaks a slot.
// The slot's index also picks the job's unprivileged uid, so two jobs never share one.
import net from 'node:net';

export interface HostSlot {
  index: number;
  release: () => void;
}

const PREFIX = '\0git-ci-host-slot-';

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

/** Takes the first free of `size` host slots, waiting while all are held; aborting gives up. */
export async function acquireHostSlot(size: number, signal?: AbortSignal, namespace = 'default'): Promise<HostSlot | undefined> {
  for (let wait = 5; ; wait = Math.min(100, wait * 2)) {
    for (let index = 0; index < size; index++) {
      const server = await tryBind(index, namespace);
      if (server) return { index, release: () => server.close() };
    }
    if (signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, wait));
  }
}
