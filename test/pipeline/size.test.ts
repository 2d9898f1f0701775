import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSize, parseSize } from '../../src/pipeline/size.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

test('numbers and unitless strings are bytes', () => {
  assert.is(parseSize(512), 512);
  assert.is(parseSize('512'), 512);
  assert.is(parseSize('512B'), 512);
  assert.is(parseSize(' 512 b '), 512);
});

test('K, KB and KiB are all powers of 1024, in any case', () => {
  for (const [unit, bytes] of [['K', KiB], ['M', MiB], ['G', GiB], ['T', TiB]] as const) {
    for (const suffix of [unit, `${unit}B`, `${unit}iB`, unit.toLowerCase(), `${unit.toLowerCase()}b`, `${unit}IB`]) {
      assert.is(parseSize(`2${suffix}`), 2 * bytes, suffix);
    }
  }
  assert.is(parseSize('64K'), 65_536);
  assert.is(parseSize('512MiB'), 536_870_912);
  assert.is(parseSize('2G'), 2_147_483_648);
  assert.is(parseSize('512 MiB'), 512 * MiB);
});

test('fractions are allowed and floored to whole bytes', () => {
  assert.is(parseSize('1.5G'), 1.5 * GiB);
  assert.is(parseSize('0.5K'), 512);
  assert.is(parseSize('1.0001K'), 1024);
  assert.is(parseSize('1.5'), 1);
});

test('rejects zero, negative, fractional numbers and non-strings', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 60, '0', '0G', '0.0001B', '-5M', null, undefined, true, [], {}]) {
    assert.is(parseSize(bad), undefined, String(bad));
  }
});

test('rejects unknown units and garbage', () => {
  for (const bad of ['', '  ', 'lots', '5P', '5PB', '2GiBs', '2 G B', 'G', '1e3', '.5G', '1,5G', '2Gi', '5KiK', '8192T', '0x10']) {
    assert.is(parseSize(bad), undefined, bad);
  }
});

test('formats in the largest unit that fits, exact when whole', () => {
  assert.is(formatSize(100), '100 B');
  assert.is(formatSize(900 * KiB), '900 KiB');
  assert.is(formatSize(512 * MiB), '512 MiB');
  assert.is(formatSize(2 * GiB), '2 GiB');
  assert.is(formatSize(3 * TiB), '3 TiB');
  assert.is(formatSize(2048 * TiB), '2048 TiB');
});

test('formats other sizes with one decimal', () => {
  assert.is(formatSize(1.5 * GiB), '1.5 GiB');
  assert.is(formatSize(1000), '1000 B');
  assert.is(formatSize(1025), '1.0 KiB');
  assert.is(formatSize(MiB - 1), '1.0 MiB');
  assert.is(formatSize(1.25 * MiB), '1.3 MiB');
});

test('formats nonsense as zero instead of throwing', () => {
  assert.is(formatSize(0), '0 B');
  assert.is(formatSize(-5), '0 B');
  assert.is(formatSize(Number.NaN), '0 B');
});

test('parseSize reads back what formatSize prints when whole', () => {
  for (const bytes of [100, 900 * KiB, 512 * MiB, 2 * GiB, 1.5 * GiB]) assert.is(parseSize(formatSize(bytes)), bytes);
});

test.run();
