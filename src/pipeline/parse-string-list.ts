// Keys that take one string or a list of strings, each checked on its own: artifacts, inputs, secrets, reports.

import { isScalar, isSeq, type Node } from 'yaml';
import { indexPath } from './config-path.js';
import { lineOf, report, type ParseContext } from './parse-context.js';
import { describeNode, resolveNode, stringValue } from './yaml-node.js';

/** What the items of one list key are, and how each is checked. */
export interface StringListItem {
  /** Names one item in messages: "glob pattern", "path", "secret name". */
  noun: string;
  /** The problem with one item, or null when it is fine. */
  check: (text: string) => string | null;
  /** The canonical spelling stored and compared for duplicates; the text as written when absent. */
  normalize?: (text: string) => string;
}

/** Reads a string or a list of strings, reporting each bad item and each duplicate at its own line, in order. */
export function parseStringList(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined, item: StringListItem): string[] {
  if (stringValue(node) !== undefined) return checkedItems(ctx, item, [{ node, path, line }]);
  if (!isSeq(node)) {
    report(ctx, line, path, `expected a ${item.noun} or a list of ${item.noun}s, got ${describeNode(node)}${quoteHint(node)}`);
    return [];
  }
  const written = node.items.map((raw, index) => {
    const itemNode = resolveNode(raw, ctx.doc);
    return { node: itemNode, path: indexPath(path, index), line: lineOf(ctx, itemNode) ?? line };
  });
  return checkedItems(ctx, item, written);
}

interface WrittenItem {
  node: Node | undefined;
  path: string;
  line: number | undefined;
}

function checkedItems(ctx: ParseContext, item: StringListItem, written: WrittenItem[]): string[] {
  const kept: string[] = [];
  for (const { node, path, line } of written) {
    const text = stringValue(node);
    if (text === undefined) {
      report(ctx, line, path, `expected a ${item.noun}, got ${describeNode(node)}${quoteHint(node)}`);
      continue;
    }
    const problem = item.check(text);
    if (problem !== null) {
      report(ctx, line, path, problem);
      continue;
    }
    const value = item.normalize === undefined ? text : item.normalize(text);
    if (kept.includes(value)) report(ctx, line, path, `duplicate ${item.noun} ${JSON.stringify(value)}`);
    else kept.push(value);
  }
  return kept;
}

// `- 2024` is a number in YAML; a folder or file with that name has to be quoted.
function quoteHint(node: Node | undefined): string {
  if (!isScalar(node) || (typeof node.value !== 'number' && typeof node.value !== 'boolean')) return '';
  const text = node.source ?? String(node.value);
  return ` (write "${text}" in quotes if it is meant as text)`;
}
