// YAML-level problems (syntax, duplicate keys, dangling aliases) as config problems with lines.

import { isAlias, isNode, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import type { ConfigProblem } from './types.js';
import { scalarText } from './yaml-node.js';

/** Converts a yaml error or warning, rewording the ones whose library text would puzzle a CI user. */
export function yamlProblem(error: YAMLError, doc: Document, lines: LineCounter): ConfigProblem {
  const line = lines.linePos(error.pos[0]).line;
  if (error.code === 'DUPLICATE_KEY') {
    const key = keyStartingAt(doc, error.pos[0]);
    const named = key === undefined ? 'duplicate key' : `duplicate key ${JSON.stringify(key)}`;
    return { line, path: '', message: `${named}; a key may appear only once in a mapping` };
  }
  if (error.code === 'MULTIPLE_DOCS') {
    return { line, path: '', message: 'the file must hold a single YAML document; remove the extra "---"' };
  }
  return { line, path: '', message: `invalid YAML: ${firstLine(error.message)}` };
}

/** Finds aliases (`*name`) without a matching anchor, which yaml itself leaves silently empty. */
export function danglingAliases(doc: Document, lines: LineCounter): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Alias(_, node) {
      if (!isAlias(node) || node.resolve(doc) !== undefined) return;
      const line = node.range ? lines.linePos(node.range[0]).line : undefined;
      problems.push({ line, path: '', message: `unknown alias "*${node.source}"; define it first with "&${node.source}"` });
    },
  });
  return problems;
}

// yaml points duplicate-key errors at the start of the repeated key; find its text there.
function keyStartingAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isNode(pair.key) && pair.key.range?.[0] === offset) {
        found = scalarText(pair.key);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
