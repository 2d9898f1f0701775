// Rejecting keys the schema does not know, so typos like `nedds:` are not silently ignored.

import type { MapEntry } from './map-entries.js';
import { childPath } from './config-path.js';
import { report, type ParseContext } from './parse-context.js';
import { describeNode } from './yaml-node.js';

/** Reports every key of a mapping that is not in `allowed`, listing the allowed ones. */
export function reportUnknownKeys(ctx: ParseContext, entries: MapEntry[], path: string, allowed: readonly string[]): void {
  for (const entry of entries) {
    if (entry.key === undefined) {
      report(ctx, entry.keyLine, path, `expected keys to be names, got ${describeNode(entry.keyNode)} as a key`);
    } else if (!allowed.includes(entry.key)) {
      report(ctx, entry.keyLine, childPath(path, entry.key), `unknown key; expected one of ${allowed.join(', ')}`);
    }
  }
}
