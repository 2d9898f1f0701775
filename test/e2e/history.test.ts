// CI history travels with the repository: `git ci clone` and `git ci fetch` bring notes, run
// records, logs and artifacts; the readers work offline in the clone; a plain `git fetch` keeps
// them current; a user's own notes are never overwritten; a rebased or amended commit shows
// the note it carried as inherited, not as its own result.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, push, run, tempDir, waitForStatus } from '../helpers/fixture.js';

const PIPELINE = 'jobs:\n  build:\n    run: mkdir -p out && echo built > out/app.txt && echo building\n    artifacts: ["out/**"]\n  test:\n    needs: [build]\n    run: test "$(cat out/app.txt)" = built && echo tested\n';

test('git ci clone brings notes, run records, logs and artifacts; the readers work offline; plain git fetch keeps them current', async () => {
  const repo = await armedRepo();
  const first = await commit(repo.clone, { '.git-ci.yml': PIPELINE });
  await push(repo.clone);
  const built = await waitForStatus(repo.bare, first, 60);
  assert.is(built.state, 'passed');

  const dir = path.join(tempDir('ci-clone'), 'copy');
  const cloned = await ci(path.dirname(dir), 'clone', `file://${repo.bare}`, dir);
  assert.is(cloned.code, 0, cloned.stdout + cloned.stderr);
  assert.match(cloned.stdout, 'CI history from origin: notes on 1 commit(s), 1 run record(s), 1 artifact set(s)');
  assert.is(await git(dir, 'config', '--get-all', 'notes.displayRef'), 'refs/notes/ci\nrefs/notes/remotes/*/ci');
  // The server's notes are in the side ref; the clone's own refs/notes/ci is left alone.
  assert.is(await git(dir, 'for-each-ref', '--format=%(refname)', 'refs/notes/'), 'refs/notes/remotes/origin/ci');
  assert.match(await git(dir, 'log', '-1'), 'Notes (remotes/origin/ci):');
  assert.match(await git(dir, 'log', '-1'), `git-ci v1 run=${built.run} state=passed`);

  // Offline: the server is gone.
  await fs.rename(repo.bare, `${repo.bare}.away`);
  const status = await ci(dir, 'status', '--json');
  assert.is(status.code, 0, status.stdout + status.stderr);
  assert.equal(JSON.parse(status.stdout).jobs.map((j: { name: string; state: string }) => `${j.name}:${j.state}`), ['build:passed', 'test:passed']);
  assert.match((await ci(dir, 'logs', built.run!, 'test')).stdout, 'tested');
  assert.match((await ci(dir, 'log')).stdout, 'passed');
  assert.match((await ci(dir, 'show')).stdout, built.run!);
  const out = path.join(tempDir('ci-clone-artifacts'), 'a');
  const got = await ci(dir, 'artifacts', built.run!, 'build', '-o', out);
  assert.is(got.code, 0, got.stdout + got.stderr);
  assert.is(await fs.readFile(path.join(out, 'out/app.txt'), 'utf8'), 'built\n');
  await fs.rename(`${repo.bare}.away`, repo.bare);

  // A later run on the server reaches the clone with a plain git fetch.
  const second = await commit(repo.clone, { 'b.txt': 'b\n' });
  await push(repo.clone);
  const next = await waitForStatus(repo.bare, second, 60);
  await git(dir, 'fetch', '-q');
  const later = JSON.parse((await ci(dir, 'status', 'origin/main', '--json')).stdout);
  assert.is(later.run, next.run);
  assert.is(later.state, 'passed');
});

test('git ci fetch configures an existing clone once, and never overwrites a note its user wrote', async () => {
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: exit 3\n' });
  await push(repo.clone);
  const built = await waitForStatus(repo.bare, sha, 60);
  assert.is(built.state, 'failed');
  // The user's own note in refs/notes/ci, never pushed.
  await git(repo.clone, 'notes', '--ref=ci', 'add', '-m', 'looked into it: flaky disk', sha);

  const fetched = await ci(repo.clone, 'fetch');
  assert.is(fetched.code, 0, fetched.stdout + fetched.stderr);
  assert.match(fetched.stdout, 'git config --add remote.origin.fetch +refs/notes/ci:refs/notes/remotes/origin/ci');
  assert.match(fetched.stdout, 'notes on 1 commit(s), 1 run record(s)');
  assert.is(await git(repo.clone, 'notes', '--ref=ci', 'show', sha), 'looked into it: flaky disk', 'the local note is untouched');
  const status = JSON.parse((await ci(repo.clone, 'status', sha, '--json')).stdout);
  assert.is(status.state, 'failed', 'the server result is read from the side ref');
  assert.is(status.run, built.run);
  const log = await git(repo.clone, 'log', '-1', sha);
  assert.match(log, 'looked into it: flaky disk');
  assert.match(log, `run=${built.run} state=failed`);

  // Again: nothing more to configure; a fetch still leaves the local note alone.
  const again = await ci(repo.clone, 'fetch', '-q');
  assert.is(again.code, 0, again.stderr);
  assert.not.match(again.stdout, 'git config --add');
  assert.is((await git(repo.clone, 'config', '--get-all', 'remote.origin.fetch')).split('\n').length, 4);
  assert.is(await git(repo.clone, 'notes', '--ref=ci', 'show', sha), 'looked into it: flaky disk');
  const missing = await ci(repo.clone, 'fetch', 'nowhere');
  assert.is(missing.code, 128);
  assert.match(missing.stderr, 'no remote named nowhere');
});

test('a rebased or amended commit carries its note, shown as inherited: not built, not passed', async () => {
  const repo = await armedRepo();
  await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: "true"\n' });
  const sha = await commit(repo.clone, { 'a.txt': 'a\n' });
  await push(repo.clone);
  const built = await waitForStatus(repo.bare, sha, 60);
  assert.is(built.state, 'passed');
  assert.is((await ci(repo.clone, 'fetch', '-q')).code, 0);

  await git(repo.clone, 'commit', '-q', '--amend', '-m', 'reworded');
  const amended = await git(repo.clone, 'rev-parse', 'HEAD');
  assert.ok(amended !== sha);
  assert.match(await git(repo.clone, 'log', '-1'), `run=${built.run} state=passed`, 'notes.rewriteRef carried the note');
  const r = await ci(repo.clone, 'status', '--json');
  assert.is(r.code, 3, 'no run of this commit');
  const status = JSON.parse(r.stdout);
  assert.is(status.state, null);
  assert.equal(status.inherited, { from: sha.slice(0, 12), run: built.run, state: 'passed' });
  const human = await ci(repo.clone, 'status');
  assert.match(human.stdout, 'not built');
  assert.match(human.stdout, `inherited from ${sha.slice(0, 10)}`);
  const log = await ci(repo.clone, 'log', '-n', '1');
  assert.match(log.stdout, `(inherited from ${sha.slice(0, 7)}: passed)`);
  assert.not.match(log.stdout, / passed +\d/);
  // The original commit still reads as its own result.
  assert.is(JSON.parse((await ci(repo.clone, 'status', sha, '--json')).stdout).state, 'passed');

  // A rebase onto another base carries it the same way.
  await git(repo.clone, 'reset', '-q', '--hard', sha);
  await git(repo.clone, 'checkout', '-q', '-b', 'other', `${sha}~1`);
  await commit(repo.clone, { 'other.txt': 'o\n' });
  await git(repo.clone, 'checkout', '-q', 'main');
  const rebase = await run('git', ['rebase', '-q', 'other'], repo.clone);
  assert.is(rebase.code, 0, rebase.stderr);
  const rebased = JSON.parse((await ci(repo.clone, 'status', 'HEAD', '--json')).stdout);
  assert.is(rebased.state, null);
  assert.is(rebased.inherited?.from, sha.slice(0, 12));
});

test.run();
