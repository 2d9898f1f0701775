import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (cache: string) => yamlLines('jobs:', '  test:', '    run: npm test', `    cache: ${cache}`);

test('cache is off unless the job asks for it', () => {
  assert.is(pipelineOf(yamlLines('jobs:', '  test: { run: x }')).jobs[0]?.cache, false);
  assert.is(pipelineOf(job('true')).jobs[0]?.cache, true);
  assert.is(pipelineOf(job('false')).jobs[0]?.cache, false);
});

test('only YAML 1.2 booleans are accepted', () => {
  const expected = (got: string) => [`.git-ci.yml:4: jobs.test.cache: expected true or false, got ${got}`];
  assert.equal(problemsOf(job('yes')), expected('"yes"'));
  assert.equal(problemsOf(job('"true"')), expected('"true"'));
  assert.equal(problemsOf(job('1')), expected('1'));
  assert.equal(problemsOf(job('{ key: x }')), expected('a mapping'));
  assert.equal(problemsOf(job('')), expected('null'));
});

test.run();
