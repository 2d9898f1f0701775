// Bulk recording through fast-import gives what the one-run-at-a-time path gives: run records
// and logs readable by the same readers, cache refs, and note lines appended (fan-out included).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Git } from '../../src/store/git.js';
import { appendNoteLinesBulk, recordRunsBulk } from '../../src/store/bulk-record.js';
import { readRunRecord, readStoredLog, runRef, writeRunRecord } from '../../src/store/runs.js';
import { lookupCache } from '../../src/store/cache-refs.js';
import { readNote, writeNoteWithRetry } from '../../src/store/notes.js';
import { RUN_SCHEMA, RUN_SCHEMA_VERSION, type RunRecord } from '../../src/report/run-record.js';
import { tempDir } from '../helpers/fixture.js';

function setup(): { dir: string; git: Git; commits: string[] } {
  const dir = tempDir('bulk');
  const bare = path.join(dir, 'r.git');
  spawnSync('git', ['init', '-q', '--bare', bare]);
  const blob = spawnSync('git', ['--git-dir', bare, 'hash-object', '-w', '--stdin'], { input: 'x\n', encoding: 'utf8' }).stdout.trim();
  const tree = spawnSync('git', ['--git-dir', bare, 'mktree'], { input: `100644 blob ${blob}\tf\n`, encoding: 'utf8' }).stdout.trim();
  const commits = Array.from({ length: 300 }, (_, i) =>
    spawnSync('git', ['--git-dir', bare, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit-tree', tree, '-m', `c${i}`], { encoding: 'utf8' }).stdout.trim(),
  );
  return { dir, git: new Git(bare), commits };
}

function record(id: string, commit: string, key?: string): RunRecord {
  return {
    schema: RUN_SCHEMA, version: RUN_SCHEMA_VERSION, id, commit, ref: 'refs/heads/main', branch: 'main', trigger: 'manual', state: 'passed', attempt: 1,
    queuedAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, durationMs: 5, error: null, problems: [],
    runner: { host: 'h', pid: 1, version: 't' },
    jobs: [{ name: 'unit', state: 'passed', needs: [], exitCode: 0, signal: null, startedAt: null, finishedAt: null, durationMs: 5, timedOut: false, cached: false, log: 'logs/unit.log', reason: null, ...(key ? { cacheKey: key } : {}) }],
  };
}

test('run records, logs and cache refs written in bulk read back like single ones, with the same tree', async () => {
  const { dir, git, commits } = setup();
  const logA = path.join(dir, 'a.log');
  writeFileSync(logA, Buffer.from([0, 1, 2, 10, 255]));
  const ids = ['01JF8Z5X0000000000000000A1', '01JF8Z5X0000000000000000A2', '01JF8Z5X0000000000000000A3'];
  const key = 'f'.repeat(64);
  await recordRunsBulk(git, ids.map((id, i) => ({ record: record(id, commits[i]!, i === 1 ? key : undefined), logs: [{ job: 'unit', path: logA }], message: `git-ci: run ${id}`, cacheKeys: i === 1 ? [key] : [] })), [], 'm');
  for (const [i, id] of ids.entries()) {
    assert.is((await readRunRecord(git, id))?.commit, commits[i]);
    assert.equal(await readStoredLog(git, id, 'unit'), Buffer.from([0, 1, 2, 10, 255]));
  }
  assert.is((await lookupCache(git, key, 'unit'))?.runId, ids[1]);
  // The same run written the one-at-a-time way has the same tree.
  const single = '01JF8Z5X0000000000000000B1';
  await writeRunRecord(git, record(single, commits[0]!), [{ job: 'unit', path: logA }], 'm');
  const tree = (ref: string) => spawnSync('git', ['--git-dir', git.gitDir, 'rev-parse', `${ref}^{tree}`], { encoding: 'utf8' }).stdout.trim();
  const bulkCopy = record(single, commits[0]!);
  await recordRunsBulk(git, [{ record: { ...bulkCopy, id: '01JF8Z5X0000000000000000B2' }, logs: [{ job: 'unit', path: logA }], message: 'm', cacheKeys: [] }], [], 'm');
  const t1 = spawnSync('git', ['--git-dir', git.gitDir, 'ls-tree', '-r', runRef(single)], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('logs/'));
  const t2 = spawnSync('git', ['--git-dir', git.gitDir, 'ls-tree', '-r', runRef('01JF8Z5X0000000000000000B2')], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('logs/'));
  assert.equal(t1, t2);
  assert.ok(tree(runRef(single)).length >= 40);
});

test('note lines are appended in one notes commit, to existing notes, also once the notes tree fans out', async () => {
  const { git, commits } = setup();
  await writeNoteWithRetry(git, { commit: commits[0]!, edit: () => 'git-ci v1 run=A state=passed branch=main\n', message: 'first' });
  const before = spawnSync('git', ['--git-dir', git.gitDir, 'rev-list', '--count', 'refs/notes/ci'], { encoding: 'utf8' }).stdout.trim();
  // 300 notes in one go: fast-import fans the notes tree out.
  await appendNoteLinesBulk(git, commits.map((c, i) => ({ commit: c, line: `git-ci v1 run=B${i} state=passed branch=main` })), 'bulk one');
  assert.is(spawnSync('git', ['--git-dir', git.gitDir, 'rev-list', '--count', 'refs/notes/ci'], { encoding: 'utf8' }).stdout.trim(), String(Number(before) + 1), 'one notes commit for the batch');
  assert.is(await readNote(git, commits[0]!), 'git-ci v1 run=A state=passed branch=main\ngit-ci v1 run=B0 state=passed branch=main\n');
  const fanned = spawnSync('git', ['--git-dir', git.gitDir, 'ls-tree', 'refs/notes/ci'], { encoding: 'utf8' }).stdout;
  assert.ok(fanned.includes('\ttree\t') || /^040000 tree/m.test(fanned), 'the notes tree fanned out');
  await appendNoteLinesBulk(git, [{ commit: commits[7]!, line: 'git-ci v1 run=C state=failed branch=main' }, { commit: commits[7]!, line: 'git-ci v1 run=D state=passed branch=main' }], 'bulk two');
  assert.is(await readNote(git, commits[7]!), 'git-ci v1 run=B7 state=passed branch=main\ngit-ci v1 run=C state=failed branch=main\ngit-ci v1 run=D state=passed branch=main\n');
  assert.is(await readNote(git, commits[8]!), 'git-ci v1 run=B8 state=passed branch=main\n');
});

test('records and notes in one fast-import; notes that lost a race are appended again from the new tip, runs kept', async () => {
  const { dir, git, commits } = setup();
  const log = path.join(dir, 'x.log');
  writeFileSync(log, 'ok\n');
  const run = (id: string, i: number) => ({ record: record(id, commits[i]!), logs: [{ job: 'unit', path: log }], message: `git-ci: run ${id}`, cacheKeys: [] });
  const line = (i: number, id: string) => ({ commit: commits[i]!, line: `git-ci v1 run=${id} state=passed branch=main` });
  await recordRunsBulk(git, [run('01JF8Z5X0000000000000000C1', 0)], [line(0, 'C1')], 'one');
  assert.is(await readNote(git, commits[0]!), 'git-ci v1 run=C1 state=passed branch=main\n');
  assert.is((await readRunRecord(git, '01JF8Z5X0000000000000000C1'))?.commit, commits[0]);
  // A writer that read the notes tip before another one moved it: its notes commit is refused
  // by fast-import (not a fast-forward), its runs are stored all the same, its lines retried.
  const stale = await git.oid('refs/notes/ci^{commit}');
  await writeNoteWithRetry(git, { commit: commits[1]!, edit: () => 'git-ci v1 run=OTHER state=failed branch=main\n', message: 'meanwhile' });
  const oid = git.oid.bind(git);
  let lied = false;
  git.oid = async (rev: string) => {
    if (rev.startsWith('refs/notes/ci') && !lied) return (lied = true), stale;
    return oid(rev);
  };
  await recordRunsBulk(git, [run('01JF8Z5X0000000000000000C2', 1), run('01JF8Z5X0000000000000000C3', 2)], [line(1, 'C2'), line(2, 'C3')], 'two');
  assert.ok(lied, 'the stale tip was used');
  assert.is(await readNote(git, commits[1]!), 'git-ci v1 run=C2 state=passed branch=main\ngit-ci v1 run=OTHER state=failed branch=main\n', 'the other writer kept its line');
  assert.is(await readNote(git, commits[2]!), 'git-ci v1 run=C3 state=passed branch=main\n');
  assert.is(await readNote(git, commits[0]!), 'git-ci v1 run=C1 state=passed branch=main\n');
  assert.is((await readRunRecord(git, '01JF8Z5X0000000000000000C2'))?.commit, commits[1]);
  assert.is((await readRunRecord(git, '01JF8Z5X0000000000000000C3'))?.commit, commits[2]);
});

test.run();
