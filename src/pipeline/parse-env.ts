// The `env:` of a job: extra environment variables for its commands.

import { isMap, isScalar, type Node } from 'yaml';
import { childPath } from './config-path.js';
import { mapEntries, type MapEntry } from './map-entries.js';
import { report, type ParseContext } from './parse-context.js';
import { describeNode, scalarText } from './yaml-node.js';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads `env` as name -> string, reporting bad names, reserved names and values that are not scalars. */
export function parseEnv(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): Record<string, string> {
  if (!isMap(node)) {
    report(ctx, line, path, `expected a mapping of variable names to values, got ${describeNode(node)}`);
    return {};
  }
  const pairs: [string, string][] = [];
  for (const entry of mapEntries(ctx, node, path)) {
    const name = checkedName(ctx, path, entry);
    const value = checkedValue(ctx, entry.key === undefined ? path : childPath(path, entry.key), entry);
    if (name !== undefined && value !== undefined) pairs.push([name, value]);
  }
  // fromEntries defines own properties, so a variable named __proto__ stays a variable.
  return Object.fromEntries(pairs);
}

function checkedName(ctx: ParseContext, path: string, entry: MapEntry): string | undefined {
  const name = entry.key;
  if (name === undefined) {
    report(ctx, entry.keyLine, path, `expected variable names as keys, got ${describeNode(entry.keyNode)}`);
    return undefined;
  }
  const problem = variableNameProblem(name);
  if (problem !== undefined) report(ctx, entry.keyLine, childPath(path, name), problem);
  return problem === undefined ? name : undefined;
}

/** Explains why a name cannot be a job variable: not a shell identifier, or owned by git-ci. */
export function variableNameProblem(name: string): string | undefined {
  if (!VARIABLE_NAME.test(name)) return 'invalid variable name; use letters, digits and "_", not starting with a digit';
  if (name === 'CI') return '"CI" is reserved: git-ci sets it';
  if (name.startsWith('GIT_CI_')) return `"${name}" is reserved: names starting with GIT_CI_ are set by git-ci`;
  return undefined;
}

function checkedValue(ctx: ParseContext, path: string, entry: MapEntry): string | undefined {
  const text = scalarText(entry.value);
  if (text !== undefined) return text;
  const empty = entry.value === undefined || (isScalar(entry.value) && entry.value.value === null);
  const hint = empty ? '; write "" for an empty value' : '';
  report(ctx, entry.valueLine, path, `expected a string, number or boolean, got ${describeNode(entry.value)}${hint}`);
  return undefined;
}
