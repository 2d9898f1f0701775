// The `if:` of a job: the condition on the run's branch, tag and event under which the job runs.

import { isScalar, type Node } from 'yaml';
import { parseCondition, type Condition } from './condition.js';
import { report, type ParseContext } from './parse-context.js';
import { describeNode, stringValue } from './yaml-node.js';

const EXAMPLE = '(for example: if: branch == "main")';

/** Reads `if` into a condition, reporting syntax errors with the expression quoted and the column of the problem. */
export function parseIf(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): Condition | undefined {
  const tag = localTag(node);
  if (tag !== undefined) {
    report(ctx, line, path, `YAML read "${tag}" as a tag, not as part of the condition; quote a condition that starts with "!" (if: "${tag} ...")`);
    return undefined;
  }
  const text = stringValue(node);
  if (text === undefined || text.trim() === '') {
    report(ctx, line, path, `expected a condition ${EXAMPLE}, got ${describeNode(node)}`);
    return undefined;
  }
  const parsed = parseCondition(text);
  if (parsed.ok) return parsed.condition;
  report(ctx, line, path, `invalid condition ${JSON.stringify(text)}: ${parsed.message}`);
  return undefined;
}

// YAML reads an unquoted leading "!" as a tag: `if: !tag && branch` is "branch" tagged "!tag", a silent change of meaning.
function localTag(node: Node | undefined): string | undefined {
  const tag = isScalar(node) ? node.tag : undefined;
  return tag !== undefined && tag.startsWith('!') && !tag.startsWith('!!') ? tag : undefined;
}
