import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration, parseDuration } from '../../src/pipeline/duration.js';

test('numbers are seconds', () => {
  assert.is(parseDuration(30), 30_000);
  assert.is(parseDuration(0.5), 500);
  assert.is(parseDuration(600), 600_000);
});

test('plain number strings are seconds', () => {
  assert.is(parseDuration('30'), 30_000);
  assert.is(parseDuration(' 2.5 '), 2_500);
});

test('single units', () => {
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('90s'), 90_000);
  assert.is(parseDuration('10m'), 600_000);
  assert.is(parseDuration('1h'), 3_600_000);
  assert.is(parseDuration('1d'), 86_400_000);
  assert.is(parseDuration('1.5h'), 5_400_000);
});

test('combined units, with or without spaces', () => {
  assert.is(parseDuration('1h30m'), 5_400_000);
  assert.is(parseDuration('2h 5m 3s'), 7_503_000);
  assert.is(parseDuration('1m 500ms'), 60_500);
  assert.is(parseDuration('10 m'), 600_000);
});

test('rejects zero, negative, non-finite and non-numbers', () => {
  for (const bad of [0, -1, -0.5, Number.NaN, Infinity, '0', '0s', '-5m', '', '   ', null, undefined, true, [], {}, '0.0001']) {
    assert.is(parseDuration(bad), undefined, JSON.stringify(bad));
  }
});

test('rejects unknown units and garbage', () => {
  for (const bad of ['10x', '5 minutes', '1w', 'h', 'abc', '1h30', '1h-5m', '1e3', '.5h', '1H', '10m10', 'ms', '1h 1h']) {
    assert.is(parseDuration(bad), undefined, bad);
  }
});

test('formats short durations with one decimal', () => {
  assert.is(formatDuration(0), '0.0s');
  assert.is(formatDuration(400), '0.4s');
  assert.is(formatDuration(1_200), '1.2s');
  assert.is(formatDuration(1_249), '1.2s');
  assert.is(formatDuration(9_940), '9.9s');
});

test('formats whole seconds below a minute', () => {
  assert.is(formatDuration(9_960), '10s');
  assert.is(formatDuration(12_000), '12s');
  assert.is(formatDuration(59_400), '59s');
});

test('formats minutes with two-digit seconds', () => {
  assert.is(formatDuration(59_600), '1m00s');
  assert.is(formatDuration(185_000), '3m05s');
  assert.is(formatDuration(3_599_000), '59m59s');
});

test('formats hours with two-digit minutes', () => {
  assert.is(formatDuration(3_599_600), '1h00m');
  assert.is(formatDuration(3_720_000), '1h02m');
  assert.is(formatDuration(7_170_000), '2h00m'); // 1h59m30s rounds up
  assert.is(formatDuration(26 * 3_600_000 + 3 * 60_000), '26h03m');
});

test('formats nonsense as zero instead of throwing', () => {
  assert.is(formatDuration(-5), '0.0s');
  assert.is(formatDuration(Number.NaN), '0.0s');
});

test('formatDuration reads back what parseDuration understands', () => {
  assert.is(formatDuration(parseDuration('1h30m') as number), '1h30m');
  assert.is(formatDuration(parseDuration('3m5s') as number), '3m05s');
});

test.run();
