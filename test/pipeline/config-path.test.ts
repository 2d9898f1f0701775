import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { childPath, indexPath } from '../../src/pipeline/config-path.js';

test('dotted keys and indices', () => {
  assert.is(childPath('', 'jobs'), 'jobs');
  assert.is(childPath('jobs', 'test'), 'jobs.test');
  assert.is(indexPath(childPath('jobs.test', 'needs'), 0), 'jobs.test.needs[0]');
  assert.is(childPath('jobs.test.env', 'NODE_ENV'), 'jobs.test.env.NODE_ENV');
});

test('keys that would make the path ambiguous are bracketed', () => {
  assert.is(childPath('jobs', 'my job'), 'jobs["my job"]');
  assert.is(childPath('jobs', 'v1.2'), 'jobs["v1.2"]');
  assert.is(childPath('', 'a b'), '["a b"]');
});

test.run();
