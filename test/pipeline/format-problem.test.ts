import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatProblem } from '../../src/pipeline/format-problem.js';

test('line, path and message', () => {
  const problem = { line: 3, path: 'jobs.test.needs[0]', message: 'unknown job "biuld"' };
  assert.is(formatProblem(problem), '.git-ci.yml:3: jobs.test.needs[0]: unknown job "biuld"');
});

test('without a path', () => {
  assert.is(formatProblem({ line: 3, path: '', message: 'invalid YAML: oops' }), '.git-ci.yml:3: invalid YAML: oops');
});

test('without a line', () => {
  assert.is(formatProblem({ line: undefined, path: 'jobs', message: 'required' }), '.git-ci.yml: jobs: required');
});

test('without either', () => {
  assert.is(formatProblem({ line: undefined, path: '', message: 'the file is empty' }), '.git-ci.yml: the file is empty');
});

test('another file name', () => {
  assert.is(formatProblem({ line: 1, path: 'jobs', message: 'm' }, 'ci/other.yml'), 'ci/other.yml:1: jobs: m');
});

test.run();
