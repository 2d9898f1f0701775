// The `branches:` list: which pushed branches build.

import { isSeq } from 'yaml';
import { branchPatternProblem } from './branch-match.js';
import { indexPath } from './config-path.js';
import type { MapEntry } from './map-entries.js';
import { lineOf, report, type ParseContext } from './parse-context.js';
import { describeNode, resolveNode, scalarText } from './yaml-node.js';

/** Every branch builds unless the file says otherwise. */
export const DEFAULT_BRANCHES: readonly string[] = ['*'];

/** Reads `branches` as a list of patterns, reporting empty and malformed ones; absent means every branch. */
export function parseBranches(ctx: ParseContext, entry: MapEntry | undefined): string[] {
  if (entry === undefined) return [...DEFAULT_BRANCHES];
  const node = entry.value;
  const single = scalarText(node);
  if (single !== undefined) return checkedPattern(ctx, 'branches', single, entry.valueLine);
  if (!isSeq(node)) {
    report(ctx, entry.valueLine, 'branches', `expected a branch pattern or a list of patterns, got ${describeNode(node)}`);
    return [];
  }
  return node.items.flatMap((raw, index) => {
    const item = resolveNode(raw, ctx.doc);
    const line = lineOf(ctx, item) ?? entry.valueLine;
    const pattern = scalarText(item);
    if (pattern !== undefined) return checkedPattern(ctx, indexPath('branches', index), pattern, line);
    report(ctx, line, indexPath('branches', index), `expected a branch pattern, got ${describeNode(item)}`);
    return [];
  });
}

function checkedPattern(ctx: ParseContext, path: string, pattern: string, line: number | undefined): string[] {
  const problem = pattern.trim() === '' ? 'expected a non-empty pattern, got an empty string' : branchPatternProblem(pattern);
  if (problem === undefined) return [pattern];
  report(ctx, line, path, problem);
  return [];
}
