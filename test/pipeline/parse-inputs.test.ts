import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../../src/pipeline/parse.js';
import { inputPathProblem } from '../../src/pipeline/parse-inputs.js';
import { pipelineOf, problemsOf, warningsOf, yamlLines } from './parse-helpers.js';

const job = (...lines: string[]) => yamlLines('jobs:', '  test:', '    run: npm test', ...lines.map((l) => `    ${l}`));

test('no inputs means the whole commit tree', () => {
  assert.is(pipelineOf(job('cache: true')).jobs[0]?.inputs, undefined);
});

test('literal paths, with a trailing slash normalised away', () => {
  assert.equal(pipelineOf(job('cache: true', 'inputs: ["src/", package.json, .github/ci]')).jobs[0]?.inputs, ['src', 'package.json', '.github/ci']);
  assert.equal(pipelineOf(job('cache: true', 'inputs: package-lock.json')).jobs[0]?.inputs, ['package-lock.json']);
  assert.equal(pipelineOf(job('cache: true', 'inputs: []')).jobs[0]?.inputs, []);
});

test('paths that escape, name the whole repository or are globs', () => {
  const text = job('cache: true', 'inputs:', '  - /src', '  - ../x', '  - .', '  - ./', '  - /', '  - "src/*.ts"', '  - a\\b', '  - ""');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:6: jobs.test.inputs[0]: expected a relative path, got the absolute path "/src"',
    '.git-ci.yml:7: jobs.test.inputs[1]: expected a path that stays inside the workspace, got ".." in "../x"',
    '.git-ci.yml:8: jobs.test.inputs[2]: expected a file or folder of the repository, got "."; leave "inputs" out to use the whole commit',
    '.git-ci.yml:9: jobs.test.inputs[3]: expected a file or folder of the repository, got "./"; leave "inputs" out to use the whole commit',
    '.git-ci.yml:10: jobs.test.inputs[4]: expected a relative path, got the absolute path "/"',
    '.git-ci.yml:11: jobs.test.inputs[5]: expected a literal path, got "src/*.ts"; "*" is a glob character and inputs take no globs',
    '.git-ci.yml:12: jobs.test.inputs[6]: expected "/" between folders and no backslashes, got "a\\\\b"',
    '.git-ci.yml:13: jobs.test.inputs[7]: expected a non-empty path, got an empty string',
  ]);
});

test('the same path written twice, with and without a slash, is a duplicate', () => {
  assert.equal(problemsOf(job('cache: true', 'inputs: [src, lib, "src/"]')), ['.git-ci.yml:5: jobs.test.inputs[2]: duplicate path "src"']);
});

test('inputs without cache: true are a warning, not an error', () => {
  const warning = ['.git-ci.yml:4: jobs.test.inputs: has no effect without "cache: true"; inputs only decide the cache key'];
  assert.equal(warningsOf(job('inputs: [src]')), warning);
  assert.equal(warningsOf(job('inputs: [src]', 'cache: false')), ['.git-ci.yml:4: jobs.test.inputs: has no effect without "cache: true"; inputs only decide the cache key']);
  assert.ok(parsePipeline(job('inputs: [src]')).pipeline);
  assert.equal(warningsOf(job('cache: true', 'inputs: [src]')), []);
  assert.equal(warningsOf(job('inputs: [src]', 'cache: maybe')), [], 'a broken cache value is reported as an error instead');
});

test('inputPathProblem', () => {
  assert.is(inputPathProblem('src/main.ts'), null);
  assert.is(inputPathProblem('docs/'), null);
  assert.ok(inputPathProblem('src/[ab]'));
  assert.ok(inputPathProblem('a?'));
});

test.run();
