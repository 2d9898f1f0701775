// Queue entries: what the hook and `git ci run/retry` write, read back exactly; damaged entries are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeQueueEntry, encodeQueueEntry, newRunId, type QueueEntry } from '../../src/store/queue.js';

const base: QueueEntry = { id: '01JF8Z5X0000000000000000AB', ref: 'refs/heads/main', old: '', commit: 'a'.repeat(40), trigger: 'manual', queuedAt: 1700000000000, attempt: 1 };

test('a hand-queued entry keeps its job selection, no-cache, retry and reuse fields', () => {
  const entry: QueueEntry = { ...base, jobs: ['test', 'lint'], noCache: true, retryOf: '01JF8Z5X0000000000000000AC', reuse: '01JF8Z5X0000000000000000AC' };
  assert.equal(decodeQueueEntry(encodeQueueEntry(entry)), entry);
  assert.equal(decodeQueueEntry(encodeQueueEntry(base)), base);
});

test("a range's entry keeps its batch and the batch's size; a size without a batch, or not a count, is dropped", () => {
  const entry: QueueEntry = { ...base, batch: '01JF8Z5X0000000000000000AB', batchSize: 200 };
  assert.equal(decodeQueueEntry(encodeQueueEntry(entry)), entry);
  assert.equal(decodeQueueEntry(encodeQueueEntry({ ...base, batchSize: 3 })), base);
  const text = encodeQueueEntry(entry);
  assert.equal(decodeQueueEntry(text.replace('batch-size=200', 'batch-size=-1')), { ...base, batch: entry.batch });
  assert.equal(decodeQueueEntry(text.replace('batch-size=200', 'batch-size=2x')), { ...base, batch: entry.batch });
});

test('a half-written or damaged entry is not read', () => {
  const text = encodeQueueEntry(base);
  assert.is(decodeQueueEntry(text.replace('end\n', '')), undefined);
  assert.is(decodeQueueEntry(text.replace(`new=${'a'.repeat(40)}`, 'new=zzz')), undefined);
  const badReuse = decodeQueueEntry(text.replace('end\n', 'reuse=not-a-run\nend\n'));
  assert.is(badReuse?.reuse, undefined);
});

test('new run ids sort in the order they are made, even within one millisecond', () => {
  const ids = Array.from({ length: 1000 }, () => newRunId());
  assert.equal([...ids].sort(), ids);
  assert.is(new Set(ids).size, ids.length);
});

test.run();
