import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const withBranches = (value: string) => yamlLines('jobs: { a: { run: x } }', `branches: ${value}`);

test('branches as one pattern or a list', () => {
  assert.equal(pipelineOf(withBranches('main')).branches, ['main']);
  assert.equal(pipelineOf(withBranches('["*", "!tmp/*"]')).branches, ['*', '!tmp/*']);
  assert.equal(pipelineOf(withBranches('[]')).branches, []);
  assert.equal(pipelineOf(withBranches('[1.10]')).branches, ['1.10']);
});

test('branches of the wrong type', () => {
  assert.equal(problemsOf(withBranches('{ main: true }')), [
    '.git-ci.yml:2: branches: expected a branch pattern or a list of patterns, got a mapping',
  ]);
  assert.equal(problemsOf(withBranches('')), [
    '.git-ci.yml:2: branches: expected a branch pattern or a list of patterns, got null',
  ]);
});

test('empty and malformed patterns point at the item', () => {
  const text = yamlLines('jobs: { a: { run: x } }', 'branches:', '  - main', '  - ""', '  - "!"', '  - "v[9-0]"', '  - [x]', '  - "fix["');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:4: branches[1]: expected a non-empty pattern, got an empty string',
    '.git-ci.yml:5: branches[2]: nothing follows "!"',
    '.git-ci.yml:6: branches[3]: range "9-0" is reversed',
    '.git-ci.yml:7: branches[4]: expected a branch pattern, got a list',
    '.git-ci.yml:8: branches[5]: unclosed "[" (write "\\[" for a literal bracket)',
  ]);
});

test.run();
