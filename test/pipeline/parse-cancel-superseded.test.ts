import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const file = (value: string) => yamlLines('jobs: { a: { run: x } }', `cancel-superseded: ${value}`);

test('superseded runs are canceled unless the file says not to', () => {
  assert.is(pipelineOf(yamlLines('jobs: { a: { run: x } }')).cancelSuperseded, true);
  assert.is(pipelineOf(file('true')).cancelSuperseded, true);
  assert.is(pipelineOf(file('false')).cancelSuperseded, false);
});

test('only YAML 1.2 booleans are accepted', () => {
  const expected = (got: string) => [`.git-ci.yml:2: cancel-superseded: expected true or false, got ${got}`];
  assert.equal(problemsOf(file('no')), expected('"no"'));
  assert.equal(problemsOf(file('"false"')), expected('"false"'));
  assert.equal(problemsOf(file('0')), expected('0'));
  assert.equal(problemsOf(file('')), expected('null'));
});

test('a misspelt key is a typo, not a silent default', () => {
  assert.equal(problemsOf(yamlLines('jobs: { a: { run: x } }', 'cancel_superseded: false')), [
    '.git-ci.yml:2: cancel_superseded: unknown key; expected one of jobs, branches, cancel-superseded',
  ]);
});

test.run();
