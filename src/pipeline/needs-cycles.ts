// Needs must never loop: a job waiting on itself, directly or through others, would wait forever.

import { findCycles } from './find-cycles.js';
import type { JobDraft } from './parse-job.js';
import { report, type ParseContext } from './parse-context.js';

/** Reports each distinct needs cycle once, at the `needs` key of its first job in file order. */
export function reportNeedsCycles(ctx: ParseContext, drafts: JobDraft[]): void {
  const graph = drafts.map((draft) => ({ name: draft.spec.name, needs: draft.spec.needs }));
  for (const cycle of findCycles(graph)) {
    const first = drafts.find((draft) => draft.spec.name === cycle[0]) as JobDraft;
    report(ctx, first.needsLine, first.needsPath, `needs cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
  }
}
