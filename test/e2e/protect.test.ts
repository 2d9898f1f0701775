// Only the runner writes CI results: a client's push that would create, move or delete git-ci's
// refs is refused whole, with a clear message, and nothing on the server changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { armedRepo, ci, commit, git, push, run, waitForStatus } from '../helpers/fixture.js';

async function serverRefs(bare: string): Promise<string> {
  return git(bare, 'for-each-ref', '--format=%(refname) %(objectname)');
}

test('a forged passing note, a deleted run ref and a made-up run ref are refused; a branch in the same push is not updated', async () => {
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: exit 1\n' });
  await push(repo.clone);
  const status = await waitForStatus(repo.bare, sha, 60);
  assert.is(status.state, 'failed');
  await git(repo.clone, 'fetch', '-q', 'origin', '+refs/notes/ci:refs/notes/ci', '+refs/ci/*:refs/ci/*');
  const before = await serverRefs(repo.bare);

  // Forge: rewrite the note to say passed, and push it with a new branch commit.
  const forged = `git-ci v1 run=${status.run} state=passed branch=main jobs=t:passed`;
  await git(repo.clone, 'notes', '--ref=ci', 'add', '-f', '-m', forged, sha);
  const next = await commit(repo.clone, { 'x.txt': 'x\n' });
  const r1 = await run('git', ['push', 'origin', 'HEAD:refs/heads/main', 'refs/notes/ci:refs/notes/ci'], repo.clone);
  assert.ok(r1.code !== 0, 'refused');
  assert.match(r1.stderr, 'git-ci: refs/notes/ci is written by the CI runner only');
  assert.match(r1.stderr, 'update refs/notes/ci');
  assert.match(r1.stderr, 'push refused (nothing was changed)');

  const r2 = await run('git', ['push', 'origin', `:refs/ci/runs/${status.run}`], repo.clone);
  assert.ok(r2.code !== 0);
  assert.match(r2.stderr, `delete refs/ci/runs/${status.run}`);

  const r3 = await run('git', ['push', 'origin', `${next}:refs/ci/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ`, `${next}:refs/notes/ci-tmp/1-1`], repo.clone);
  assert.ok(r3.code !== 0);
  assert.match(r3.stderr, 'create refs/ci/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ');

  assert.is(await serverRefs(repo.bare), before, 'not one ref moved, the branch included');
  assert.is((await ci(repo.bare, 'status', sha, '--json')).stdout.includes('"state": "failed"'), true);
  // An honest push still goes through.
  await push(repo.clone);
  assert.is((await waitForStatus(repo.bare, next, 60)).state, 'failed');
});

test('git ci doctor says when the guard is missing', async () => {
  const repo = await armedRepo();
  await run('rm', ['-f', `${repo.bare}/hooks/pre-receive`], repo.dir);
  const r = await ci(repo.bare, 'doctor');
  assert.match(r.stdout + r.stderr, 'pushes could forge CI results');
  const again = await ci(repo.dir, 'install', repo.bare);
  assert.is(again.code, 0, again.stderr);
  assert.not.match((await ci(repo.bare, 'doctor')).stdout, 'forge');
});

test.run();
