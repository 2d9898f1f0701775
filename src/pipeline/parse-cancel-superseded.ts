// The top-level `cancel-superseded:`: whether a newer push to a branch stops the older run's jobs.

import { isScalar } from 'yaml';
import type { MapEntry } from './map-entries.js';
import { report, type ParseContext } from './parse-context.js';
import { showValue } from './yaml-node.js';

/** A run nobody will look at any more only holds slots, so superseded runs are canceled unless the file says not to. */
export const DEFAULT_CANCEL_SUPERSEDED = true;

/** Reads `cancel-superseded` as a YAML 1.2 boolean; absent means true. */
export function parseCancelSuperseded(ctx: ParseContext, entry: MapEntry | undefined): boolean {
  if (entry === undefined) return DEFAULT_CANCEL_SUPERSEDED;
  const node = entry.value;
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  report(ctx, entry.valueLine, 'cancel-superseded', `expected true or false, got ${showValue(node)}`);
  return DEFAULT_CANCEL_SUPERSEDED;
}
