import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../../src/pipeline/parse.js';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

test('needs as one name or a list', () => {
  const text = yamlLines('jobs:', '  a: { run: x }', '  b: { run: x, needs: a }', '  c: { run: x, needs: [a, b] }', '  d: { run: x, needs: [] }');
  assert.equal(pipelineOf(text).jobs.map((job) => job.needs), [[], ['a'], ['a', 'b'], []]);
});

test('unknown need in a list points at the item, with a suggestion', () => {
  const text = yamlLines('jobs:', '  build: { run: make }', '  test:', '    run: npm test', '    needs:', '      - build', '      - biuld');
  assert.equal(problemsOf(text), ['.git-ci.yml:7: jobs.test.needs[1]: unknown job "biuld" (did you mean "build"?)']);
});

test('unknown need as a string points at needs, without a suggestion when nothing is close', () => {
  const text = yamlLines('jobs:', '  build: { run: make }', '  test:', '    run: npm test', '    needs: deploy');
  assert.equal(problemsOf(text), ['.git-ci.yml:5: jobs.test.needs: unknown job "deploy"']);
});

test('the unknown need problem carries line, path and message separately', () => {
  const text = yamlLines('jobs:', '  test:', '    needs: [biuld]', '    run: npm test');
  assert.equal(parsePipeline(text).errors, [{ line: 3, path: 'jobs.test.needs[0]', message: 'unknown job "biuld"' }]);
});

test('duplicate needs', () => {
  const text = yamlLines('jobs:', '  a: { run: x }', '  b: { run: x, needs: [a, a] }', '  c: { run: x, needs: [z, z] }');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:3: jobs.b.needs[1]: duplicate job "a"',
    '.git-ci.yml:4: jobs.c.needs[0]: unknown job "z"',
    '.git-ci.yml:4: jobs.c.needs[1]: duplicate job "z"',
  ]);
});

test('needs of the wrong type', () => {
  const text = yamlLines('jobs:', '  a: { run: x }', '  b: { run: x, needs: { a: 1 } }', '  c: { run: x, needs: [a, [a], ""] }', '  d: { run: x, needs: }');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:3: jobs.b.needs: expected a job name or a list of job names, got a mapping',
    '.git-ci.yml:4: jobs.c.needs[1]: expected a job name, got a list',
    '.git-ci.yml:4: jobs.c.needs[2]: expected a job name, got an empty string',
    '.git-ci.yml:5: jobs.d.needs: expected a job name or a list of job names, got null',
  ]);
});

test('a job needing itself is a cycle', () => {
  const text = yamlLines('jobs:', '  a:', '    run: x', '    needs: a');
  assert.equal(problemsOf(text), ['.git-ci.yml:4: jobs.a.needs: needs cycle: a -> a']);
});

test('a 2-cycle is reported once, at the needs of the job first in the file', () => {
  const text = yamlLines('jobs:', '  a:', '    run: x', '    needs: [b]', '  b:', '    run: x', '    needs: [a]');
  assert.equal(problemsOf(text), ['.git-ci.yml:4: jobs.a.needs: needs cycle: a -> b -> a']);
});

test('a 3-cycle names every job on it', () => {
  const text = yamlLines(
    'jobs:',
    '  a: { run: x, needs: b }',
    '  b: { run: x, needs: c }',
    '  c:',
    '    run: x',
    '    needs: [a]',
    '  d: { run: x, needs: a }',
  );
  assert.equal(problemsOf(text), ['.git-ci.yml:2: jobs.a.needs: needs cycle: a -> b -> c -> a']);
});

test('one error per distinct cycle', () => {
  const text = yamlLines('jobs:', '  a: { run: x, needs: b }', '  b: { run: x, needs: [a, c] }', '  c: { run: x, needs: b }', '  s: { run: x, needs: s }');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:2: jobs.a.needs: needs cycle: a -> b -> a',
    '.git-ci.yml:3: jobs.b.needs: needs cycle: b -> c -> b',
    '.git-ci.yml:5: jobs.s.needs: needs cycle: s -> s',
  ]);
});

test('cycles are found even when other needs are unknown', () => {
  const text = yamlLines('jobs:', '  a: { run: x, needs: [b, ghost] }', '  b: { run: x, needs: a }');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:2: jobs.a.needs[1]: unknown job "ghost"',
    '.git-ci.yml:2: jobs.a.needs: needs cycle: a -> b -> a',
  ]);
});

test.run();
