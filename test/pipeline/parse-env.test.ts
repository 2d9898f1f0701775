import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { variableNameProblem } from '../../src/pipeline/parse-env.js';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (...envLines: string[]) => yamlLines('jobs:', '  a:', '    run: x', '    env:', ...envLines.map((l) => `      ${l}`));

test('values are coerced to strings as written', () => {
  const env = pipelineOf(job('NODE_ENV: test', 'VERSION: 1.10', 'PORT: 8080', 'DEBUG: true', 'EMPTY: ""', '_x9: "quoted: yes"')).jobs[0]?.env;
  assert.equal(env, { NODE_ENV: 'test', VERSION: '1.10', PORT: '8080', DEBUG: 'true', EMPTY: '', _x9: 'quoted: yes' });
});

test('a variable named __proto__ stays a plain variable', () => {
  const env = pipelineOf(job('__proto__: x')).jobs[0]?.env as Record<string, string>;
  assert.ok(Object.hasOwn(env, '__proto__'));
  assert.is(Object.getPrototypeOf(env), Object.prototype);
});

test('env must be a mapping', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  a:', '    run: x', '    env: [A=1]')), [
    '.git-ci.yml:4: jobs.a.env: expected a mapping of variable names to values, got a list',
  ]);
});

test('invalid and reserved names, bad values, all at once', () => {
  const text = job('CI: "1"', 'GIT_CI_RUN: x', '9LIVES: x', 'MY-VAR: x', 'OK: [1]', 'NOTHING:', 'ci: fine');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:5: jobs.a.env.CI: "CI" is reserved: git-ci sets it',
    '.git-ci.yml:6: jobs.a.env.GIT_CI_RUN: "GIT_CI_RUN" is reserved: names starting with GIT_CI_ are set by git-ci',
    '.git-ci.yml:7: jobs.a.env.9LIVES: invalid variable name; use letters, digits and "_", not starting with a digit',
    '.git-ci.yml:8: jobs.a.env.MY-VAR: invalid variable name; use letters, digits and "_", not starting with a digit',
    '.git-ci.yml:9: jobs.a.env.OK: expected a string, number or boolean, got a list',
    '.git-ci.yml:10: jobs.a.env.NOTHING: expected a string, number or boolean, got null; write "" for an empty value',
  ]);
});

test('variableNameProblem', () => {
  assert.is(variableNameProblem('PATH_2'), undefined);
  assert.is(variableNameProblem('GIT_CI'), undefined);
  assert.ok(variableNameProblem('GIT_CI_'));
  assert.ok(variableNameProblem(''));
  assert.ok(variableNameProblem('A B'));
});

test.run();
