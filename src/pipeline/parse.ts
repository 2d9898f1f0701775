// Entry point for .git-ci.yml: text in, a Pipeline or every problem found out. Never throws.

import { isMap, LineCounter, parseDocument } from 'yaml';
import { findEntry, mapEntries } from './map-entries.js';
import { lineOf, report, type ParseContext } from './parse-context.js';
import { parseBranches } from './parse-branches.js';
import { parseCancelSuperseded } from './parse-cancel-superseded.js';
import { parseJobs } from './parse-jobs.js';
import type { ConfigProblem, ParseResult, Pipeline } from './types.js';
import { reportUnknownKeys } from './unknown-keys.js';
import { describeNode, resolveNode } from './yaml-node.js';
import { danglingAliases, yamlProblem } from './yaml-problems.js';

/** The keys the file may have at the top level; anything else is reported as a typo. */
export const TOP_LEVEL_KEYS = ['jobs', 'branches', 'cancel-superseded'] as const;

const EXAMPLE = '(for example: jobs: { build: { run: make } })';

/** Parses and validates a pipeline file; `pipeline` is set only when `errors` is empty. */
export function parsePipeline(text: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const ctx: ParseContext = { doc, lines, errors: [], warnings: [] };
  ctx.errors.push(...doc.errors.map((error) => yamlProblem(error, doc, lines)), ...danglingAliases(doc, lines));
  const yamlWarnings = doc.warnings.map((warning) => yamlProblem(warning, doc, lines));
  // A duplicate key leaves the structure intact; other yaml errors make schema errors guesswork.
  const structureIntact = doc.errors.every((error) => error.code === 'DUPLICATE_KEY') && ctx.errors.length === doc.errors.length;
  const pipeline = structureIntact ? parseDocumentRoot(ctx) : undefined;
  const errors = byLine(ctx.errors);
  const warnings = byLine([...yamlWarnings, ...ctx.warnings]);
  return { pipeline: errors.length === 0 ? pipeline : undefined, errors, warnings };
}

function parseDocumentRoot(ctx: ParseContext): Pipeline | undefined {
  const root = resolveNode(ctx.doc.contents, ctx.doc);
  if (describeNode(root) === 'null') {
    report(ctx, undefined, '', `the file is empty; expected a mapping with a "jobs" key ${EXAMPLE}`);
    return undefined;
  }
  if (!isMap(root)) {
    report(ctx, lineOf(ctx, root), '', `expected a mapping with a "jobs" key at the top level, got ${describeNode(root)}`);
    return undefined;
  }
  const entries = mapEntries(ctx, root, '');
  reportUnknownKeys(ctx, entries, '', TOP_LEVEL_KEYS);
  const jobsEntry = findEntry(entries, 'jobs');
  if (jobsEntry === undefined) report(ctx, undefined, '', `missing required key "jobs" ${EXAMPLE}`);
  const jobs = jobsEntry === undefined ? [] : parseJobs(ctx, jobsEntry);
  return {
    jobs,
    branches: parseBranches(ctx, findEntry(entries, 'branches')),
    cancelSuperseded: parseCancelSuperseded(ctx, findEntry(entries, 'cancel-superseded')),
  };
}

// Problems without a line concern the whole file and come first; the sort is stable within a line.
function byLine(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
