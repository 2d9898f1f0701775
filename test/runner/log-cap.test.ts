// The capped job log: exact bytes under and over the cap, chunking does not matter, live
// readers see output at once, and piping 1 GiB through it keeps memory flat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tempDir } from '../helpers/fixture.js';
import { CappedLog, DEFAULT_MAX_LOG_BYTES } from '../../src/runner/log-cap.js';

const dir = tempDir('log-cap');
let counter = 0;
const logPath = (): string => path.join(dir, `job-${counter++}.log`);

/** Deterministic pseudo-random bytes, so head and tail are distinguishable everywhere. */
function bytes(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function marker(max: string, dropped: number, tail: string): string {
  return `\n[git-ci: log capped at ${max} (ci.maxLogBytes): ${dropped} bytes of output dropped here; the last ${tail} follow]\n`;
}

test('under the cap the file equals the input exactly (strings and binary)', async () => {
  const file = logPath();
  const log = new CappedLog({ path: file, maxBytes: 4096 });
  const parts: Buffer[] = [Buffer.from('héllo wörld ✓\n', 'utf8'), bytes(1000), Buffer.from([0, 255, 10, 13])];
  log.write('héllo wörld ✓\n');
  log.write(parts[1]!);
  log.write(parts[2]!);
  const expected = Buffer.concat(parts);
  const result = await log.end();
  assert.equal(readFileSync(file), expected);
  assert.equal(result, { totalBytes: expected.length, writtenBytes: expected.length, droppedBytes: 0, capped: false });
});

test('exactly maxBytes is not capped', async () => {
  const file = logPath();
  const data = bytes(1000, 7);
  const log = new CappedLog({ path: file, maxBytes: 1000 });
  log.write(data);
  const result = await log.end();
  assert.equal(readFileSync(file), data);
  assert.is(result.capped, false);
});

test('the trailer is appended when not capped, and not counted', async () => {
  const file = logPath();
  const log = new CappedLog({ path: file, maxBytes: 1000 });
  log.write('ok\n');
  const result = await log.end('\ngit-ci: passed after 1s\n');
  assert.is(readFileSync(file, 'utf8'), 'ok\n\ngit-ci: passed after 1s\n');
  assert.equal(result, { totalBytes: 3, writtenBytes: 3, droppedBytes: 0, capped: false });
});

test('over the cap the file is head + marker + tail with the exact bytes', async () => {
  const file = logPath();
  const data = bytes(5000, 3);
  const log = new CappedLog({ path: file, maxBytes: 1000 });
  for (let i = 0; i < data.length; i += 333) log.write(data.subarray(i, i + 333));
  const result = await log.end('END\n');
  const head = 500;
  const tail = 1000 - 500 - 256;
  const dropped = 5000 - head - tail;
  const text = marker('1000 bytes', dropped, '244 bytes');
  const expected = Buffer.concat([data.subarray(0, head), Buffer.from(text), data.subarray(5000 - tail), Buffer.from('END\n')]);
  const got = readFileSync(file);
  assert.equal(got, expected);
  assert.equal(got.subarray(0, head), data.subarray(0, head), 'first bytes are the head');
  assert.equal(got.subarray(got.length - 4 - tail, got.length - 4), data.subarray(5000 - tail), 'last bytes are the tail');
  assert.ok(got.includes(Buffer.from(`: ${dropped} bytes of output dropped here`)));
  assert.ok(got.length - 4 <= 1000, `head + marker + tail = ${got.length - 4} <= maxBytes`);
  assert.equal(result, { totalBytes: 5000, writtenBytes: head + tail, droppedBytes: dropped, capped: true });
});

test('many 1-byte writes, one huge write, odd chunks and the stream give the same file', async () => {
  const data = bytes(300_000, 11);
  const options = { maxBytes: 100_000, headBytes: 30_000 };
  const files: Buffer[] = [];
  const results: unknown[] = [];

  const one = logPath();
  const a = new CappedLog({ path: one, ...options });
  a.write(data);
  results.push(await a.end('T'));
  files.push(readFileSync(one));

  const tiny = logPath();
  const b = new CappedLog({ path: tiny, ...options });
  for (let i = 0; i < data.length; i++) b.write(data.subarray(i, i + 1));
  results.push(await b.end('T'));
  files.push(readFileSync(tiny));

  const odd = logPath();
  const c = new CappedLog({ path: odd, ...options });
  for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 3) % 70_001) c.write(data.subarray(i, i + n));
  results.push(await c.end('T'));
  files.push(readFileSync(odd));

  const streamed = logPath();
  const d = new CappedLog({ path: streamed, ...options });
  const chunks = [];
  for (let i = 0; i < data.length; i += 4099) chunks.push(data.subarray(i, i + 4099));
  await pipeline(Readable.from(chunks), d.writable);
  results.push(await d.end('T'));
  files.push(readFileSync(streamed));

  const tail = 100_000 - 30_000 - 256;
  const expected = Buffer.concat([
    data.subarray(0, 30_000),
    Buffer.from(marker('98 KiB', 300_000 - 30_000 - tail, '68 KiB')),
    data.subarray(300_000 - tail),
    Buffer.from('T'),
  ]);
  for (const [i, got] of files.entries()) assert.equal(got, expected, `file ${i}`);
  for (const result of results) assert.equal(result, results[0]);
});

test('the default cap is 16 MiB and a single 100 MiB chunk is cut to head + tail', async () => {
  const file = logPath();
  const huge = Buffer.alloc(100 * 1024 * 1024, 'a');
  huge.fill('z', huge.length - 1024);
  const log = new CappedLog({ path: file, maxBytes: DEFAULT_MAX_LOG_BYTES });
  log.write(huge);
  const result = await log.end();
  const got = readFileSync(file);
  const head = 8 * 1024 * 1024;
  const tail = head - 256;
  const text = marker('16 MiB', huge.length - head - tail, '8 MiB');
  assert.is(got.length, head + text.length + tail);
  assert.is(got.subarray(head, head + text.length).toString(), text);
  assert.is(got[0], 'a'.charCodeAt(0));
  assert.is(got.subarray(-1024).toString(), 'z'.repeat(1024));
  assert.is(result.droppedBytes, huge.length - head - tail);
});

test('the log appends to what the file already holds', async () => {
  const file = logPath();
  writeFileSync(file, 'PREVIOUS\n');
  const data = bytes(3000, 5);
  const log = new CappedLog({ path: file, maxBytes: 1000 });
  log.write(data);
  await log.end();
  const got = readFileSync(file);
  assert.is(got.subarray(0, 9).toString(), 'PREVIOUS\n');
  assert.equal(got.subarray(9, 509), data.subarray(0, 500));
  assert.equal(got.subarray(-244), data.subarray(-244));
});

test('a live reader sees the first bytes before end()', async () => {
  const file = logPath();
  const log = new CappedLog({ path: file, maxBytes: 1 << 20 });
  await new Promise<void>((resolve, reject) => log.writable.write('step 1 done\n', (error) => (error ? reject(error) : resolve())));
  assert.is(readFileSync(file, 'utf8'), 'step 1 done\n', 'on disk once the stream callback ran');
  log.write('step 2 done\n');
  let seen = '';
  for (let i = 0; i < 100 && !seen.includes('step 2'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    seen = readFileSync(file, 'utf8');
  }
  assert.is(seen, 'step 1 done\nstep 2 done\n');
  await log.end();
});

test('end() takes in what a finished source left buffered in the stream', async () => {
  const file = logPath();
  const data = bytes(2_000_000, 9);
  const log = new CappedLog({ path: file, maxBytes: 8 << 20 });
  const source = Readable.from([data.subarray(0, 500_000), data.subarray(500_000, 1_000_000), data.subarray(1_000_000)], { objectMode: false });
  source.pipe(log.writable, { end: false });
  await new Promise((resolve) => source.on('end', resolve));
  const result = await log.end();
  assert.is(result.totalBytes, data.length);
  assert.equal(readFileSync(file), data);
});

test('writes after end() are ignored and end() is idempotent', async () => {
  const file = logPath();
  const log = new CappedLog({ path: file, maxBytes: 100 });
  log.write('a');
  const first = log.end('!');
  log.write('b');
  log.writable.write('c');
  const [r1, r2] = await Promise.all([first, log.end('?')]);
  log.write('d');
  assert.equal(r1, r2);
  assert.is(readFileSync(file, 'utf8'), 'a!');
});

test('bad options name the option, the value and its type', () => {
  assert.throws(() => new CappedLog({ path: logPath(), maxBytes: 0 }), /maxBytes must be a positive integer, got 0 \(number\)/);
  assert.throws(() => new CappedLog({ path: logPath(), maxBytes: 10, headBytes: 11 }), /headBytes must be an integer from 0 to maxBytes \(10\), got 11 \(number\)/);
});

test('piping 1 GiB through a 1 MiB cap keeps memory flat', async () => {
  const file = logPath();
  const chunk = 64 * 1024;
  const count = 16384;
  let produced = 0;
  const source = new Readable({
    read() {
      if (produced === count) return void this.push(null);
      this.push(Buffer.alloc(chunk, produced++ & 0xff));
    },
  });
  const log = new CappedLog({ path: file, maxBytes: 1 << 20 });
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = Date.now();
  await pipeline(source, log.writable);
  const result = await log.end();
  clearInterval(sampler);
  const after = process.memoryUsage().rss;
  peak = Math.max(peak, after);
  const mib = (n: number): string => (n / 1048576).toFixed(1);
  console.log(`  1 GiB piped in ${Date.now() - started} ms: rss before ${mib(before)} MiB, after ${mib(after)} MiB (+${mib(after - before)}), peak ${mib(peak)} MiB (+${mib(peak - before)})`);
  // Flat means a small fraction of the 1 GiB that went through, whatever its size: the garbage
  // chunks are freed when the GC runs, and on a loaded 2-core machine it runs late (seen: +66 MiB).
  assert.ok(peak - before < 128 * 1048576, `rss grew by ${mib(peak - before)} MiB while 1024 MiB went through`);
  assert.is(result.totalBytes, chunk * count);
  assert.is(result.capped, true);
  const got = readFileSync(file);
  assert.ok(got.length <= (1 << 20) && got.length > (1 << 20) - 256, `file is ${got.length} bytes`);
  assert.is(got[0], 0);
  assert.is(got[got.length - 1], (count - 1) & 0xff);
});

test.run();
