// Finding every loop in the `needs` graph so each can be reported by name.

const DEFAULT_LIMIT = 100;

/**
 * Lists each elementary cycle once (Johnson's algorithm), starting at its job that comes first in
 * file order, without repeating that job at the end: a -> b -> a is ["a", "b"]. Unknown needs are ignored.
 */
export function findCycles(jobs: { name: string; needs: string[] }[], limit = DEFAULT_LIMIT): string[][] {
  const edges = needsAsIndices(jobs);
  const cycles: number[][] = [];
  for (let start = 0; start < jobs.length && cycles.length < limit; start++) {
    const component = componentFrom(start, edges);
    collectCircuits(start, edges, component, cycles, limit);
  }
  return cycles.map((cycle) => cycle.map((i) => (jobs[i] as { name: string }).name));
}

function needsAsIndices(jobs: { name: string; needs: string[] }[]): number[][] {
  const index = new Map<string, number>();
  jobs.forEach((job, i) => {
    if (!index.has(job.name)) index.set(job.name, i);
  });
  return jobs.map((job) => {
    const targets = job.needs.map((need) => index.get(need)).filter((i): i is number => i !== undefined);
    return [...new Set(targets)];
  });
}

// The strongly connected component of `start` among jobs at or after it: the only place its cycles can be.
function componentFrom(start: number, edges: number[][]): Set<number> {
  const reverse: number[][] = edges.map(() => []);
  edges.forEach((targets, from) => targets.forEach((to) => (reverse[to] as number[]).push(from)));
  const forward = reachable(start, edges);
  const backward = reachable(start, reverse);
  return new Set([...forward].filter((i) => backward.has(i) && i >= start));

  function reachable(from: number, graph: number[][]): Set<number> {
    const seen = new Set<number>([from]);
    const queue = [from];
    while (queue.length > 0) {
      for (const next of graph[queue.pop() as number] as number[]) {
        if (next >= start && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen;
  }
}

// Johnson's circuit search: blocking keeps the work proportional to the cycles found.
function collectCircuits(start: number, edges: number[][], component: Set<number>, out: number[][], limit: number): void {
  const blocked = new Set<number>();
  const blockers = new Map<number, Set<number>>();
  const stack: number[] = [];
  const targets = (v: number): number[] => (edges[v] as number[]).filter((w) => component.has(w));

  const unblock = (v: number): void => {
    blocked.delete(v);
    const waiting = blockers.get(v);
    blockers.delete(v);
    for (const w of waiting ?? []) if (blocked.has(w)) unblock(w);
  };

  const circuit = (v: number): boolean => {
    let found = false;
    stack.push(v);
    blocked.add(v);
    for (const w of targets(v)) {
      if (out.length >= limit) break;
      if (w === start) {
        out.push([...stack]);
        found = true;
      } else if (!blocked.has(w) && circuit(w)) {
        found = true;
      }
    }
    if (found) unblock(v);
    else for (const w of targets(v)) blockers.set(w, (blockers.get(w) ?? new Set()).add(v));
    stack.pop();
    return found;
  };

  circuit(start);
}
