// The `secrets:` of a job: the names of the secrets it receives; the values never live in the file.

import type { Node } from 'yaml';
import type { ParseContext } from './parse-context.js';
import { variableNameProblem } from './parse-env.js';
import { parseStringList } from './parse-string-list.js';

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads `secrets` as one name or a list of names, reporting invalid, reserved and repeated names. */
export function parseSecrets(ctx: ParseContext, path: string, node: Node | undefined, line: number | undefined): string[] {
  return parseStringList(ctx, path, node, line, { noun: 'secret name', check: secretNameProblem });
}

/** Explains why a name cannot name a secret: a secret reaches the job as the variable of that name, so env's rules apply. */
export function secretNameProblem(name: string): string | null {
  if (!SECRET_NAME.test(name)) {
    return `invalid secret name ${JSON.stringify(name)}; use letters, digits and "_", not starting with a digit`;
  }
  return variableNameProblem(name) ?? null;
}
