import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CACHE_KEY_VERSION, cacheKeyMaterial } from '../../src/pipeline/cache-key.js';
import type { JobSpec } from '../../src/pipeline/types.js';
import { pipelineOf, yamlLines } from './parse-helpers.js';

const BASE: JobSpec = {
  name: 'test',
  run: ['npm ci', 'npm test'],
  needs: ['build'],
  timeoutMs: 600_000,
  env: { NODE_ENV: 'test', A: '1' },
  network: false,
  limits: { memory: 1024, procs: 64 },
  if: undefined,
  cache: true,
  inputs: ['src', 'package.json'],
  artifacts: ['coverage/**'],
  secrets: ['NPM_TOKEN'],
  reports: { junit: ['test-results/*.xml'] },
  line: 5,
};
const TREES = { src: 'a'.repeat(40), 'package.json': 'b'.repeat(40) };
const NEEDS = { build: 'c'.repeat(64) };

const material = (spec: Partial<JobSpec> = {}, trees: Record<string, string> = TREES, needs: Record<string, string> = NEEDS) =>
  cacheKeyMaterial({ ...BASE, ...spec }, trees, needs);

test('the material is versioned, line-based and readable', () => {
  assert.is(material(), [
    CACHE_KEY_VERSION,
    'name "test"',
    'run ["npm ci","npm test"]',
    'env {"A":"1","NODE_ENV":"test"}',
    'network false',
    'limits {"memory":1024,"procs":64}',
    'timeout 600000',
    'artifacts ["coverage/**"]',
    'secrets ["NPM_TOKEN"]',
    'reports {"junit":["test-results/*.xml"]}',
    `input "package.json" "${'b'.repeat(40)}"`,
    `input "src" "${'a'.repeat(40)}"`,
    `need "build" "${'c'.repeat(64)}"`,
    '',
  ].join('\n'));
  assert.is(CACHE_KEY_VERSION, 'git-ci cache v1');
});

test('the same job gives the same material', () => {
  assert.is(material(), material());
});

test('changing any one defining field changes the material', () => {
  const changes: [string, string][] = [
    ['name', material({ name: 'test2' })],
    ['run', material({ run: ['npm ci', 'npm test -- --bail'] })],
    ['run order', material({ run: ['npm test', 'npm ci'] })],
    ['env value', material({ env: { NODE_ENV: 'production', A: '1' } })],
    ['env key', material({ env: { NODE_ENV: 'test', B: '1' } })],
    ['network', material({ network: true })],
    ['limits', material({ limits: { memory: 2048, procs: 64 } })],
    ['limits key', material({ limits: { memory: 1024 } })],
    ['timeout', material({ timeoutMs: 60_000 })],
    ['timeout default', material({ timeoutMs: undefined })],
    ['artifacts', material({ artifacts: ['dist/**'] })],
    ['secrets', material({ secrets: ['NPM_TOKEN', 'GH_TOKEN'] })],
    ['reports', material({ reports: { junit: ['other/*.xml'] } })],
    ['no reports', material({ reports: undefined })],
    ['needs', material({ needs: ['build', 'lint'] }, TREES, { ...NEEDS, lint: 'd'.repeat(64) })],
    ['needed key', material({}, TREES, { build: 'e'.repeat(64) })],
    ['input tree', material({}, { ...TREES, src: 'f'.repeat(40) })],
    ['input missing from the commit', material({}, { src: TREES.src })],
    ['input paths', material({ inputs: ['src', 'package.json', 'lib'] })],
    ['whole tree', material({ inputs: undefined }, { '.': 'a'.repeat(40) })],
  ];
  const base = material();
  const seen = new Set([base]);
  for (const [field, changed] of changes) {
    assert.is.not(changed, base, field);
    assert.not.ok(seen.has(changed), `${field} collides with another change`);
    seen.add(changed);
  }
});

test('key order and the order of unordered lists do not matter', () => {
  const base = material();
  assert.is(material({ env: { A: '1', NODE_ENV: 'test' } }), base);
  assert.is(material({ limits: { procs: 64, memory: 1024 } }), base);
  assert.is(material({ inputs: ['package.json', 'src'] }), base);
  assert.is(material({}, { 'package.json': TREES['package.json'], src: TREES.src }), base);
  assert.is(material({ artifacts: ['b', 'a'] }), material({ artifacts: ['a', 'b'] }));
  assert.is(material({ secrets: ['Y', 'X'] }), material({ secrets: ['X', 'Y'] }));
});

test('what does not change the result does not change the material', () => {
  const base = material();
  assert.is(material({ line: 99 }), base);
  assert.is(material({ if: { kind: 'present', subject: 'tag' } }), base);
  assert.is(material({}, { ...TREES, unrelated: 'x' }), base, 'tree ids of paths that are not inputs');
  assert.is(material({}, TREES, { ...NEEDS, other: 'x' }), base, 'keys of jobs that are not needed');
});

test('without inputs, the whole commit tree is the input "."', () => {
  const text = material({ inputs: undefined }, { '.': 'd'.repeat(40) });
  assert.match(text, `\ninput "." "${'d'.repeat(40)}"\n`);
  assert.not.match(text, 'input "src"');
});

test('strings that would break the line format are JSON-escaped', () => {
  const text = material({ run: ['echo "a"\nnetwork true'], env: { X: 'a\nb' } });
  assert.is(text.split('\n').length, material().split('\n').length);
});

test('a needed job without a key is a caller bug, not a silent cache hit', () => {
  assert.throws(() => material({}, TREES, {}), /no cache key given for job "build", which test needs/);
});

test('a parsed job goes straight in', () => {
  const text = yamlLines('jobs:', '  build:', '    run: make', '    cache: true', '    env: { Z: 1, A: 2 }', '    artifacts: dist/**');
  const spec = pipelineOf(text).jobs[0] as JobSpec;
  assert.match(cacheKeyMaterial(spec, { '.': 'f'.repeat(40) }, {}), 'env {"A":"2","Z":"1"}\n');
});

test.run();
