import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCycles, isFinished, nextSteps, topologicalOrder } from '../../src/pipeline/dag.js';
import type { JobState, Pipeline } from '../../src/pipeline/types.js';

function pipeline(...jobs: [string, ...string[]][]): Pipeline {
  return {
    branches: ['*'],
    cancelSuperseded: true,
    jobs: jobs.map(([name, ...needs], i) => ({
      name, needs, run: ['true'], timeoutMs: undefined, env: {}, network: false, limits: {},
      if: undefined, cache: false, inputs: undefined, artifacts: [], secrets: [], reports: undefined, line: i + 2,
    })),
  };
}

// Applies nextSteps the way the runner does: start jobs, finish them with the given outcome, repeat.
function simulate(p: Pipeline, outcome: (name: string) => JobState): { states: Record<string, JobState>; started: string[][] } {
  const states: Record<string, JobState> = Object.fromEntries(p.jobs.map((j) => [j.name, 'pending' as JobState]));
  const started: string[][] = [];
  while (!isFinished(states)) {
    const { start, skip } = nextSteps(p, states);
    if (start.length === 0 && skip.length === 0) throw new Error('stuck');
    for (const name of skip) states[name] = 'skipped';
    if (start.length > 0) started.push(start);
    for (const name of start) states[name] = outcome(name);
  }
  return { states, started };
}

const diamond = pipeline(['build'], ['lint'], ['test', 'build'], ['docs', 'build'], ['deploy', 'test', 'lint']);

test('jobs without needs start first, in file order', () => {
  assert.equal(nextSteps(diamond, {}), { start: ['build', 'lint'], skip: [] });
});

test('a job starts only when all its needs passed', () => {
  const states: Record<string, JobState> = { build: 'passed', lint: 'running', test: 'pending', docs: 'pending', deploy: 'pending' };
  assert.equal(nextSteps(diamond, states), { start: ['test', 'docs'], skip: [] });
  states.test = 'passed';
  assert.equal(nextSteps(diamond, states), { start: ['docs'], skip: [] });
  states.lint = 'passed';
  assert.equal(nextSteps(diamond, states), { start: ['docs', 'deploy'], skip: [] });
});

test('running and finished jobs are neither started nor skipped again', () => {
  const states: Record<string, JobState> = { build: 'running', lint: 'failed', test: 'pending', docs: 'pending', deploy: 'skipped' };
  assert.equal(nextSteps(diamond, states), { start: [], skip: [] });
});

test('every non-passing final state of a need skips the job', () => {
  for (const state of ['failed', 'skipped', 'canceled', 'error'] as JobState[]) {
    const states: Record<string, JobState> = { build: state, lint: 'pending', test: 'pending', docs: 'pending', deploy: 'pending' };
    assert.equal(nextSteps(diamond, states), { start: ['lint'], skip: ['test', 'docs'] }, state);
  }
});

test('a skip waits for nothing: one failed need is enough even while others run', () => {
  const states: Record<string, JobState> = { build: 'passed', lint: 'failed', test: 'running', docs: 'passed', deploy: 'pending' };
  assert.equal(nextSteps(diamond, states), { start: [], skip: ['deploy'] });
});

test('skips cascade through repeated calls', () => {
  const chain = pipeline(['a'], ['b', 'a'], ['c', 'b'], ['d', 'c'], ['other']);
  const { states, started } = simulate(chain, (name) => (name === 'a' ? 'failed' : 'passed'));
  assert.equal(states, { a: 'failed', b: 'skipped', c: 'skipped', d: 'skipped', other: 'passed' });
  assert.equal(started, [['a', 'other']]);
});

test('a full run starts jobs in waves', () => {
  const { states, started } = simulate(diamond, () => 'passed');
  assert.equal(started, [['build', 'lint'], ['test', 'docs'], ['deploy']]);
  assert.ok(Object.values(states).every((s) => s === 'passed'));
});

test('a need on a job missing from the pipeline can never pass, so it skips', () => {
  const broken = pipeline(['a', 'ghost']);
  assert.equal(nextSteps(broken, {}), { start: [], skip: ['a'] });
});

test('topological order takes the earliest ready job in file order', () => {
  assert.equal(topologicalOrder(diamond), ['build', 'lint', 'test', 'docs', 'deploy']);
  assert.equal(topologicalOrder(pipeline(['deploy', 'test'], ['test', 'build'], ['build'], ['lint'])), ['build', 'test', 'deploy', 'lint']);
  assert.equal(topologicalOrder(pipeline(['a'], ['b', 'a'], ['c'])), ['a', 'b', 'c']);
});

test('topological order leaves out jobs caught in a cycle', () => {
  assert.equal(topologicalOrder(pipeline(['a', 'b'], ['b', 'a'], ['c'])), ['c']);
});

test('isFinished: nothing pending or running', () => {
  assert.ok(isFinished({}));
  assert.ok(isFinished({ a: 'passed', b: 'failed', c: 'skipped', d: 'canceled', e: 'error' }));
  assert.not.ok(isFinished({ a: 'passed', b: 'pending' }));
  assert.not.ok(isFinished({ a: 'running' }));
});

test('dag re-exports findCycles for the parser and the runner', () => {
  assert.equal(findCycles([{ name: 'a', needs: ['a'] }]), [['a']]);
});

test.run();
