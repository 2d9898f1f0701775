// Opening a repository without a git process agrees with `git rev-parse` wherever it answers,
// and leaves every case it does not know for sure to git.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { git, tempDir, commit } from '../helpers/fixture.js';
import { openRepo, plainRepoAt } from '../../src/store/repo.js';
import { spawnGit } from '../../src/store/git.js';

async function gitsAnswer(where: string): Promise<{ gitDir: string; bare: boolean }> {
  const r = await spawnGit(['rev-parse', '--absolute-git-dir', '--is-bare-repository'], { cwd: where });
  const [gitDir, bare] = r.stdout.toString().trim().split('\n');
  return { gitDir: gitDir!, bare: bare === 'true' };
}

test('a bare repository and the top of a work tree are read without git, as git reads them', async () => {
  const dir = tempDir('repo-open');
  const bare = path.join(dir, 'app.git');
  const work = path.join(dir, 'work');
  await git(dir, 'init', '-q', '--bare', bare);
  await git(dir, 'init', '-q', work);
  await commit(work, { 'a.txt': 'a\n' }, 'first');
  for (const where of [bare, work]) {
    const fast = plainRepoAt(where);
    assert.ok(fast, `answered without git for ${where}`);
    assert.equal(fast, await gitsAnswer(where));
    const repo = await openRepo(where);
    assert.equal({ gitDir: repo.gitDir, bare: repo.bare }, await gitsAnswer(where));
  }
  // Through a symlink: git reports the physical path.
  const link = path.join(dir, 'link.git');
  await fs.symlink(bare, link);
  assert.equal(plainRepoAt(link), await gitsAnswer(link));
});

test('cases only git knows for sure go to git, and openRepo still gets them right', async () => {
  const dir = tempDir('repo-open');
  const work = path.join(dir, 'work');
  await git(dir, 'init', '-q', work);
  await commit(work, { 'src/a.txt': 'a\n' }, 'first');
  const sub = path.join(work, 'src');
  const dotGit = path.join(work, '.git');
  const linked = path.join(dir, 'linked');
  await git(work, 'worktree', 'add', '-q', linked);
  const included = path.join(dir, 'included.git');
  await git(dir, 'init', '-q', '--bare', included);
  await fs.appendFile(path.join(included, 'config'), '[include]\n\tpath = extra\n');
  for (const where of [sub, dotGit, linked, included]) {
    assert.is(plainRepoAt(where), undefined, `left to git: ${where}`);
    const repo = await openRepo(where);
    assert.equal({ gitDir: repo.gitDir, bare: repo.bare }, await gitsAnswer(where));
  }
  assert.is(plainRepoAt(path.join(dir, 'nothing-here')), undefined);
  const error = await openRepo(dir).then(() => undefined, (err: Error) => err);
  assert.match(String(error?.message), /not a git repository/);
});

test.run();
