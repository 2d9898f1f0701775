// Notes written with compare-and-swap: concurrent writers in separate processes lose nothing,
// and git's own cat_sort_uniq merge of two repositories' notes reads back in run order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { git, tempDir, commit, ROOT, gitEnv } from '../helpers/fixture.js';
import { Git } from '../../src/store/git.js';
import { ciNotesRefNames, readCiNotes, readNote, writeNoteWithRetry } from '../../src/store/notes.js';
import { appendNoteLine, decodeNote, type NoteRecord } from '../../src/report/note-line.js';

const line = (run: string, state: NoteRecord['state'] = 'passed'): NoteRecord => ({
  run,
  state,
  branch: 'main',
  durationMs: 1000,
  jobs: [],
  message: undefined,
  extra: {},
});

async function repoWithCommits(n: number): Promise<{ dir: string; shas: string[] }> {
  const dir = tempDir('notes');
  await git(dir, 'init', '-q');
  const shas: string[] = [];
  for (let i = 0; i < n; i++) shas.push(await commit(dir, { [`f${i}`]: `${i}` }, `c${i}`));
  return { dir, shas };
}

function writerProcess(gitDir: string, commits: string[], prefix: string): Promise<number> {
  const script = `
    import { Git } from ${JSON.stringify(path.join(ROOT, 'dist/src/store/git.js'))};
    import { writeNoteWithRetry } from ${JSON.stringify(path.join(ROOT, 'dist/src/store/notes.js'))};
    import { appendNoteLine } from ${JSON.stringify(path.join(ROOT, 'dist/src/report/note-line.js'))};
    const git = new Git(process.argv[1]);
    const commits = process.argv.slice(3);
    let i = 0;
    for (const c of commits) {
      const run = process.argv[2] + String(i++).padStart(4, '0');
      await writeNoteWithRetry(git, { commit: c, message: 'test ' + run,
        edit: (cur) => appendNoteLine(cur ?? '', { run, state: 'passed', branch: 'main', durationMs: 1, jobs: [], message: undefined, extra: {} }) });
    }`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, gitDir, prefix, ...commits], { stdio: 'inherit', env: gitEnv() });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

test('8 processes writing notes at once lose none (compare-and-swap with retry)', async () => {
  const { dir, shas } = await repoWithCommits(4);
  const gitDir = path.join(dir, '.git');
  // Every writer appends a line to every commit's note: maximal contention on one ref.
  const codes = await Promise.all(Array.from({ length: 8 }, (_, w) => writerProcess(gitDir, shas, `01JF00000000000000000W${w}`)));
  assert.equal(codes, Array(8).fill(0));
  const g = new Git(gitDir);
  for (const sha of shas) {
    const records = decodeNote((await readNote(g, sha)) ?? '');
    assert.is(records.length, 8, `commit ${sha.slice(0, 7)} has all 8 writers' lines`);
  }
  const history = (await git(dir, 'log', '--format=%s', 'refs/notes/ci')).split('\n');
  assert.is(history.length, 32, 'one notes commit per write: the audit trail');
  const tmpRefs = await git(dir, 'for-each-ref', 'refs/notes/ci-tmp/');
  assert.is(tmpRefs, '', 'temporary refs are cleaned up');
});

test('git notes merge -s cat_sort_uniq of two writers reads back in run order', async () => {
  const { dir, shas } = await repoWithCommits(1);
  const sha = shas[0]!;
  const g = new Git(path.join(dir, '.git'));
  await writeNoteWithRetry(g, { commit: sha, message: 'base', edit: (c) => appendNoteLine(c ?? '', line('01JF0000000000000000000001')) });
  await git(dir, 'update-ref', 'refs/notes/other', 'refs/notes/ci');
  await writeNoteWithRetry(g, { commit: sha, message: 'mine', edit: (c) => appendNoteLine(c ?? '', line('01JF0000000000000000000003', 'failed')) });
  await writeNoteWithRetry(g, { commit: sha, message: 'theirs', edit: (c) => appendNoteLine(c ?? '', line('01JF0000000000000000000002')) }, 'refs/notes/other');
  await git(dir, 'notes', '--ref=ci', 'merge', '-q', '-s', 'cat_sort_uniq', 'refs/notes/other');
  const merged = (await readNote(g, sha))!;
  const runs = decodeNote(merged).map((r) => r.run);
  assert.equal(runs, ['01JF0000000000000000000001', '01JF0000000000000000000002', '01JF0000000000000000000003']);
  assert.equal(merged.trim().split('\n').map((l) => l.split(' ')[2]), runs.map((r) => `run=${r}`), 'the raw lines are in run order too');
});

test('readCiNotes through cat-file reads what git log --notes reads: fan-out, remotes packed and loose, no note', async () => {
  const dir = tempDir('notes');
  await git(dir, 'init', '-q', '--bare');
  // 400 commits with a note each in refs/notes/ci, written by fast-import, which fans the notes tree out (ab/cdef…).
  const n = 400;
  let stream = '';
  for (let i = 1; i <= n; i++) {
    const message = `c${i}\n`;
    stream += `commit refs/heads/main\nmark :${i}\ncommitter T <t@e> ${1700000000 + i} +0000\ndata ${message.length}\n${message}${i > 1 ? `from :${i - 1}\n` : ''}\n`;
  }
  stream += 'commit refs/notes/ci\ncommitter T <t@e> 1700000000 +0000\ndata 5\nnotes\n';
  for (let i = 1; i <= n; i++) stream += `N inline :${i}\ndata ${`local ${i}\n`.length}\nlocal ${i}\n`;
  stream += '\n';
  const fi = await new Promise<number>((resolve) => {
    const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, env: gitEnv(), stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve(code ?? 1));
    child.stdin.end(stream);
  });
  assert.is(fi, 0);
  assert.match(await git(dir, 'ls-tree', '--name-only', 'refs/notes/ci'), /^[0-9a-f]{2}$/m, 'the notes tree is fanned out');
  const shas = (await git(dir, 'rev-list', 'main')).split('\n');
  // Two remotes' notes: one packed, one loose (and one commit with no note anywhere).
  await git(dir, 'notes', '--ref=remotes/zed/ci', 'add', '-m', 'zed', shas[1]!);
  await git(dir, 'pack-refs', '--all');
  await git(dir, 'notes', '--ref=remotes/abc/ci', 'add', '-m', 'abc one\nabc two', shas[1]!);
  await git(dir, 'notes', '--ref=remotes/abc/ci', 'add', '-m', 'abc', shas[2]!);
  const bare = await git(dir, 'commit-tree', '-m', 'no note', 'main^{tree}');
  assert.equal(ciNotesRefNames(dir), ['refs/notes/ci', 'refs/notes/remotes/abc/ci', 'refs/notes/remotes/zed/ci']);
  const g = new Git(dir);
  for (const sha of [shas[0]!, shas[1]!, shas[2]!, shas[n - 1]!, bare]) {
    const viaLog = await g.run(['log', '-1', '--no-walk', '--format=%N', '--notes=refs/notes/ci', '--notes=refs/notes/remotes/*/ci', sha, '--']);
    const expected = viaLog.stdout.trim() === '' ? undefined : viaLog.stdout.trim();
    assert.is((await readCiNotes(g, sha))?.trim(), expected, `commit ${sha.slice(0, 7)}`);
  }
  assert.is((await readCiNotes(g, shas[1]!))?.trim(), `local ${n - 1}\nabc one\nabc two\nzed`);
});

test.run();
