// Artifacts stored as git trees: what is kept and refused, exact round trips, the size cap, and a
// number of git processes that does not grow with the number of files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { git, tempDir } from '../helpers/fixture.js';
import { Git, type GitRunOptions } from '../../src/store/git.js';
import {
  artifactFiles,
  artifactsRef,
  listArtifacts,
  restoreArtifacts,
  saveArtifacts,
  DEFAULT_MAX_ARTIFACT_BYTES,
} from '../../src/store/artifacts.js';

/** A Git that records every command it runs, to count processes. */
class CountingGit extends Git {
  calls: string[][] = [];
  override runBuffer(args: string[], options?: GitRunOptions) {
    this.calls.push(args);
    return super.runBuffer(args, options);
  }
}

async function bareRepo(): Promise<CountingGit> {
  const dir = tempDir('artifacts');
  await git(dir, 'init', '-q', '--bare', 'repo.git');
  return new CountingGit(path.join(dir, 'repo.git'));
}

async function write(root: string, rel: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  await fs.chmod(file, mode);
}

/** A workspace with nested files, an executable, links inside and links that lead out. */
async function workspace(): Promise<string> {
  const top = tempDir('artifacts-ws');
  await write(top, 'outside', 'not yours\n');
  const ws = path.join(top, 'ws');
  await write(ws, 'dist/app.js', 'console.log(1)\n');
  await write(ws, 'dist/run.sh', '#!/bin/sh\necho hi\n', 0o755);
  await write(ws, 'dist/sub/deep/data.bin', randomBytes(5000));
  await write(ws, 'dist/sub/empty.txt', '');
  await write(ws, 'src/main.c', 'int main() {}\n');
  await write(ws, 'notes.log', 'a log\n');
  await fs.symlink('sub/deep/data.bin', path.join(ws, 'dist/inside-link'));
  await fs.symlink('sub', path.join(ws, 'dist/dir-link'));
  await fs.symlink('/etc/passwd', path.join(ws, 'dist/passwd'));
  await fs.symlink('../../outside', path.join(ws, 'dist/up'));
  // Inside by its text, outside for real: dist/self is dist, so self/../.. is the workspace's parent.
  await fs.symlink('.', path.join(ws, 'dist/self'));
  await fs.symlink('self/../..', path.join(ws, 'dist/sneaky'));
  return ws;
}

const save = (g: Git, ws: string, patterns: string[], extra: { job?: string; maxBytes?: number; runId?: string } = {}) =>
  saveArtifacts(g, { workspace: ws, patterns, runId: extra.runId ?? ulid(), job: extra.job ?? 'build', maxBytes: extra.maxBytes ?? DEFAULT_MAX_ARTIFACT_BYTES });

test('stores the matching files under refs/ci/artifacts/<run>/<job>, with modes, refusing links that lead out', async () => {
  const g = await bareRepo();
  const ws = await workspace();
  const runId = ulid();
  const result = await save(g, ws, ['dist', '*.log'], { runId });
  assert.is(result.ref, `refs/ci/artifacts/${runId}/build`);
  const files = await artifactFiles(g, result.ref!);
  const byPath = Object.fromEntries(files.map((f) => [f.path, f]));
  assert.equal(
    files.map((f) => f.path),
    ['dist/app.js', 'dist/dir-link', 'dist/inside-link', 'dist/run.sh', 'dist/self', 'dist/sub/deep/data.bin', 'dist/sub/empty.txt', 'notes.log'],
  );
  assert.is(byPath['dist/run.sh']!.mode, '100755');
  assert.is(byPath['dist/app.js']!.mode, '100644');
  assert.is(byPath['dist/inside-link']!.mode, '120000');
  assert.is(byPath['dist/sub/deep/data.bin']!.size, 5000);
  assert.is(result.files, 8);
  assert.is(result.bytes, files.reduce((s, f) => s + f.size, 0));
  assert.ok(result.messages.includes('skipped link dist/passwd -> /etc/passwd: points outside the workspace'), result.messages.join('\n'));
  assert.ok(result.messages.includes('skipped link dist/up -> ../../outside: points outside the workspace'), result.messages.join('\n'));
  assert.ok(result.messages.includes('skipped link dist/sneaky -> self/../..: points outside the workspace'), result.messages.join('\n'));
  assert.is(result.messages.length, 3);
  const commit = await git(g.gitDir, 'log', '-1', '--format=%an <%ae>|%cn|%s', result.ref!);
  assert.is(commit, `git-ci <git-ci@localhost>|git-ci|git-ci artifacts ${runId} build`);
});

test('restore gives back identical bytes, modes and links, and nothing that was not stored', async () => {
  const g = await bareRepo();
  const ws = await workspace();
  const { ref } = await save(g, ws, ['dist/**', 'notes.log']);
  const out = path.join(tempDir('artifacts-out'), 'nested', 'out');
  const restored = await restoreArtifacts(g, ref!, out);
  assert.equal(restored.messages, []);
  assert.is(restored.files, 8);
  for (const rel of ['dist/app.js', 'dist/run.sh', 'dist/sub/deep/data.bin', 'dist/sub/empty.txt', 'notes.log']) {
    assert.ok((await fs.readFile(path.join(out, rel))).equals(await fs.readFile(path.join(ws, rel))), rel);
    const [a, b] = await Promise.all([fs.stat(path.join(out, rel)), fs.stat(path.join(ws, rel))]);
    assert.is(a.mode & 0o111 ? 'x' : '-', b.mode & 0o111 ? 'x' : '-', `${rel} keeps its executable bit`);
  }
  assert.is(await fs.readlink(path.join(out, 'dist/inside-link')), 'sub/deep/data.bin');
  assert.is(await fs.readlink(path.join(out, 'dist/dir-link')), 'sub');
  for (const rel of ['dist/passwd', 'dist/up', 'dist/sneaky', 'src/main.c']) {
    assert.is(await fs.lstat(path.join(out, rel)).then(() => true, () => false), false, `${rel} is not restored`);
  }
});

test('restore writes bytes as stored even when the artifacts hold a .gitattributes that asks for conversions', async () => {
  const g = await bareRepo();
  const ws = tempDir('artifacts-attr');
  await write(ws, 'out/.gitattributes', '* text eol=crlf ident\n');
  await write(ws, 'out/notes.txt', 'line one\nline two $Id$\n');
  await write(ws, 'out/sub/.gitattributes', '*.txt filter=nope\n', 0o755);
  await write(ws, 'out/sub/more.txt', 'more\n');
  const { ref } = await save(g, ws, ['out']);
  const back = tempDir('artifacts-attr-out');
  const restored = await restoreArtifacts(g, ref!, back);
  assert.is(restored.files, 4);
  for (const rel of ['out/.gitattributes', 'out/notes.txt', 'out/sub/.gitattributes', 'out/sub/more.txt']) {
    assert.is(await fs.readFile(path.join(back, rel), 'utf8'), await fs.readFile(path.join(ws, rel), 'utf8'), rel);
  }
  assert.ok((await fs.stat(path.join(back, 'out/sub/.gitattributes'))).mode & 0o100, 'a .gitattributes keeps its mode too');
});

test('restore into a folder never writes through a link that is in the way', async () => {
  const g = await bareRepo();
  const ws = tempDir('artifacts-ws2');
  await write(ws, 'dist/a.txt', 'a\n');
  await write(ws, 'dist/.gitattributes', '# none\n');
  const { ref } = await save(g, ws, ['dist']);
  const dir = tempDir('artifacts-target');
  const elsewhere = tempDir('artifacts-elsewhere');
  await fs.symlink(elsewhere, path.join(dir, 'dist'));
  await restoreArtifacts(g, ref!, dir);
  assert.equal(await fs.readdir(elsewhere), [], 'nothing was written through the link');
  assert.ok((await fs.lstat(path.join(dir, 'dist'))).isDirectory());
  assert.is(await fs.readFile(path.join(dir, 'dist/a.txt'), 'utf8'), 'a\n');
  assert.is(await fs.readFile(path.join(dir, 'dist/.gitattributes'), 'utf8'), '# none\n');
});

test('restore removes links of a tree stored by someone else that lead outside the folder', async () => {
  const g = await bareRepo();
  const ws = tempDir('artifacts-foreign');
  await write(ws, 'ok.txt', 'ok\n');
  const { ref } = await save(g, ws, ['ok.txt']);
  // Build a tree by hand with links git-ci itself would never store.
  const dir = tempDir('artifacts-foreign-idx');
  const index = path.join(dir, 'index');
  const env = { GIT_INDEX_FILE: index };
  const linkBlob = async (text: string) => (await g.run(['hash-object', '-w', '--stdin'], { input: text })).stdout.trim();
  const okBlob = (await g.run(['rev-parse', `${ref}:ok.txt`])).stdout.trim();
  const entries = [
    `100644 ${okBlob}\tok.txt`,
    `120000 ${await linkBlob('/etc/passwd')}\tabs`,
    `120000 ${await linkBlob('../../../etc')}\tup`,
    `120000 ${await linkBlob('ok.txt')}\tfine`,
  ];
  await g.run(['update-index', '-z', '--index-info'], { input: entries.join('\0') + '\0', env });
  const tree = (await g.run(['write-tree'], { env })).stdout.trim();
  const out = tempDir('artifacts-foreign-out');
  const restored = await restoreArtifacts(g, tree, out);
  assert.equal(restored.messages.sort(), [`skipped link abs -> /etc/passwd: points outside ${out}`, `skipped link up -> ../../../etc: points outside ${out}`]);
  assert.is(restored.files, 2);
  assert.equal((await fs.readdir(out)).sort(), ['fine', 'ok.txt']);
});

test('past ci.maxArtifactBytes nothing is written: no ref, no objects', async () => {
  const g = await bareRepo();
  const ws = await workspace();
  const result = await save(g, ws, ['dist'], { maxBytes: 1024, job: 'build' });
  assert.is(result.ref, null);
  assert.ok(
    result.messages.some((m) => /^artifacts of build are 4\.\d KiB, over ci\.maxArtifactBytes \(1 KiB\): not stored$/.test(m)),
    result.messages.join('\n'),
  );
  assert.is(await git(g.gitDir, 'for-each-ref', 'refs/ci/'), '');
  assert.match(await git(g.gitDir, 'count-objects', '-v'), /^count: 0$/m);
});

test('no matching file: no ref, and a message naming the patterns', async () => {
  const g = await bareRepo();
  const ws = await workspace();
  const result = await save(g, ws, ['build/**', '*.zip']);
  assert.is(result.ref, null);
  assert.equal(result.messages, ['no file matched artifacts: [build/**, *.zip]']);
  assert.is(await git(g.gitDir, 'for-each-ref', 'refs/ci/'), '');
});

test('odd file names round trip: spaces, quotes, backslashes, line breaks, non-ASCII', async () => {
  const g = await bareRepo();
  const ws = tempDir('artifacts-names');
  const names = ['out/with space.txt', 'out/"quoted"', 'out/back\\slash', 'out/line\nbreak', 'out/carriage\rreturn', 'out/ünïcødé ✓'];
  for (const [i, name] of names.entries()) await write(ws, name, `file ${i}\n`);
  const result = await save(g, ws, ['out']);
  assert.equal(result.messages, []);
  assert.is(result.files, names.length);
  const stored = (await artifactFiles(g, result.ref!)).map((f) => f.path).sort();
  assert.equal(stored, [...names].sort());
  const out = tempDir('artifacts-names-out');
  await restoreArtifacts(g, result.ref!, out);
  for (const [i, name] of names.entries()) assert.is(await fs.readFile(path.join(out, name), 'utf8'), `file ${i}\n`);
});

test('a .git folder in the workspace is never stored, and says so when asked for', async () => {
  const g = await bareRepo();
  const ws = tempDir('artifacts-dotgit');
  await write(ws, 'vendor/lib/.git/config', '[core]\n');
  await write(ws, 'vendor/lib/lib.js', 'x\n');
  const result = await save(g, ws, ['vendor']);
  assert.equal((await artifactFiles(g, result.ref!)).map((f) => f.path), ['vendor/lib/lib.js']);
  assert.equal(result.messages, ['skipped vendor/lib/.git: git cannot store a .git folder']);
});

test('jobs with artifacts are listed per run', async () => {
  const g = await bareRepo();
  const ws = await workspace();
  const runId = ulid();
  await save(g, ws, ['dist'], { runId, job: 'build' });
  await save(g, ws, ['notes.log'], { runId, job: 'docs' });
  await save(g, ws, ['nothing'], { runId, job: 'lint' });
  await save(g, ws, ['dist'], { job: 'other-run' });
  assert.equal(await listArtifacts(g, runId), ['build', 'docs']);
  assert.equal(await listArtifacts(g, ulid()), []);
  const docs = await artifactFiles(g, artifactsRef(runId, 'docs'));
  assert.equal(docs.map(({ path: p, size, mode }) => ({ path: p, size, mode })), [{ path: 'notes.log', size: 6, mode: '100644' }]);
});

test('saving and restoring take the same few git processes for 10 files and for 2000', async () => {
  async function measure(count: number): Promise<{ save: string[]; restore: string[]; files: number }> {
    const g = await bareRepo();
    const ws = tempDir('artifacts-many');
    for (let i = 0; i < count; i++) await write(ws, `out/d${i % 37}/f${i}.txt`, `file ${i}\n`, i % 5 === 0 ? 0o755 : 0o644);
    await fs.symlink('d0', path.join(ws, 'out/link'));
    const { ref, files } = await save(g, ws, ['out/**']);
    const saveCalls = g.calls.map((c) => c[0]!);
    g.calls = [];
    const restored = await restoreArtifacts(g, ref!, tempDir('artifacts-many-out'));
    assert.is(restored.files, files);
    return { save: saveCalls, restore: g.calls.map((c) => c[0]!), files };
  }
  const small = await measure(10);
  const large = await measure(2000);
  assert.is(large.files, 2001);
  assert.equal(large.save, small.save, 'the same git commands for 2000 files as for 10');
  assert.equal(large.restore, small.restore);
  assert.equal(small.save, ['hash-object', 'update-index', 'write-tree', 'commit-tree', 'update-ref']);
  assert.ok(small.restore.length <= 3, small.restore.join(' '));
});

test('refuses a run id or job name that cannot be a ref', async () => {
  const g = await bareRepo();
  const ws = await workspace();
  await save(g, ws, ['dist'], { job: '../escape' }).then(
    () => assert.unreachable('a job name with "/" is refused'),
    (err: Error) => assert.match(err.message, 'cannot be part of a ref name'),
  );
  await save(g, ws, ['dist'], { runId: 'nope' }).then(
    () => assert.unreachable('a run id that is not a ULID is refused'),
    (err: Error) => assert.match(err.message, 'is not a ULID'),
  );
});

test.run();
