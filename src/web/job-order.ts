// Jobs in DAG order for the run page: each after what it needs, otherwise as recorded. Pure.

/** Orders jobs so every job comes after its needs; unknown needs and cycles keep recorded order. */
export function dagOrder<T extends { name: string; needs?: string[] }>(jobs: T[]): T[] {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const done = new Set<string>();
  const out: T[] = [];
  const visiting = new Set<string>();
  const visit = (job: T) => {
    if (done.has(job.name) || visiting.has(job.name)) return;
    visiting.add(job.name);
    for (const need of job.needs ?? []) {
      const dep = byName.get(need);
      if (dep) visit(dep);
    }
    visiting.delete(job.name);
    done.add(job.name);
    out.push(job);
  };
  jobs.forEach(visit);
  return out;
}
