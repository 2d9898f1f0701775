// Report files parsed in a worker thread: real files merged, unusable files named in the error,
// the size limit enforced before reading, and the main thread keeps ticking through a 50 MB report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdirSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/fixture.js';
import { DEFAULT_MAX_REPORT_BYTES, parseReportFiles, ReportFileError } from '../../src/runner/parse-reports.js';
import { JUnitError, formatTestCounts } from '../../src/report/junit.js';

const dir = tempDir('parse-reports');
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** The promise's rejection (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got a result');
}

const UNIT = file(
  'unit.xml',
  `<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="unit">
  <testcase classname="a" name="one"/>
  <testcase classname="a" name="two"><failure message="two is not three"/></testcase>
  <testcase classname="a" name="three"><skipped/></testcase>
</testsuite></testsuites>`,
);
const E2E = file(
  'e2e.xml',
  `\uFEFF<testsuite name="e2e ✓"><testcase classname="b" name="größe"><error message="timeout"/></testcase><testcase classname="b" name="ok"/></testsuite>`,
);

test('several report files of one job are merged', async () => {
  const s = await parseReportFiles([UNIT, E2E]);
  assert.equal(
    { tests: s.tests, failures: s.failures, errors: s.errors, skipped: s.skipped, moreFailed: s.moreFailed },
    { tests: 5, failures: 1, errors: 1, skipped: 1, moreFailed: 0 },
  );
  assert.equal(s.failed, [
    { suite: 'unit', name: 'two', classname: 'a', message: 'two is not three' },
    { suite: 'e2e ✓', name: 'größe', classname: 'b', message: 'timeout' },
  ]);
  assert.is(formatTestCounts(s), '2 passed, 2 failed, 1 skipped');
});

test('no files is an empty summary', async () => {
  const s = await parseReportFiles([]);
  assert.is(formatTestCounts(s), '0 passed, 0 failed');
});

test('a missing file or a directory is a ReportFileError naming it', async () => {
  const missing = path.join(dir, 'missing.xml');
  const error = await rejection(parseReportFiles([UNIT, missing]));
  assert.instance(error, ReportFileError);
  assert.is((error as ReportFileError).path, missing);
  assert.match(error.message, `test report ${missing}: cannot be read: ENOENT`);

  const sub = path.join(dir, 'reports-dir');
  mkdirSync(sub);
  const notFile = await rejection(parseReportFiles([sub]));
  assert.instance(notFile, ReportFileError);
  assert.is(notFile.message, `test report ${sub}: cannot be read: not a regular file`);
});

test('a malformed report is a JUnitError with the file, line and column', async () => {
  const bad = file('bad.xml', '<testsuite>\n  <testcase name="x">\n</testsuite>\n');
  const error = await rejection(parseReportFiles([UNIT, bad]));
  assert.instance(error, JUnitError);
  assert.is(error.message, `${bad}:3:1: expected </testcase> to close the <testcase> opened at line 2, column 3, got </testsuite>`);
  assert.is((error as JUnitError).line, 3);
});

test('a file over the limit is refused before it is read', async () => {
  const text = `<testsuite>${'<testcase name="t"/>'.repeat(200)}</testsuite>`;
  const big = file('big.xml', text);
  assert.is(text.length, 4023);
  const error = await rejection(parseReportFiles([big], 1024));
  assert.instance(error, ReportFileError);
  assert.is(error.message, `test report ${big}: expected at most 1 KiB (the report size limit), got 3.9 KiB (4023 bytes)`);
  assert.is((await parseReportFiles([big], 4023)).tests, 200, 'exactly at the limit is fine');

  assert.is(DEFAULT_MAX_REPORT_BYTES, 64 * 1024 * 1024);
  const sparse = path.join(dir, 'huge.xml');
  writeFileSync(sparse, '');
  truncateSync(sparse, DEFAULT_MAX_REPORT_BYTES + 1);
  const huge = await rejection(parseReportFiles([sparse]));
  assert.is(huge.message, `test report ${sparse}: expected at most 64 MiB (the report size limit), got 64 MiB (67108865 bytes)`);
});

test('bad arguments say what was expected and what was received', async () => {
  assert.match((await rejection(parseReportFiles([UNIT], 0))).message, 'parseReportFiles: maxBytes must be a positive integer, got 0 (number)');
  assert.match((await rejection(parseReportFiles([UNIT], '1' as unknown as number))).message, 'got 1 (string)');
  assert.match((await rejection(parseReportFiles(UNIT as unknown as string[]))).message, 'parseReportFiles: expected an array of file paths, got string');
  assert.match((await rejection(parseReportFiles([UNIT, 3 as unknown as string]))).message, 'got an array holding string, number');
});

test('a 50 MB report is parsed while the main thread keeps ticking', async () => {
  const big = path.join(dir, 'large.xml');
  const fd = openSync(big, 'w');
  writeSync(fd, '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n');
  const perSuite = 1000;
  let written = 0;
  let suites = 0;
  while (written < 50 * 1024 * 1024) {
    const parts = [`<testsuite name="suite${suites}" tests="${perSuite}">`];
    for (let i = 0; i < perSuite; i++) {
      if (i % 100 === 0) {
        parts.push(`<testcase classname="pkg.Suite${suites}" name="fails${i}"><failure message="expected &lt;1&gt; but was &lt;2&gt;"><![CDATA[at pkg.Suite${suites}.fails(Suite.java:10)]]></failure></testcase>`);
      } else {
        parts.push(`<testcase classname="pkg.Suite${suites}" name="case ${i} &amp; more" time="0.001"><system-out><![CDATA[log <testcase name="ghost"/>]]></system-out></testcase>`);
      }
    }
    parts.push('</testsuite>\n');
    const block = parts.join('\n');
    writeSync(fd, block);
    written += Buffer.byteLength(block);
    suites++;
  }
  writeSync(fd, '</testsuites>\n');
  closeSync(fd);

  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 5);
  const started = performance.now();
  const s = await parseReportFiles([big]);
  const took = performance.now() - started;
  clearInterval(ticker);
  maxGap = Math.max(maxGap, performance.now() - last);
  console.log(`  ${(written / 1048576).toFixed(1)} MiB report parsed in ${took.toFixed(0)} ms; main thread ticked ${ticks} times, max gap ${maxGap.toFixed(1)} ms`);
  assert.is(s.tests, suites * perSuite);
  assert.is(s.failures, suites * (perSuite / 100));
  assert.is(s.failed.length, 50);
  assert.is(s.moreFailed, s.failures - 50);
  assert.equal(s.failed[11], { suite: 'suite1', name: 'fails100', classname: 'pkg.Suite1', message: 'expected <1> but was <2>' });
  assert.ok(maxGap < 100, `the main thread stalled for ${maxGap.toFixed(1)} ms`);
});

test.run();
