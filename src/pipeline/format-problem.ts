// One config problem as one line, in the `file:line: path: message` shape editors can jump to.

import type { ConfigProblem } from './types.js';

/** Renders a problem like `.git-ci.yml:3: jobs.test.needs[0]: unknown job "biuld"`, leaving out what is unknown. */
export function formatProblem(p: ConfigProblem, file = '.git-ci.yml'): string {
  const where = p.line === undefined ? file : `${file}:${p.line}`;
  const what = p.path === '' ? p.message : `${p.path}: ${p.message}`;
  return `${where}: ${what}`;
}
