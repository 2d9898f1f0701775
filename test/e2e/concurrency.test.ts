// End to end under load and faults: many concurrent pushes lose no run and no note; a runner
// killed mid-run is recovered by the next one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, push, waitForStatus, waitForRunnerExit, processesMatching, uniqueSleep, waitForProcess, signalRunner, run, gitEnv, CLI } from '../helpers/fixture.js';

test('20 concurrent pushes from 20 clones: 20 runs, 20 notes, none lost', async () => {
  const { dir, bare, clone } = await armedRepo({ 'ci.concurrency': '4' });
  await commit(clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: echo $GIT_CI_BRANCH\n' }, 'base');
  await push(clone);
  await waitForStatus(bare, 'main');
  const clones = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const c = path.join(dir, `clone-${i}`);
      await git(dir, 'clone', '-q', '-b', 'main', bare, c);
      return { c, sha: await commit(c, { [`f${i}.txt`]: `${i}\n` }, `commit ${i}`) };
    }),
  );
  const pushes = await Promise.all(clones.map(({ c }, i) => push(c, `HEAD:refs/heads/b${i}`)));
  for (const p of pushes) assert.match(p.stderr, 'queued run');
  const statuses = await Promise.all(clones.map(({ sha }) => waitForStatus(bare, sha, 120)));
  for (const s of statuses) assert.is(s.state, 'passed');
  assert.is(new Set(statuses.map((s) => s.run)).size, 20);
  const notes = (await git(bare, 'notes', '--ref=ci', 'list')).split('\n').filter(Boolean);
  assert.is(notes.length, 21, 'one note per pushed commit (20) plus the base commit');
  const audit = (await git(bare, 'log', '--format=%s', 'refs/notes/ci')).split('\n');
  assert.is(audit.length, 21, 'one notes commit per recorded run');
  const runRefs = (await git(bare, 'for-each-ref', '--format=%(refname)', 'refs/ci/runs/')).split('\n');
  assert.is(runRefs.length, 21);
  await waitForRunnerExit(bare);
  assert.is((await fs.readdir(path.join(bare, 'ci', 'queue'))).length, 0, 'queue drained');
});

test('a runner killed with SIGKILL mid-run: its run is recovered and recorded by the next runner', async () => {
  const { bare, clone } = await armedRepo();
  const marker = uniqueSleep();
  const sha = await commit(clone, {
    '.git-ci.yml': `jobs:\n  slow:\n    run: if [ "$GIT_CI_ATTEMPT" = 2 ]; then echo second attempt; else sleep ${marker}; fi\n`,
  });
  await push(clone);
  await waitForProcess(`sleep ${marker}`);
  await signalRunner(bare, 'SIGKILL');
  const running = JSON.parse((await ci(bare, 'status', sha, '--json')).stdout);
  assert.is(running.state, 'running', 'the run still shows as running after its runner died');
  // A new runner (here started by hand) recovers it: kills what was left, runs it again.
  const r = await run(process.execPath, [CLI, 'runner', '--repo', bare, '--idle', '1s'], bare, gitEnv());
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'queued again (attempt 2)', r.stdout);
  assert.equal(processesMatching(`sleep ${marker}`), [], 'the dead runner\'s job was killed');
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'passed');
  assert.match((await ci(bare, 'logs', sha, 'slow')).stdout, 'second attempt');
  const record = JSON.parse((await ci(bare, 'show', sha, '--json')).stdout);
  assert.is(record.attempt, 2);
  assert.is((await fs.readdir(path.join(bare, 'ci', 'running'))).length, 0, 'nothing stays running');
});

test('a run whose runner died twice is recorded as error, never left running', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: "true"\n' });
  await git(bare, 'fetch', '-q', clone, 'HEAD:refs/heads/main'); // no hook runs for a fetch
  // Queue and claim by hand, as a runner that then died would have left it.
  const id = '01JDZZZZZZZZZZZZZZZZZZZZZZ';
  const entry = `git-ci-queue v1\nid=${id}\nref=refs/heads/main\nold=0\nnew=${await git(clone, 'rev-parse', 'HEAD')}\ntrigger=push\nqueued=${Date.now()}\nattempt=2\nend\n`;
  await fs.writeFile(path.join(bare, 'ci', 'running', id), entry);
  await fs.writeFile(path.join(bare, 'ci', 'running', `${id}.state.json`), JSON.stringify({ version: 1, id, owner: { pid: 999999, start: '1' }, startedAt: new Date().toISOString(), jobs: [] }));
  const r = await ci(bare, 'runner', '--idle', '0.5s');
  assert.is(r.code, 0, r.stderr);
  const out = await ci(bare, 'status', sha, '--json');
  const status = JSON.parse(out.stdout || '{}');
  assert.is(status.state, 'error', out.stderr);
  assert.match(await git(bare, 'notes', '--ref=ci', 'show', sha), 'the runner died while running this run');
});

test('a second runner started by hand leaves the queue to the live one', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: sleep 1\n' });
  await push(clone);
  await new Promise((r) => setTimeout(r, 300));
  const second = await ci(bare, 'runner', '--idle', '0.2s');
  assert.is(second.code, 0);
  assert.match(second.stdout, 'another runner is active');
  assert.is((await waitForStatus(bare, sha)).state, 'passed');
});

test('status --wait starts a runner when a run waits and none is alive', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: echo picked up\n' });
  await git(bare, 'fetch', '-q', clone, 'HEAD:refs/heads/main'); // no hook, so no runner was started
  const id = '01JE0000000000000000000000';
  await fs.writeFile(path.join(bare, 'ci', 'queue', id), `git-ci-queue v1\nid=${id}\nref=refs/heads/main\nold=0\nnew=${sha}\ntrigger=push\nqueued=${Date.now()}\nattempt=1\nend\n`);
  const status = await waitForStatus(bare, sha, 30);
  assert.is(status.state, 'passed');
  assert.is(status.run, id);
});

test.run();
