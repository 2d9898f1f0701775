import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const JOB_KEY_LIST = 'run, needs, timeout, env, network, limits, if, cache, inputs, artifacts, reports, secrets';

test('run as one command or a list of commands', () => {
  const text = yamlLines('jobs:', '  a:', '    run: make', '  b:', '    run:', '      - npm ci', '      - npm test', '  c:', '    run: |', '      set -e', '      make');
  const [a, b, c] = pipelineOf(text).jobs;
  assert.equal(a?.run, ['make']);
  assert.equal(b?.run, ['npm ci', 'npm test']);
  assert.equal(c?.run, ['set -e\nmake\n']);
});

test('each job records the line of its key', () => {
  const text = yamlLines('# comment', 'jobs:', '  a: { run: x }', '', '  b:', '    run: y');
  assert.equal(pipelineOf(text).jobs.map((job) => job.line), [3, 5]);
});

test('run of the wrong type says what was expected and what was received', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    run: 42')), [
    '.git-ci.yml:3: jobs.build.run: expected a string or a list of strings, got a number',
  ]);
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    run: { sh: make }')), [
    '.git-ci.yml:3: jobs.build.run: expected a string or a list of strings, got a mapping',
  ]);
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    run: true')), [
    '.git-ci.yml:3: jobs.build.run: expected a string or a list of strings, got a boolean',
  ]);
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    run:')), [
    '.git-ci.yml:3: jobs.build.run: expected a string or a list of strings, got null',
  ]);
});

test('empty run commands', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    run: "  "')), [
    '.git-ci.yml:3: jobs.build.run: expected a non-empty command, got an empty string',
  ]);
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    run: []')), [
    '.git-ci.yml:3: jobs.build.run: expected at least one command, got an empty list',
  ]);
});

test('bad items in a run list point at the item', () => {
  const text = yamlLines('jobs:', '  build:', '    run:', '      - make', '      - ""', '      - 7', '      - echo a: b');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:5: jobs.build.run[1]: expected a non-empty command, got an empty string',
    '.git-ci.yml:6: jobs.build.run[2]: expected a string, got a number',
    '.git-ci.yml:7: jobs.build.run[3]: expected a string, got a mapping (quote the command if it contains ": ")',
  ]);
});

test('missing run', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '    timeout: 5m')), [
    '.git-ci.yml:2: jobs.build: missing required key "run" (the commands to run)',
  ]);
});

test('a job that is not a mapping', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  build: make')), [
    '.git-ci.yml:2: jobs.build: expected a mapping with a "run" key, got a string; write the command under "run:"',
  ]);
  assert.equal(problemsOf(yamlLines('jobs:', '  build:', '  test: { run: x }')), [
    '.git-ci.yml:2: jobs.build: expected a mapping with a "run" key, got null',
  ]);
  assert.equal(problemsOf(yamlLines('jobs:', '  build: [make]')), [
    '.git-ci.yml:2: jobs.build: expected a mapping with a "run" key, got a list',
  ]);
});

test('unknown job keys name the key and list the allowed ones', () => {
  const text = yamlLines('jobs:', '  build:', '    run: make', '  test:', '    nedds: [build]', '    run: npm test', '    image: node');
  assert.equal(problemsOf(text), [
    `.git-ci.yml:5: jobs.test.nedds: unknown key; expected one of ${JOB_KEY_LIST}`,
    `.git-ci.yml:7: jobs.test.image: unknown key; expected one of ${JOB_KEY_LIST}`,
  ]);
});

test('job names that cannot be file or ref names', () => {
  const long = 'x'.repeat(65);
  const text = yamlLines('jobs:', '  "my job": { run: x }', '  -lint: { run: x }', `  ${long}: { run: x }`, '  "a/b": { run: x }');
  const message = 'invalid job name; use up to 64 letters, digits, "_", "." and "-", starting with a letter or digit';
  assert.equal(problemsOf(text), [
    `.git-ci.yml:2: jobs["my job"]: ${message}`,
    `.git-ci.yml:3: jobs.-lint: ${message}`,
    `.git-ci.yml:4: jobs.${long}: ${message}`,
    `.git-ci.yml:5: jobs["a/b"]: ${message}`,
  ]);
});

test('job names with dots, dashes, underscores and digits are fine', () => {
  const text = yamlLines('jobs:', '  v1.2-test_x: { run: x }', '  2024: { run: y }', `  ${'a'.repeat(64)}: { run: z }`);
  assert.equal(pipelineOf(text).jobs.map((job) => job.name), ['v1.2-test_x', '2024', 'a'.repeat(64)]);
});

test('a job whose key is not a name', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  ? [a, b]', '  : { run: x }')), [
    '.git-ci.yml:2: jobs: expected job names as keys, got a list',
  ]);
});

test('problems in several jobs are all reported', () => {
  const text = yamlLines('jobs:', '  a: { run: 1 }', '  b: { }', '  c: { run: x, when: always }');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:2: jobs.a.run: expected a string or a list of strings, got a number',
    '.git-ci.yml:3: jobs.b: missing required key "run" (the commands to run)',
    `.git-ci.yml:4: jobs.c.when: unknown key; expected one of ${JOB_KEY_LIST}`,
  ]);
});

test.run();
