// The `inputs:` of a job: the repository paths its cached result depends on.

import type { Node } from 'yaml';
import { checkWorkspacePattern, stripTrailingSlash } from './glob.js';
import type { ParseContext } from './parse-context.js';
import { parseStringList } from './parse-string-list.js';

/** Reads `inputs` as one path or a list of literal paths from the repository root, stored without a trailing "/". */
export function parseInputs(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): string[] {
  return parseStringList(ctx, path, node, line, { noun: 'path', check: inputPathProblem, normalize: stripTrailingSlash });
}

/** Explains why a path cannot be an input: it escapes the repository, names all of it, or is a glob. */
export function inputPathProblem(path: string): string | null {
  if (stripTrailingSlash(path) === '.') {
    return `expected a file or folder of the repository, got ${JSON.stringify(path)}; leave "inputs" out to use the whole commit`;
  }
  const problem = checkWorkspacePattern(path);
  if (problem !== null) return problem;
  const glob = /[*?[]/.exec(path);
  if (glob !== null) return `expected a literal path, got ${JSON.stringify(path)}; "${glob[0]}" is a glob character and inputs take no globs`;
  return null;
}
