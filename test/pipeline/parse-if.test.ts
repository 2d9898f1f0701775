import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCondition } from '../../src/pipeline/condition.js';
import { parsePipeline } from '../../src/pipeline/parse.js';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (condition: string) => yamlLines('jobs:', '  deploy:', '    run: ./deploy.sh', `    if: ${condition}`);

test('no condition by default', () => {
  assert.is(pipelineOf(yamlLines('jobs:', '  a: { run: x }')).jobs[0]?.if, undefined);
});

test('a condition is parsed into its AST, quoted or not', () => {
  const expected = { kind: 'compare', subject: 'branch', operator: '==', value: 'main' };
  assert.equal(pipelineOf(job('branch == "main"')).jobs[0]?.if, expected);
  assert.equal(pipelineOf(job(`"branch == 'main'"`)).jobs[0]?.if, expected);
  assert.equal(pipelineOf(job(`'branch == "main"'`)).jobs[0]?.if, expected);
  assert.equal(pipelineOf(job('tag')).jobs[0]?.if, { kind: 'present', subject: 'tag' });
});

test('the parsed condition evaluates against the run', () => {
  const condition = pipelineOf(job('branch =~ "release/*" && event == "push"')).jobs[0]?.if;
  assert.ok(condition);
  assert.ok(evaluateCondition(condition, { branch: 'release/1', tag: null, event: 'push' }));
  assert.not.ok(evaluateCondition(condition, { branch: 'release/1', tag: null, event: 'manual' }));
});

test('a syntax error quotes the expression and points at the problem, on the if line', () => {
  assert.equal(problemsOf(job('branch = "main"')), [
    '.git-ci.yml:4: jobs.deploy.if: invalid condition "branch = \\"main\\"": unexpected "=" at column 8; expected ==, !=, =~ or !~',
  ]);
  assert.equal(problemsOf(job("'branch == main'")), [
    '.git-ci.yml:4: jobs.deploy.if: invalid condition "branch == main": unexpected "main" at column 11; expected a quoted string like "main"',
  ]);
});

test('a multi-line condition is reported at its first line', () => {
  const text = yamlLines('jobs:', '  deploy:', '    run: x', '    if: >-', '      branch == "main" &&', '      evnt == "push"');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:4: jobs.deploy.if: invalid condition "branch == \\"main\\" && evnt == \\"push\\"": unknown name "evnt" at column 21; expected branch, tag or event (did you mean "event"?)',
  ]);
});

test('if of the wrong type, or empty', () => {
  const expected = (got: string) => [`.git-ci.yml:4: jobs.deploy.if: expected a condition (for example: if: branch == "main"), got ${got}`];
  assert.equal(problemsOf(job('true')), expected('a boolean'));
  assert.equal(problemsOf(job('')), expected('null'));
  assert.equal(problemsOf(job('"  "')), expected('an empty string'));
  assert.equal(problemsOf(job('[tag]')), expected('a list'));
});

test('an unquoted leading "!" is a YAML tag, and says so', () => {
  const message = '.git-ci.yml:4: jobs.deploy.if: YAML read "!tag" as a tag, not as part of the condition; quote a condition that starts with "!" (if: "!tag ...")';
  assert.equal(problemsOf(job('!tag')), [message]);
  assert.equal(problemsOf(job('!tag && branch')), [message]);
  assert.equal(pipelineOf(job('"!tag"')).jobs[0]?.if, { kind: 'not', operand: { kind: 'present', subject: 'tag' } });
});

test('never throws on hostile conditions', () => {
  for (const condition of ['"((((("', '"!!!!!!!!"', `"${'('.repeat(5000)}"`, '"\\u0000"', '"branch =~ \\"[\\""']) {
    const result = parsePipeline(job(condition));
    assert.is(result.pipeline, undefined, condition);
    assert.is(result.errors.length, 1, condition);
  }
});

test.run();
