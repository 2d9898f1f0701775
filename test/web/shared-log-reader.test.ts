// The shared reader of a followed log, over a log in memory that grows and is then "recorded":
// every follower (at once, late, resuming with Last-Event-ID, slow) gets every byte once, in
// order, with byte-offset ids, while the log is read about once, not once a follower.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedLogReaders, sseLines, type LogAccess, type LogFollower } from '../../src/web/shared-log-reader.js';
import type { LogSource } from '../../src/web/job-log.js';

/** A job's log that grows by `append` until `record()`; counts the bytes read out of it. */
function fakeLog(): LogAccess & { append(text: string): void; record(): void; bytesRead: number; reads: number } {
  let log = Buffer.alloc(0);
  let recorded = false;
  const access = {
    bytesRead: 0,
    reads: 0,
    missing: 'no job j in run r',
    append(text: string) {
      log = Buffer.concat([log, Buffer.from(text)]);
    },
    record() {
      recorded = true;
    },
    find: async (): Promise<LogSource> => (recorded ? { kind: 'stored', rev: 'r:logs/j.log' } : { kind: 'live', path: '/nowhere' }),
    read: async (_source: LogSource, offset: number, limit: number) => {
      const bytes = log.subarray(offset, offset + limit);
      access.reads++;
      access.bytesRead += bytes.length;
      return { bytes: Buffer.from(bytes), end: recorded && offset + limit >= log.length };
    },
    storedSize: async () => log.length,
  };
  return access;
}

interface Client extends LogFollower {
  text: string;
  ended: Promise<void>;
}

function client(offset: number, slow = false): Client {
  let done!: () => void;
  const c: Client = {
    offset,
    text: '',
    ended: new Promise((resolve) => (done = resolve)),
    write: (text) => void (c.text += text),
    // A slow client has more buffered than the reader lets it have: it is fed by catch-up reads.
    backlog: () => (slow && !c.text.includes('event: end') && Math.random() < 0.5 ? 8 * 1024 * 1024 : 0),
    end: () => done(),
  };
  return c;
}

/** The bytes a client got, checking that each event's id is the offset just past its line. */
function received(text: string, from: number): { bytes: string; end: boolean } {
  let at = from;
  let bytes = '';
  let end = false;
  for (const block of text.split('\n\n').filter(Boolean)) {
    if (block.startsWith('event: end')) {
      end = true;
      continue;
    }
    const m = /^id: (\d+)\ndata: (.*)$/.exec(block);
    assert.ok(m, `an event: ${JSON.stringify(block)}`);
    const line = `${m![2]}\n`;
    at += line.length;
    assert.is(Number(m![1]), at, 'the id is the byte offset past the line');
    bytes += line;
  }
  return { bytes, end };
}

test('sseLines: one event a line, its id the offset past it; a piece without a newline is its own event', () => {
  assert.is(sseLines(Buffer.from('a\nbc\n'), 10), 'id: 12\ndata: a\n\nid: 15\ndata: bc\n\n');
  assert.is(sseLines(Buffer.from('x\r\nyy'), 0), 'id: 3\ndata: x\n\nid: 5\ndata: yy\n\n');
});

test('followers at once, late, resuming and slow each get every byte once, in order; the log is read about once', async () => {
  const log = fakeLog();
  const readers = new SharedLogReaders();
  const whole: string[] = [];
  const write = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      const line = `line ${i} ${'x'.repeat(i % 50)}\n`;
      whole.push(line);
      log.append(line);
      if (i % 20 === 0) await sleep(15);
    }
  };
  const first = [client(0), client(0), client(0)];
  const leaves = first.map((c) => readers.follow('k', () => log, c));
  const slow = client(0, true);
  readers.follow('k', () => log, slow);
  await write(1, 300);
  assert.is(readers.size, 1, 'one reader for every follower of the log');

  // One leaves and comes back with its last id; one joins late, from the start.
  leaves[2]!();
  const left = first[2]!.offset;
  await write(301, 600);
  const resumed = client(left);
  readers.follow('k', () => log, resumed);
  const late = client(0);
  readers.follow('k', () => log, late);
  await write(601, 1000);
  log.record();
  await Promise.all([first[0]!.ended, first[1]!.ended, slow.ended, resumed.ended, late.ended]);

  const all = whole.join('');
  for (const [name, c, from] of [['first', first[0]!, 0], ['second', first[1]!, 0], ['slow', slow, 0], ['late', late, 0], ['resumed', resumed, left]] as const) {
    const got = received(c.text, from);
    assert.ok(got.end, `${name} got event: end`);
    assert.ok(got.bytes === all.slice(from), `${name} got every byte once, in order (${got.bytes.length} of ${all.length - from})`);
  }
  assert.ok(received(first[2]!.text, 0).bytes === all.slice(0, left), 'the one that left got what came before it left');
  // Seven followers, some of them behind: the log read per follower would be 7 times its size.
  assert.ok(log.bytesRead < all.length * 4, `read ${log.bytesRead} bytes of a ${all.length}-byte log`);
  await sleep(10);
  assert.is(readers.size, 0, 'the reader stopped when its followers had the end');
});

test('the reader stops when the last follower leaves; a follower after that gets a new one', async () => {
  const log = fakeLog();
  const readers = new SharedLogReaders();
  log.append('one\n');
  const a = client(0);
  const leave = readers.follow('k', () => log, a);
  await sleep(50);
  assert.is(readers.size, 1);
  leave();
  await sleep(20);
  assert.is(readers.size, 0, 'no follower, no reader');
  const reads = log.reads;
  await sleep(400);
  assert.is(log.reads, reads, 'nothing reads the log any more');
  log.append('two\n');
  log.record();
  const b = client(a.offset);
  readers.follow('k', () => log, b);
  await b.ended;
  assert.is(received(b.text, a.offset).bytes, 'two\n');
});

test('a job that does not exist ends every follower with the error', async () => {
  const readers = new SharedLogReaders();
  const log = { ...fakeLog(), find: async () => undefined };
  const c = client(0);
  readers.follow('k', () => log, c);
  await c.ended;
  assert.match(c.text, 'event: end\ndata: {"error":"no job j in run r"');
});

test.run();
