// The `needs:` of a job: the names of jobs that must pass first.

import { isSeq, type Node } from 'yaml';
import { indexPath } from './config-path.js';
import { closestName } from './did-you-mean.js';
import { lineOf, report, type ParseContext } from './parse-context.js';
import { describeNode, resolveNode, scalarText } from './yaml-node.js';

interface NeedRef {
  name: string | undefined;
  node: Node | undefined;
  path: string;
  line: number | undefined;
}

/** Reads `needs` as a name or list of names, reporting bad types, duplicates and names of jobs that do not exist. */
export function parseNeeds(
  ctx: ParseContext,
  path: string,
  node: Node | undefined,
  line: number | undefined,
  jobNames: ReadonlySet<string>,
): string[] {
  if (!isSeq(node) && scalarText(node) === undefined) {
    report(ctx, line, path, `expected a job name or a list of job names, got ${describeNode(node)}`);
    return [];
  }
  const refs: NeedRef[] = isSeq(node)
    ? node.items.map((raw, index) => listItemRef(ctx, raw, indexPath(path, index), line))
    : [{ name: scalarText(node), node, path, line }];
  const seen: string[] = [];
  const names: string[] = [];
  for (const ref of refs) {
    const problem = needProblem(ref, seen, jobNames);
    if (ref.name !== undefined) seen.push(ref.name);
    if (problem === undefined) names.push(ref.name as string);
    else report(ctx, ref.line, ref.path, problem);
  }
  return names;
}

function listItemRef(ctx: ParseContext, raw: unknown, path: string, fallbackLine: number | undefined): NeedRef {
  const node = resolveNode(raw, ctx.doc);
  return { name: scalarText(node), node, path, line: lineOf(ctx, node) ?? fallbackLine };
}

function needProblem(ref: NeedRef, earlier: string[], jobNames: ReadonlySet<string>): string | undefined {
  if (ref.name === undefined) return `expected a job name, got ${describeNode(ref.node)}`;
  if (ref.name.trim() === '') return 'expected a job name, got an empty string';
  if (earlier.includes(ref.name)) return `duplicate job "${ref.name}"`;
  if (jobNames.has(ref.name)) return undefined;
  const guess = closestName(ref.name, jobNames);
  return `unknown job "${ref.name}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
}
