// The `run:` of a job: one command or a list of commands.

import { isMap, isSeq, type Node } from 'yaml';
import { indexPath } from './config-path.js';
import { lineOf, report, type ParseContext } from './parse-context.js';
import { describeNode, resolveNode, stringValue } from './yaml-node.js';

/** Reads `run` as a list of commands, reporting empty or non-string ones. */
export function parseRun(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): string[] {
  const single = stringValue(node);
  if (single !== undefined) {
    if (single.trim() === '') report(ctx, line, path, 'expected a non-empty command, got an empty string');
    return [single];
  }
  if (!isSeq(node)) {
    report(ctx, line, path, `expected a string or a list of strings, got ${describeNode(node)}`);
    return [];
  }
  if (node.items.length === 0) report(ctx, line, path, 'expected at least one command, got an empty list');
  return node.items.flatMap((item, index) => parseCommand(ctx, indexPath(path, index), resolveNode(item, ctx.doc), line));
}

function parseCommand(ctx: ParseContext, path: string, node: Node | undefined, fallbackLine: number | undefined): string[] {
  const line = lineOf(ctx, node) ?? fallbackLine;
  const command = stringValue(node);
  if (command !== undefined && command.trim() !== '') return [command];
  // `- echo a: b` is a mapping in YAML; say how to keep it a command.
  const hint = isMap(node) ? ' (quote the command if it contains ": ")' : '';
  const expected = command === undefined ? 'a string' : 'a non-empty command';
  report(ctx, line, path, `expected ${expected}, got ${describeNode(node)}${hint}`);
  return [];
}
