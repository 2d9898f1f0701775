// The `cache:` of a job: whether a passed result may be reused instead of running the job again.

import { isScalar, type Node } from 'yaml';
import { report, type ParseContext } from './parse-context.js';
import { showValue } from './yaml-node.js';

/** Reads `cache` as a YAML 1.2 boolean, like `network`: "yes", 1 or a quoted "true" are reported. */
export function parseCache(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): boolean {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  report(ctx, line, path, `expected true or false, got ${showValue(node)}`);
  return false;
}
