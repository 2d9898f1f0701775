// What every validation step shares: the yaml document, line lookup, and the problems found so far.

import type { Document, LineCounter, Node } from 'yaml';
import type { ConfigProblem } from './types.js';

/** Passed to every validator so problems collect in one place instead of being thrown. */
export interface ParseContext {
  doc: Document;
  lines: LineCounter;
  errors: ConfigProblem[];
  /** Problems that do not stop the pipeline from running, such as a key that has no effect. */
  warnings: ConfigProblem[];
}

/** Records a problem; validation goes on so the user sees every problem at once. */
export function report(ctx: ParseContext, line: number | undefined, path: string, message: string): void {
  ctx.errors.push({ line, path, message });
}

/** Records a problem the user should fix but that does not make the file invalid. */
export function warn(ctx: ParseContext, line: number | undefined, path: string, message: string): void {
  ctx.warnings.push({ line, path, message });
}

/** The 1-based line where a node starts, for messages. */
export function lineOf(ctx: ParseContext, node: Node | undefined): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : ctx.lines.linePos(start).line;
}
