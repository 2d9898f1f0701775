import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineOf, problemsOf, yamlLines } from './parse-helpers.js';

const job = (...limitLines: string[]) => yamlLines('jobs:', '  test:', '    run: npm test', '    limits:', ...limitLines.map((l) => `      ${l}`));
const limitsOf = (...limitLines: string[]) => pipelineOf(job(...limitLines)).jobs[0]?.limits;

test('a job with every limit and the network', () => {
  const text = yamlLines(
    'jobs:',
    '  test:',
    '    run: npm test',
    '    network: true',
    '    limits:',
    '      memory: 2G',
    '      procs: 512',
    '      cpu: 1m30s',
    '      filesize: 1.5G',
    '      nofile: 4096',
  );
  const [spec] = pipelineOf(text).jobs;
  assert.is(spec?.network, true);
  assert.equal(spec?.limits, { memory: 2_147_483_648, procs: 512, cpuSeconds: 90, filesize: 1_610_612_736, nofile: 4096 });
});

test('no limits by default, and only the limits set', () => {
  assert.equal(pipelineOf(yamlLines('jobs:', '  test: { run: x }')).jobs[0]?.limits, {});
  assert.equal(limitsOf('memory: 512M'), { memory: 536_870_912 });
  assert.equal(limitsOf('cpu: 30m'), { cpuSeconds: 1800 });
  assert.equal(pipelineOf(yamlLines('jobs:', '  test:', '    run: x', '    limits: {}')).jobs[0]?.limits, {});
});

test('sizes in bytes and counts as numbers or digit strings', () => {
  assert.equal(limitsOf('memory: 1073741824', 'filesize: "4096"', 'procs: "64"'), { memory: 1_073_741_824, filesize: 4096, procs: 64 });
});

test('cpu time rounds up to whole seconds; plain numbers are seconds', () => {
  assert.equal(limitsOf('cpu: 1500ms'), { cpuSeconds: 2 });
  assert.equal(limitsOf('cpu: 1.2s'), { cpuSeconds: 2 });
  assert.equal(limitsOf('cpu: 45'), { cpuSeconds: 45 });
  assert.equal(limitsOf('cpu: 1s'), { cpuSeconds: 1 });
});

test('sizes that are not sizes', () => {
  assert.equal(problemsOf(job('memory: lots')), ['.git-ci.yml:5: jobs.test.limits.memory: expected a size like 512M or 2G, got "lots"']);
  assert.equal(problemsOf(job('filesize: 0')), ['.git-ci.yml:5: jobs.test.limits.filesize: expected a size like 512M or 2G, got 0']);
  assert.equal(problemsOf(job('memory: 5P')), ['.git-ci.yml:5: jobs.test.limits.memory: expected a size like 512M or 2G, got "5P"']);
  assert.equal(problemsOf(job('memory: -1G')), ['.git-ci.yml:5: jobs.test.limits.memory: expected a size like 512M or 2G, got "-1G"']);
  assert.equal(problemsOf(job('memory: [2G]')), ['.git-ci.yml:5: jobs.test.limits.memory: expected a size like 512M or 2G, got a list']);
  assert.equal(problemsOf(job('memory:')), ['.git-ci.yml:5: jobs.test.limits.memory: expected a size like 512M or 2G, got null']);
});

test('counts that are not whole numbers of at least 1', () => {
  const expected = (key: string, got: string) => [`.git-ci.yml:5: jobs.test.limits.${key}: expected a whole number of at least 1, got ${got}`];
  assert.equal(problemsOf(job('procs: 0')), expected('procs', '0'));
  assert.equal(problemsOf(job('procs: -3')), expected('procs', '-3'));
  assert.equal(problemsOf(job('procs: 1.5')), expected('procs', '1.5'));
  assert.equal(problemsOf(job('nofile: many')), expected('nofile', '"many"'));
  assert.equal(problemsOf(job('nofile: 4K')), expected('nofile', '"4K"'));
  assert.equal(problemsOf(job('nofile: true')), expected('nofile', 'true'));
  assert.equal(problemsOf(job('procs: 1e30')), ['.git-ci.yml:5: jobs.test.limits.procs: must be at most 9007199254740991, got 1e30']);
});

test('cpu times that are not durations or are under a second', () => {
  assert.equal(problemsOf(job('cpu: forever')), ['.git-ci.yml:5: jobs.test.limits.cpu: expected a duration like 30m, got "forever"']);
  assert.equal(problemsOf(job('cpu: 0')), ['.git-ci.yml:5: jobs.test.limits.cpu: expected a duration like 30m, got 0']);
  assert.equal(problemsOf(job('cpu: 5w')), ['.git-ci.yml:5: jobs.test.limits.cpu: expected a duration like 30m, got "5w"']);
  assert.equal(problemsOf(job('cpu: 500ms')), ['.git-ci.yml:5: jobs.test.limits.cpu: must be at least 1s of CPU time, got "500ms"']);
});

test('unknown limits name the key and list the allowed ones', () => {
  assert.equal(problemsOf(job('memory: 1G', 'swap: 1G')), [
    '.git-ci.yml:6: jobs.test.limits.swap: unknown key; expected one of memory, procs, cpu, filesize, nofile',
  ]);
});

test('limits must be a mapping', () => {
  const expected = (line: number, got: string) => [`.git-ci.yml:${line}: jobs.test.limits: expected a mapping like { memory: 2G, procs: 512 }, got ${got}`];
  assert.equal(problemsOf(yamlLines('jobs:', '  test:', '    run: x', '    limits: [memory: 2G]')), expected(4, 'a list'));
  assert.equal(problemsOf(yamlLines('jobs:', '  test:', '    run: x', '    limits:', '      - memory: 2G')), expected(5, 'a list'));
  assert.equal(problemsOf(yamlLines('jobs:', '  test:', '    run: x', '    limits: 2G')), expected(4, 'a string'));
  assert.equal(problemsOf(yamlLines('jobs:', '  test:', '    run: x', '    limits:')), expected(4, 'null'));
});

test('every bad limit is reported at once, in line order', () => {
  assert.equal(problemsOf(job('memory: lots', 'procs: 0', 'cpu: soon', 'filesize: big', 'nofile: 0')), [
    '.git-ci.yml:5: jobs.test.limits.memory: expected a size like 512M or 2G, got "lots"',
    '.git-ci.yml:6: jobs.test.limits.procs: expected a whole number of at least 1, got 0',
    '.git-ci.yml:7: jobs.test.limits.cpu: expected a duration like 30m, got "soon"',
    '.git-ci.yml:8: jobs.test.limits.filesize: expected a size like 512M or 2G, got "big"',
    '.git-ci.yml:9: jobs.test.limits.nofile: expected a whole number of at least 1, got 0',
  ]);
});

test('limits can be shared with an anchor and merge', () => {
  const text = yamlLines('jobs:', '  a:', '    run: x', '    limits: &small { memory: 256M, procs: 32 }', '  b:', '    run: y', '    limits: { <<: *small, procs: 64 }');
  const [a, b] = pipelineOf(text).jobs;
  assert.equal(a?.limits, { memory: 268_435_456, procs: 32 });
  assert.equal(b?.limits, { memory: 268_435_456, procs: 64 });
});

test.run();
