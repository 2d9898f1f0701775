// The `reports:` of a job: which files hold its test results, by format, for the dashboard and summaries.

import { isMap, type Node } from 'yaml';
import { childPath } from './config-path.js';
import { findEntry, mapEntries } from './map-entries.js';
import { checkWorkspacePattern } from './glob.js';
import { report, type ParseContext } from './parse-context.js';
import { parseStringList } from './parse-string-list.js';
import type { JobReports } from './types.js';
import { reportUnknownKeys } from './unknown-keys.js';
import { describeNode } from './yaml-node.js';

/** The report formats git-ci reads; anything else is reported as a typo. */
export const REPORT_KEYS = ['junit'] as const;

/** Reads `reports` as format -> glob or list of globs, with the same workspace rules as `artifacts`. */
export function parseReports(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): JobReports | undefined {
  if (!isMap(node)) {
    report(ctx, line, path, `expected a mapping like { junit: "test-results/*.xml" }, got ${describeNode(node)}`);
    return undefined;
  }
  const entries = mapEntries(ctx, node, path);
  reportUnknownKeys(ctx, entries, path, REPORT_KEYS);
  const junit = findEntry(entries, 'junit');
  if (junit === undefined) return undefined;
  const item = { noun: 'glob pattern', check: checkWorkspacePattern };
  return { junit: parseStringList(ctx, childPath(path, 'junit'), junit.value, junit.valueLine, item) };
}
