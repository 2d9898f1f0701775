// The `artifacts:` of a job: which files of its workspace are kept after it ends.

import type { Node } from 'yaml';
import { checkWorkspacePattern } from './glob.js';
import type { ParseContext } from './parse-context.js';
import { parseStringList } from './parse-string-list.js';

/** Reads `artifacts` as one glob or a list of globs, reporting patterns that could reach outside the workspace. */
export function parseArtifacts(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): string[] {
  return parseStringList(ctx, path, node, line, { noun: 'glob pattern', check: checkWorkspacePattern });
}
