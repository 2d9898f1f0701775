import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (...lines: string[]) => yamlLines('jobs:', '  build:', '    run: make', ...lines.map((l) => `    ${l}`));

test('no artifacts by default', () => {
  assert.equal(pipelineOf(job()).jobs[0]?.artifacts, []);
});

test('one pattern or a list of patterns, kept as written', () => {
  assert.equal(pipelineOf(job('artifacts: dist/**')).jobs[0]?.artifacts, ['dist/**']);
  assert.equal(pipelineOf(job('artifacts: ["dist/**", coverage/lcov.info, "out/"]')).jobs[0]?.artifacts, ['dist/**', 'coverage/lcov.info', 'out/']);
  assert.equal(pipelineOf(job('artifacts: []')).jobs[0]?.artifacts, []);
});

test('patterns that escape the workspace point at their item', () => {
  const text = job('artifacts:', '  - dist/**', '  - /etc/passwd', '  - ../up', '  - ""', '  - dist\\app.js', '  - ./dist');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:6: jobs.build.artifacts[1]: expected a relative path, got the absolute path "/etc/passwd"',
    '.git-ci.yml:7: jobs.build.artifacts[2]: expected a path that stays inside the workspace, got ".." in "../up"',
    '.git-ci.yml:8: jobs.build.artifacts[3]: expected a non-empty path, got an empty string',
    '.git-ci.yml:9: jobs.build.artifacts[4]: expected "/" between folders and no backslashes, got "dist\\\\app.js"',
    '.git-ci.yml:10: jobs.build.artifacts[5]: expected a path without "." segments, got "./dist" (write "dist")',
  ]);
});

test('a single escaping pattern is reported at the key', () => {
  assert.equal(problemsOf(job('artifacts: "a/../../b"')), [
    '.git-ci.yml:4: jobs.build.artifacts: expected a path that stays inside the workspace, got ".." in "a/../../b"',
  ]);
});

test('artifacts of the wrong type', () => {
  assert.equal(problemsOf(job('artifacts: { dist: true }')), [
    '.git-ci.yml:4: jobs.build.artifacts: expected a glob pattern or a list of glob patterns, got a mapping',
  ]);
  assert.equal(problemsOf(job('artifacts:')), [
    '.git-ci.yml:4: jobs.build.artifacts: expected a glob pattern or a list of glob patterns, got null',
  ]);
  assert.equal(problemsOf(job('artifacts: true')), [
    '.git-ci.yml:4: jobs.build.artifacts: expected a glob pattern or a list of glob patterns, got a boolean (write "true" in quotes if it is meant as text)',
  ]);
  assert.equal(problemsOf(job('artifacts: [dist, 2024, [x]]')), [
    '.git-ci.yml:4: jobs.build.artifacts[1]: expected a glob pattern, got a number (write "2024" in quotes if it is meant as text)',
    '.git-ci.yml:4: jobs.build.artifacts[2]: expected a glob pattern, got a list',
  ]);
});

test('a repeated pattern is reported once, at the repeat', () => {
  assert.equal(problemsOf(job('artifacts: [dist, out, dist]')), ['.git-ci.yml:4: jobs.build.artifacts[2]: duplicate glob pattern "dist"']);
});

test.run();
