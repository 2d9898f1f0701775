import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (timeout: string) => yamlLines('jobs:', '  a:', '    run: x', `    timeout: ${timeout}`);

test('timeouts in units or plain seconds', () => {
  assert.is(pipelineOf(job('10m')).jobs[0]?.timeoutMs, 600_000);
  assert.is(pipelineOf(job('1h30m')).jobs[0]?.timeoutMs, 5_400_000);
  assert.is(pipelineOf(job('90')).jobs[0]?.timeoutMs, 90_000);
  assert.is(pipelineOf(job('"90"')).jobs[0]?.timeoutMs, 90_000);
  assert.is(pipelineOf(job('7d')).jobs[0]?.timeoutMs, 7 * 86_400_000);
});

test('no timeout means the server default', () => {
  assert.is(pipelineOf(yamlLines('jobs:', '  a: { run: x }')).jobs[0]?.timeoutMs, undefined);
});

test('invalid timeouts show the value written', () => {
  const expected = (got: string) => [`.git-ci.yml:4: jobs.a.timeout: expected a duration like "90s", "10m" or "1h30m", got ${got}`];
  assert.equal(problemsOf(job('ten minutes')), expected('"ten minutes"'));
  assert.equal(problemsOf(job('0')), expected('0'));
  assert.equal(problemsOf(job('-5')), expected('-5'));
  assert.equal(problemsOf(job('5w')), expected('"5w"'));
  assert.equal(problemsOf(job('[5m]')), expected('a list'));
  assert.equal(problemsOf(job('true')), expected('true'));
  assert.equal(problemsOf(job('')), expected('null'));
});

test('timeouts above seven days', () => {
  assert.equal(problemsOf(job('8d')), ['.git-ci.yml:4: jobs.a.timeout: must be at most 7 days, got "8d" (192h00m)']);
  assert.equal(problemsOf(job('7d 1s')), ['.git-ci.yml:4: jobs.a.timeout: must be at most 7 days, got "7d 1s" (168h00m)']);
});

test.run();
