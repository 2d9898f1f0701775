import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendNoteLine, decodeNote, decodeNoteLine, encodeNoteLine, type NoteRecord } from '../../src/report/note-line.js';

const record = (run: string, state: NoteRecord['state'] = 'passed', extra: Partial<NoteRecord> = {}): NoteRecord => ({
  run,
  state,
  branch: 'feature/x',
  durationMs: 4200,
  jobs: [
    { name: 'build', state: 'passed', durationMs: 1100 },
    { name: 'test', state: state === 'passed' ? 'passed' : 'failed', durationMs: 3000 },
  ],
  message: undefined,
  extra: {},
  ...extra,
});

test('a note line round-trips and reads like prose', () => {
  const r = record('01JF8Z5X1Q3W7V2N6M4K8H0G9R', 'failed', { message: 'test: exit code 1' });
  const line = encodeNoteLine(r);
  assert.is(line, 'git-ci v1 run=01JF8Z5X1Q3W7V2N6M4K8H0G9R state=failed branch=feature/x duration=4.2s jobs=build:passed:1.1s,test:failed:3.0s -- test: exit code 1');
  const back = decodeNoteLine(line)!;
  assert.equal(back, { ...r, durationMs: 4200, jobs: r.jobs });
});

test('messages stay on one line', () => {
  const line = encodeNoteLine(record('01JF8Z5X1Q3W7V2N6M4K8H0G9R', 'error', { jobs: [], message: 'a:1: x\n  b:2: y' }));
  assert.not.match(line, '\n');
  assert.is(decodeNoteLine(line)!.message, 'a:1: x; b:2: y');
});

test('readers skip lines and keys they do not understand', () => {
  const text = [
    'a note a human wrote',
    'git-ci v2 run=01JF8Z5X1Q3W7V2N6M4K8H0G9R state=whatever',
    'git-ci v1 run=01JF8Z5X1Q3W7V2N6M4K8H0G9S state=passed branch=main future=thing jobs=a:passed,b:martian',
    'git-ci v1 run=01JF8Z5X1Q3W7V2N6M4K8H0G9T state=exploded branch=main',
  ].join('\n');
  const records = decodeNote(text);
  assert.is(records.length, 1);
  assert.is(records[0]!.run, '01JF8Z5X1Q3W7V2N6M4K8H0G9S');
  assert.equal(records[0]!.extra, { future: 'thing' });
  assert.equal(records[0]!.jobs.map((j) => j.name), ['a']);
  assert.is(records[0]!.durationMs, undefined);
});

test('two writers merged line by line (cat_sort_uniq) still parse, in run order', () => {
  const older = appendNoteLine('', record('01JF0000000000000000000001'));
  const mine = appendNoteLine(older, record('01JF0000000000000000000003', 'failed'));
  const theirs = appendNoteLine(older, record('01JF0000000000000000000002'));
  // What `git notes merge -s cat_sort_uniq` does: concatenate, sort lines, drop duplicates.
  const merged = [...new Set((mine + theirs).split('\n').filter(Boolean))].sort().join('\n') + '\n';
  const runs = decodeNote(merged).map((r) => r.run);
  assert.equal(runs, ['01JF0000000000000000000001', '01JF0000000000000000000002', '01JF0000000000000000000003']);
  assert.is(decodeNote(merged).at(-1)!.state, 'failed');
  // The lines themselves are already in run order.
  assert.equal(merged.trim().split('\n').map((l) => decodeNoteLine(l)!.run), runs);
});

test('appending keeps every earlier line', () => {
  let text = '';
  for (let i = 0; i < 5; i++) text = appendNoteLine(text, record(`01JF000000000000000000000${i}`));
  assert.is(decodeNote(text).length, 5);
  assert.is(text.split('\n').filter(Boolean).length, 5);
});

test.run();
