import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closestName, editDistance } from '../../src/pipeline/did-you-mean.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.is(editDistance('biuld', 'build'), 1);
  assert.is(editDistance('', 'abc'), 3);
  assert.is(editDistance('abc', ''), 3);
  assert.is(editDistance('kitten', 'sitting'), 3);
  assert.is(editDistance('same', 'same'), 0);
});

test('suggests the closest name', () => {
  assert.is(closestName('biuld', ['test', 'build', 'lint']), 'build');
  assert.is(closestName('tset', ['test', 'deploy']), 'test');
  assert.is(closestName('Build', ['build']), 'build');
});

test('suggests nothing when every name is far away', () => {
  assert.is(closestName('deploy', ['build', 'test']), undefined);
  assert.is(closestName('x', ['y']), undefined);
  assert.is(closestName('build', []), undefined);
});

test('never suggests the input itself', () => {
  assert.is(closestName('build', ['build']), undefined);
});

test.run();
