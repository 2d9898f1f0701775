// The `network:` of a job: whether its commands may reach the network.

import { isScalar, type Node } from 'yaml';
import { report, type ParseContext } from './parse-context.js';
import { showValue } from './yaml-node.js';

/** Reads `network` as a YAML boolean; "yes", 1 or a quoted "true" are reported, since only true/false are booleans in YAML 1.2. */
export function parseNetwork(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): boolean {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  report(ctx, line, path, `expected true or false, got ${showValue(node)}`);
  return false;
}
