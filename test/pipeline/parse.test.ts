import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../../src/pipeline/parse.js';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const JOB_KEY_LIST = 'run, needs, timeout, env, network, limits, if, cache, inputs, artifacts, reports, secrets';
const TOP_KEY_LIST = 'jobs, branches, cancel-superseded';
const NEW_KEY_DEFAULTS = { if: undefined, cache: false, inputs: undefined, artifacts: [], secrets: [], reports: undefined };
const EXAMPLE = '(for example: jobs: { build: { run: make } })';

test('the example from the docs parses into jobs in file order', () => {
  const text = yamlLines(
    'jobs:',
    '  build:',
    '    run: npm ci && npm run build',
    '  test:',
    '    needs: [build]',
    '    run: npm test',
    '    timeout: 10m',
    '    env: { NODE_ENV: test }',
    'branches: ["*", "!tmp/*"]',
  );
  const result = parsePipeline(text);
  assert.equal(result.errors, []);
  assert.equal(result.warnings, []);
  assert.equal(result.pipeline, {
    jobs: [
      { name: 'build', run: ['npm ci && npm run build'], needs: [], timeoutMs: undefined, env: {}, network: false, limits: {}, ...NEW_KEY_DEFAULTS, line: 2 },
      { name: 'test', run: ['npm test'], needs: ['build'], timeoutMs: 600_000, env: { NODE_ENV: 'test' }, network: false, limits: {}, ...NEW_KEY_DEFAULTS, line: 4 },
    ],
    branches: ['*', '!tmp/*'],
    cancelSuperseded: true,
  });
});

test('branches default to every branch', () => {
  assert.equal(pipelineOf('jobs: { a: { run: x } }\n').branches, ['*']);
});

test('the exact message for an unknown need', () => {
  const text = yamlLines('jobs:', '  test:', '    needs: [biuld]', '    run: npm test');
  assert.equal(problemsOf(text), ['.git-ci.yml:3: jobs.test.needs[0]: unknown job "biuld"']);
});

test('an empty file, or one with only comments', () => {
  const expected = [`.git-ci.yml: the file is empty; expected a mapping with a "jobs" key ${EXAMPLE}`];
  assert.equal(problemsOf(''), expected);
  assert.equal(problemsOf('# nothing yet\n'), expected);
  assert.equal(problemsOf('---\n'), expected);
});

test('a document that is not a mapping', () => {
  assert.equal(problemsOf('- build\n- test\n'), ['.git-ci.yml:1: expected a mapping with a "jobs" key at the top level, got a list']);
  assert.equal(problemsOf('\n\njust text\n'), ['.git-ci.yml:3: expected a mapping with a "jobs" key at the top level, got a string']);
});

test('missing jobs', () => {
  assert.equal(problemsOf('branches: main\n'), [`.git-ci.yml: missing required key "jobs" ${EXAMPLE}`]);
});

test('jobs that are empty or not a mapping', () => {
  assert.equal(problemsOf('jobs:\n'), [`.git-ci.yml:1: jobs: expected at least one job, got null ${EXAMPLE}`]);
  assert.equal(problemsOf('jobs: {}\n'), [`.git-ci.yml:1: jobs: expected at least one job, got an empty mapping ${EXAMPLE}`]);
  assert.equal(problemsOf('jobs: [build]\n'), [`.git-ci.yml:1: jobs: expected a mapping of job names to jobs, got a list ${EXAMPLE}`]);
  assert.equal(problemsOf('jobs: make\n'), [`.git-ci.yml:1: jobs: expected a mapping of job names to jobs, got a string ${EXAMPLE}`]);
});

test('unknown top-level keys list the allowed ones', () => {
  const text = yamlLines('jobs: { a: { run: x } }', 'branch: main', 'on: push');
  assert.equal(problemsOf(text), [
    `.git-ci.yml:2: branch: unknown key; expected one of ${TOP_KEY_LIST}`,
    `.git-ci.yml:3: on: unknown key; expected one of ${TOP_KEY_LIST}`,
  ]);
});

test('a YAML syntax error is reported with its line, and nothing is guessed past it', () => {
  const problems = problemsOf(yamlLines('jobs:', '  build:', '    run: [make', '  test: {run: x}', 'nonsense: 1'));
  assert.is(problems.length, 1);
  assert.match(problems[0] as string, /^\.git-ci\.yml:\d+: invalid YAML: /);
});

test('tabs used as indentation are a syntax error on their line', () => {
  assert.equal(problemsOf('jobs:\n\tbuild: {run: x}\n'), ['.git-ci.yml:2: invalid YAML: Tabs are not allowed as indentation']);
});

test('duplicate keys are reported with their line, together with schema problems', () => {
  const text = yamlLines('jobs:', '  build:', '    run: make', '  build:', '    run: other', 'extra: 1');
  assert.equal(problemsOf(text), [
    '.git-ci.yml:4: duplicate key "build"; a key may appear only once in a mapping',
    `.git-ci.yml:6: extra: unknown key; expected one of ${TOP_KEY_LIST}`,
  ]);
  assert.is(parsePipeline(text).pipeline, undefined);
});

test('several documents in one file', () => {
  assert.equal(problemsOf('jobs: {a: {run: x}}\n---\njobs: {b: {run: y}}\n'), [
    '.git-ci.yml:2: the file must hold a single YAML document; remove the extra "---"',
  ]);
});

test('an alias without an anchor', () => {
  assert.equal(problemsOf('jobs:\n  a: *defaults\n'), [
    '.git-ci.yml:2: unknown alias "*defaults"; define it first with "&defaults"',
  ]);
});

test('anchors, aliases and << merge keys work as in YAML', () => {
  const text = yamlLines(
    'jobs:',
    '  build: &base',
    '    run: make',
    '    timeout: 5m',
    '    env: &env { A: "1" }',
    '  test:',
    '    <<: *base',
    '    needs: build',
    '    timeout: 1m',
    '    env: { <<: *env, B: 2 }',
  );
  const [build, test] = pipelineOf(text).jobs;
  assert.equal(build?.run, ['make']);
  assert.equal(test?.run, ['make']);
  assert.is(test?.timeoutMs, 60_000);
  assert.equal(test?.env, { A: '1', B: '2' });
  assert.equal(test?.needs, ['build']);
});

test('a merge of something other than a mapping is an error', () => {
  assert.equal(problemsOf(yamlLines('jobs:', '  a:', '    <<: [1]', '    run: x')), [
    '.git-ci.yml:3: jobs.a: "<<" merges a mapping or a list of mappings, got a number',
  ]);
});

test('every problem is reported together, sorted by line', () => {
  const text = yamlLines(
    'jobs:', //                 1
    '  build:', //              2
    '    run: 42', //           3
    '  test:', //               4
    '    nedds: [build]', //    5
    '    needs: [biuld]', //    6
    '    run: npm test', //     7
    '    timeout: forever', //  8
    'branches: [""]', //        9
    'trigger: push', //         10
  );
  const result = parsePipeline(text);
  assert.is(result.pipeline, undefined);
  assert.equal(
    result.errors.map((e) => e.line),
    [3, 5, 6, 8, 9, 10],
  );
  assert.equal(problemsOf(text), [
    '.git-ci.yml:3: jobs.build.run: expected a string or a list of strings, got a number',
    `.git-ci.yml:5: jobs.test.nedds: unknown key; expected one of ${JOB_KEY_LIST}`,
    '.git-ci.yml:6: jobs.test.needs[0]: unknown job "biuld" (did you mean "build"?)',
    '.git-ci.yml:8: jobs.test.timeout: expected a duration like "90s", "10m" or "1h30m", got "forever"',
    '.git-ci.yml:9: branches[0]: expected a non-empty pattern, got an empty string',
    `.git-ci.yml:10: trigger: unknown key; expected one of ${TOP_KEY_LIST}`,
  ]);
});

test('problems without a line come first', () => {
  const result = parsePipeline('branches: [""]\n');
  assert.equal(result.errors.map((e) => e.line), [undefined, 1]);
});

test('unresolved tags are warnings, not errors', () => {
  const result = parsePipeline('jobs: { a: { run: !weird x } }\n');
  assert.is(result.errors.length, 0);
  assert.is(result.warnings.length, 1);
  assert.is(result.warnings[0]?.line, 1);
  assert.ok(result.pipeline);
});

test('never throws, whatever the input', () => {
  for (const text of ['{', ']', ': :', '"\\', '&a [*a]', '? ? ?', '\u0000', 'jobs: &j { a: { run: x, needs: *j } }', '<<: 1']) {
    const result = parsePipeline(text);
    assert.ok(result.pipeline === undefined || result.errors.length === 0, text);
  }
});

test.run();
