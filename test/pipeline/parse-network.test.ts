import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (network: string) => yamlLines('jobs:', '  test:', '    run: npm test', `    network: ${network}`);

test('network is off unless the job asks for it', () => {
  assert.is(pipelineOf(yamlLines('jobs:', '  test: { run: x }')).jobs[0]?.network, false);
  assert.is(pipelineOf(job('true')).jobs[0]?.network, true);
  assert.is(pipelineOf(job('false')).jobs[0]?.network, false);
  assert.is(pipelineOf(job('True')).jobs[0]?.network, true);
});

test('only YAML 1.2 booleans are accepted', () => {
  const expected = (got: string) => [`.git-ci.yml:4: jobs.test.network: expected true or false, got ${got}`];
  assert.equal(problemsOf(job('yes')), expected('"yes"'));
  assert.equal(problemsOf(job('on')), expected('"on"'));
  assert.equal(problemsOf(job('"true"')), expected('"true"'));
  assert.equal(problemsOf(job('1')), expected('1'));
  assert.equal(problemsOf(job('[true]')), expected('a list'));
  assert.equal(problemsOf(job('')), expected('null'));
});

test.run();
