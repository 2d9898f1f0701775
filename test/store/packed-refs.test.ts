// Refs under a prefix from packed-refs, by binary search, agree with git for-each-ref: at the
// start, middle and end of a large sorted file, across chunk boundaries, and unsorted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { git, gitEnv, tempDir, commit } from '../helpers/fixture.js';
import { packedRefsUnder } from '../../src/store/packed-refs.js';

async function updateRefs(dir: string, lines: string[]): Promise<void> {
  const code = await new Promise<number>((resolve) => {
    const child = spawn('git', ['update-ref', '--stdin'], { cwd: dir, env: gitEnv(), stdio: ['pipe', 'ignore', 'inherit'] });
    child.on('exit', (c) => resolve(c ?? 1));
    child.stdin.end(lines.join('\n') + '\n');
  });
  assert.is(code, 0);
}

test('binary search over a large sorted packed-refs finds what git for-each-ref finds', async () => {
  const dir = tempDir('packed-refs');
  await git(dir, 'init', '-q');
  const sha = await commit(dir, { 'a.txt': 'a\n' }, 'first');
  await git(dir, 'tag', '-a', '-m', 'annotated', 'v1');
  // 30,000 refs (~2 MB) around the prefixes looked for, with a peeled tag line in the file too.
  const refs: string[] = [];
  for (let i = 0; i < 20000; i++) refs.push(`create refs/ci/runs/R${String(i).padStart(6, '0')} ${sha}`);
  for (let i = 0; i < 7; i++) refs.push(`create refs/notes/remotes/r${i}/ci ${sha}`, `create refs/notes/remotes/r${i}/other ${sha}`);
  refs.push(`create refs/notes/remotes/a/b/ci ${sha}`, `create refs/notes/remotesX ${sha}`);
  for (let i = 0; i < 10000; i++) refs.push(`create refs/zz/${String(i).padStart(6, '0')} ${sha}`);
  await updateRefs(dir, refs);
  await git(dir, 'pack-refs', '--all');
  const file = path.join(dir, '.git', 'packed-refs');
  assert.match(await fs.readFile(file, 'utf8').then((t) => t.split('\n')[0]!), /sorted/);
  for (const prefix of ['refs/notes/remotes/', 'refs/ci/runs/R0199', 'refs/heads/', 'refs/tags/', 'refs/zz/00999', 'refs/zz/009999', 'refs/nothing/', 'refs/']) {
    const expected = (await git(dir, 'for-each-ref', '--format=%(refname)', prefix.endsWith('/') ? prefix : `${prefix}*`)).split('\n').filter(Boolean);
    const wanted = prefix.endsWith('/') ? expected : (await git(dir, 'for-each-ref', '--format=%(refname)')).split('\n').filter((r) => r.startsWith(prefix));
    assert.equal(packedRefsUnder(file, prefix), wanted, prefix);
  }
  // The same file unsorted (no "sorted" in the header): read whole, same answer.
  const text = await fs.readFile(file, 'utf8');
  const lines = text.split('\n');
  const unsorted = path.join(dir, 'unsorted-packed-refs');
  await fs.writeFile(unsorted, ['# pack-refs with: peeled', ...lines.slice(1).reverse()].join('\n'));
  assert.equal(packedRefsUnder(unsorted, 'refs/notes/remotes/').sort(), packedRefsUnder(file, 'refs/notes/remotes/').sort());
  assert.equal(packedRefsUnder(path.join(dir, 'no-such-file'), 'refs/'), []);
});

test.run();
