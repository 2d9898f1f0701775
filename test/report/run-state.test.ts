import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runStateFromJobs, statusExitCode } from '../../src/report/run-state.js';
import { decodeRunRecord } from '../../src/report/run-record.js';

test('the run state follows from its jobs', () => {
  assert.is(runStateFromJobs(['passed', 'passed']), 'passed');
  assert.is(runStateFromJobs(['passed', 'failed', 'skipped']), 'failed');
  // Skipped by an if: or by --job: not a failure (a skip after a failed need comes with that failure).
  assert.is(runStateFromJobs(['passed', 'skipped']), 'passed');
  assert.is(runStateFromJobs(['canceled', 'failed']), 'canceled');
  assert.is(runStateFromJobs(['error', 'passed']), 'error');
  assert.is(runStateFromJobs([]), 'passed');
});

test('status exit codes are what scripts rely on', () => {
  assert.is(statusExitCode('passed'), 0);
  for (const s of ['failed', 'error', 'canceled'] as const) assert.is(statusExitCode(s), 1);
  assert.is(statusExitCode('queued'), 2);
  assert.is(statusExitCode('running'), 2);
  assert.is(statusExitCode(undefined), 3);
});

test('a damaged run.json is reported, field by field', () => {
  assert.match(decodeRunRecord('{not json').errors[0]!, 'not valid JSON');
  const r = decodeRunRecord(JSON.stringify({ schema: 'git-ci/run', version: 9, id: 1, jobs: [{ name: 'a', state: 'odd' }] }));
  assert.is(r.record, undefined);
  const text = r.errors.join('\n');
  assert.match(text, 'version: expected 1 or lower, got 9');
  assert.match(text, 'id: expected a string, got number');
  assert.match(text, 'jobs[0].state: unknown state "odd"');
});

test.run();
