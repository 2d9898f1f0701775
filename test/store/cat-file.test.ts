// The long-lived cat-file reader against a real repository: answers in order, binary-safe,
// sees objects and refs written after it started, and recovers when its git dies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CatFileBatch } from '../../src/store/cat-file.js';
import { tempDir } from '../helpers/fixture.js';

function repo(): string {
  const dir = path.join(tempDir('catfile'), 'r.git');
  spawnSync('git', ['init', '-q', '--bare', dir]);
  return dir;
}

function write(gitDir: string, content: Buffer | string): string {
  return spawnSync('git', ['--git-dir', gitDir, 'hash-object', '-w', '--stdin'], { input: content, encoding: 'utf8' }).stdout.trim();
}

test('reads blobs byte for byte, in order, many at once; a missing name is undefined', async () => {
  const dir = repo();
  const binary = Buffer.from([0, 10, 13, 255, 10, 10, 0x20, 0x6d, 0x69, 0x73, 0x73, 0x69, 0x6e, 0x67, 10]);
  const a = write(dir, binary);
  const b = write(dir, 'second\n');
  const batch = new CatFileBatch(dir);
  const answers = await Promise.all([batch.read(a), batch.read('0'.repeat(40)), batch.read(b), batch.read('no such ref'), batch.read(a), batch.read('bad\nname')]);
  assert.equal(answers[0]?.content, binary);
  assert.is(answers[0]?.type, 'blob');
  assert.is(answers[1], undefined);
  assert.is(answers[2]?.content.toString(), 'second\n');
  assert.is(answers[3], undefined);
  assert.equal(answers[4]?.content, binary);
  assert.is(answers[5], undefined);
  batch.close();
});

test('sees refs and objects written after it started, and starts again after its git is killed', async () => {
  const dir = repo();
  const batch = new CatFileBatch(dir);
  assert.is(await batch.read('refs/heads/x'), undefined);
  const blob = write(dir, 'later\n');
  const tree = spawnSync('git', ['--git-dir', dir, 'mktree'], { input: `100644 blob ${blob}\tf.txt\n`, encoding: 'utf8' }).stdout.trim();
  const commit = spawnSync('git', ['--git-dir', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit-tree', tree, '-m', 'm'], { encoding: 'utf8' }).stdout.trim();
  spawnSync('git', ['--git-dir', dir, 'update-ref', 'refs/heads/x', commit]);
  assert.is((await batch.read('refs/heads/x:f.txt'))?.content.toString(), 'later\n');
  assert.is((await batch.read('refs/heads/x^{tree}'))?.oid, tree);
  // Kill its git: pending reads fail, the next read starts a new one.
  const child = (batch as unknown as { child: { kill(): void } }).child;
  child.kill();
  await new Promise((r) => setTimeout(r, 100));
  assert.is((await batch.read('refs/heads/x:f.txt'))?.content.toString(), 'later\n');
  batch.close();
});

test('check mode answers ids without reading the content', async () => {
  const dir = repo();
  const big = write(dir, Buffer.alloc(4 << 20, 7));
  const check = new CatFileBatch(dir, true);
  const [a, b] = await Promise.all([check.read(big), check.read('missing-ref')]);
  assert.is(a?.oid, big);
  assert.is(a?.type, 'blob');
  assert.is(a?.content.length, 0);
  assert.is(b, undefined);
  check.close();
});

test('an idle reader does not keep the process alive', () => {
  const dir = repo();
  const blob = write(dir, 'x\n');
  const module = new URL('../../src/store/cat-file.js', import.meta.url).pathname;
  const script = `import { CatFileBatch } from ${JSON.stringify(module)}; const b = new CatFileBatch(${JSON.stringify(dir)}); const o = await b.read(${JSON.stringify(blob)}); console.log(o.content.toString().trim());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'x', 'the answer arrived (the reader held the loop while it was due), then the process ended');
});

test.run();
