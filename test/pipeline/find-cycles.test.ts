import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findCycles } from '../../src/pipeline/find-cycles.js';

const job = (name: string, ...needs: string[]) => ({ name, needs });

test('an acyclic graph has no cycles', () => {
  assert.equal(findCycles([job('a'), job('b', 'a'), job('c', 'a', 'b')]), []);
  assert.equal(findCycles([]), []);
});

test('a job needing itself', () => {
  assert.equal(findCycles([job('a'), job('s', 's')]), [['s']]);
});

test('a 2-cycle is reported once, from the job first in file order', () => {
  assert.equal(findCycles([job('a', 'b'), job('b', 'a')]), [['a', 'b']]);
  assert.equal(findCycles([job('x'), job('b', 'a'), job('a', 'b')]), [['b', 'a']]);
});

test('a 3-cycle follows the needs edges', () => {
  assert.equal(findCycles([job('a', 'b'), job('b', 'c'), job('c', 'a')]), [['a', 'b', 'c']]);
  assert.equal(findCycles([job('a', 'c'), job('b', 'a'), job('c', 'b')]), [['a', 'c', 'b']]);
});

test('distinct cycles sharing jobs are each listed', () => {
  const cycles = findCycles([job('a', 'b'), job('b', 'a', 'c'), job('c', 'b')]);
  assert.equal(cycles, [['a', 'b'], ['b', 'c']]);
});

test('every elementary cycle of a dense knot', () => {
  // a, b, c all need each other: three 2-cycles and two 3-cycles.
  const cycles = findCycles([job('a', 'b', 'c'), job('b', 'a', 'c'), job('c', 'a', 'b')]);
  assert.is(cycles.length, 5);
  assert.equal(new Set(cycles.map((c) => c.join(','))), new Set(['a,b', 'a,b,c', 'a,c', 'a,c,b', 'b,c']));
});

test('unknown needs and repeated needs are ignored', () => {
  assert.equal(findCycles([job('a', 'nope', 'b', 'b'), job('b', 'a')]), [['a', 'b']]);
});

test('the limit bounds the output', () => {
  const names = Array.from({ length: 8 }, (_, i) => `j${i}`);
  const complete = names.map((name) => job(name, ...names.filter((other) => other !== name)));
  assert.is(findCycles(complete, 10).length, 10);
});

test.run();
