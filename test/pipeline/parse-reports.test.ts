import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (...lines: string[]) => yamlLines('jobs:', '  test:', '    run: npm test', ...lines.map((l) => `    ${l}`));

test('no reports by default', () => {
  assert.is(pipelineOf(job()).jobs[0]?.reports, undefined);
  assert.is(pipelineOf(job('reports: {}')).jobs[0]?.reports, undefined);
});

test('junit as one glob or a list of globs', () => {
  assert.equal(pipelineOf(job('reports: { junit: "test-results/*.xml" }')).jobs[0]?.reports, { junit: ['test-results/*.xml'] });
  assert.equal(pipelineOf(job('reports:', '  junit:', '    - "a/*.xml"', '    - "**/junit.xml"')).jobs[0]?.reports, {
    junit: ['a/*.xml', '**/junit.xml'],
  });
});

test('unknown formats are typos', () => {
  assert.equal(problemsOf(job('reports: { juint: "x.xml" }')), ['.git-ci.yml:4: jobs.test.reports.juint: unknown key; expected one of junit']);
});

test('junit patterns follow the artifacts rules', () => {
  assert.equal(problemsOf(job('reports:', '  junit: ["../x.xml", "/tmp/*.xml"]')), [
    '.git-ci.yml:5: jobs.test.reports.junit[0]: expected a path that stays inside the workspace, got ".." in "../x.xml"',
    '.git-ci.yml:5: jobs.test.reports.junit[1]: expected a relative path, got the absolute path "/tmp/*.xml"',
  ]);
  assert.equal(problemsOf(job('reports:', '  junit:')), [
    '.git-ci.yml:5: jobs.test.reports.junit: expected a glob pattern or a list of glob patterns, got null',
  ]);
});

test('reports must be a mapping', () => {
  const expected = (got: string) => [`.git-ci.yml:4: jobs.test.reports: expected a mapping like { junit: "test-results/*.xml" }, got ${got}`];
  assert.equal(problemsOf(job('reports: "test-results/*.xml"')), expected('a string'));
  assert.equal(problemsOf(job('reports: [junit]')), expected('a list'));
  assert.equal(problemsOf(job('reports:')), expected('null'));
});

test.run();
