// The `timeout:` of a job.

import { isScalar, type Node } from 'yaml';
import { formatDuration, parseDuration } from './duration.js';
import { report, type ParseContext } from './parse-context.js';
import { showValue } from './yaml-node.js';

// A longer timeout is almost certainly a typo, and would hold a runner slot for a week.
export const MAX_TIMEOUT_MS = 7 * 24 * 3_600_000;

/** Reads `timeout` as milliseconds, reporting values that are not durations or exceed seven days. */
export function parseTimeout(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): number | undefined {
  const ms = parseDuration(isScalar(node) ? node.value : undefined);
  if (ms === undefined) {
    report(ctx, line, path, `expected a duration like "90s", "10m" or "1h30m", got ${showValue(node)}`);
    return undefined;
  }
  if (ms > MAX_TIMEOUT_MS) {
    report(ctx, line, path, `must be at most 7 days, got ${showValue(node)} (${formatDuration(ms)})`);
    return undefined;
  }
  return ms;
}
