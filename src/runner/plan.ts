// Which jobs of a pipeline a run leaves out before it starts, and why: jobs not selected with
// `git ci run --job`, and jobs whose `if:` does not hold for the run's branch, tag and event.
// They are recorded as skipped with that reason; the jobs that need them are skipped in turn.
import type { Condition, ConditionFacts } from '../pipeline/condition.js';
import { evaluateCondition } from '../pipeline/condition.js';
import type { Pipeline } from '../pipeline/types.js';
import type { QueueEntry } from '../store/queue.js';

/** What an `if:` can ask about a run. */
export function runFacts(entry: Pick<QueueEntry, 'ref' | 'trigger'>): ConditionFacts {
  const branch = entry.ref.startsWith('refs/heads/') ? entry.ref.slice('refs/heads/'.length) : null;
  const tag = entry.ref.startsWith('refs/tags/') ? entry.ref.slice('refs/tags/'.length) : null;
  const event = entry.trigger === 'push' || entry.trigger === 'local' ? entry.trigger : 'manual';
  return { branch, tag, event };
}

export type LeftOut = { skips: Map<string, string>; error?: undefined } | { error: string; skips?: undefined };

export function jobsLeftOut(pipeline: Pipeline, entry: Pick<QueueEntry, 'ref' | 'trigger' | 'jobs'>): LeftOut {
  const skips = new Map<string, string>();
  const names = pipeline.jobs.map((j) => j.name);
  if (entry.jobs && entry.jobs.length > 0) {
    const unknown = entry.jobs.filter((j) => !names.includes(j));
    if (unknown.length > 0) return { error: `no job named ${unknown.join(', ')} in this commit's pipeline; its jobs: ${names.join(', ')}` };
    const selected = withNeeds(pipeline, entry.jobs);
    for (const name of names) if (!selected.has(name)) skips.set(name, `not selected (run with --job ${entry.jobs.join(',')})`);
  }
  const facts = runFacts(entry);
  for (const job of pipeline.jobs) {
    if (skips.has(job.name) || !job.if || evaluateCondition(job.if, facts)) continue;
    skips.set(job.name, `if: ${formatCondition(job.if)} is false (${describeFacts(facts)})`);
  }
  return { skips };
}

/** The named jobs and every job they need, directly or not. */
function withNeeds(pipeline: Pipeline, roots: string[]): Set<string> {
  const byName = new Map(pipeline.jobs.map((j) => [j.name, j]));
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    for (const need of byName.get(name)?.needs ?? []) visit(need);
  };
  roots.forEach(visit);
  return out;
}

/** A condition written back as an expression, for reasons in the log and the note. */
export function formatCondition(c: Condition, parent?: Condition['kind']): string {
  switch (c.kind) {
    case 'compare':
      return `${c.subject} ${c.operator} ${JSON.stringify(c.value)}`;
    case 'present':
      return c.subject;
    case 'not':
      return `!${formatCondition(c.operand, 'not')}`;
    case 'and':
    case 'or': {
      const text = `${formatCondition(c.left, c.kind)} ${c.kind === 'and' ? '&&' : '||'} ${formatCondition(c.right, c.kind)}`;
      return parent && parent !== c.kind ? `(${text})` : text;
    }
  }
}

function describeFacts(f: ConditionFacts): string {
  return [f.branch !== null ? `branch ${f.branch}` : null, f.tag !== null ? `tag ${f.tag}` : null, `event ${f.event}`].filter(Boolean).join(', ');
}
