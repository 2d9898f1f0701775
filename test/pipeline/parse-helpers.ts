// Shared shortcuts for the parse tests: parse a file and look at its problems as the user would see them.

import { formatProblem } from '../../src/pipeline/format-problem.js';
import { parsePipeline } from '../../src/pipeline/parse.js';
import type { Pipeline } from '../../src/pipeline/types.js';

/** Every error of a file, formatted exactly as the CLI prints them. */
export function problemsOf(text: string): string[] {
  return parsePipeline(text).errors.map((problem) => formatProblem(problem));
}

/** Every warning of a file, formatted like the errors. */
export function warningsOf(text: string): string[] {
  return parsePipeline(text).warnings.map((problem) => formatProblem(problem));
}

/** The parsed pipeline of a file that must be valid; fails loudly with the errors otherwise. */
export function pipelineOf(text: string): Pipeline {
  const result = parsePipeline(text);
  if (result.pipeline === undefined) throw new Error(`expected a valid pipeline, got:\n${problemsOf(text).join('\n')}`);
  return result.pipeline;
}

/** Joins lines into a file, so tests can count lines by eye. */
export function yamlLines(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
