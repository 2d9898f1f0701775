import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { secretNameProblem } from '../../src/pipeline/parse-secrets.js';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (...lines: string[]) => yamlLines('jobs:', '  publish:', '    run: npm publish', ...lines.map((l) => `    ${l}`));

test('no secrets by default; one name or a list of names', () => {
  assert.equal(pipelineOf(job()).jobs[0]?.secrets, []);
  assert.equal(pipelineOf(job('secrets: NPM_TOKEN')).jobs[0]?.secrets, ['NPM_TOKEN']);
  assert.equal(pipelineOf(job('secrets: [NPM_TOKEN, _deploy_key2]')).jobs[0]?.secrets, ['NPM_TOKEN', '_deploy_key2']);
});

test('invalid, reserved and repeated names', () => {
  const text = job('secrets:', '  - NPM_TOKEN', '  - npm-token', '  - 9LIVES', '  - CI', '  - GIT_CI_X', '  - NPM_TOKEN', '  - ""');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:6: jobs.publish.secrets[1]: invalid secret name "npm-token"; use letters, digits and "_", not starting with a digit',
    '.git-ci.yml:7: jobs.publish.secrets[2]: invalid secret name "9LIVES"; use letters, digits and "_", not starting with a digit',
    '.git-ci.yml:8: jobs.publish.secrets[3]: "CI" is reserved: git-ci sets it',
    '.git-ci.yml:9: jobs.publish.secrets[4]: "GIT_CI_X" is reserved: names starting with GIT_CI_ are set by git-ci',
    '.git-ci.yml:10: jobs.publish.secrets[5]: duplicate secret name "NPM_TOKEN"',
    '.git-ci.yml:11: jobs.publish.secrets[6]: invalid secret name ""; use letters, digits and "_", not starting with a digit',
  ]);
});

test('secrets of the wrong type', () => {
  assert.equal(problemsOf(job('secrets: { NPM_TOKEN: abc }')), [
    '.git-ci.yml:4: jobs.publish.secrets: expected a secret name or a list of secret names, got a mapping',
  ]);
  assert.equal(problemsOf(job('secrets: [42]')), [
    '.git-ci.yml:4: jobs.publish.secrets[0]: expected a secret name, got a number (write "42" in quotes if it is meant as text)',
  ]);
});

test('secretNameProblem', () => {
  assert.is(secretNameProblem('A_1'), null);
  assert.is(secretNameProblem('GIT_CI'), null);
  assert.ok(secretNameProblem('A B'));
  assert.ok(secretNameProblem('GIT_CI_TOKEN'));
});

test.run();
