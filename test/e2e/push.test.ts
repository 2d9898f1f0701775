// End to end: real pushes into real armed bare repositories, results read back with git and the CLI.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, push, waitForStatus, processesMatching, uniqueSleep, waitForRunnerExit } from '../helpers/fixture.js';

const PASSING = `jobs:
  build:
    run: echo building on $GIT_CI_BRANCH && echo ok > out.txt
  test:
    needs: [build]
    run:
      - test -f README.md
      - echo "env $NODE_ENV $CI $GIT_CI_JOB"
    env: { NODE_ENV: test }
`;

test('a push runs the pipeline and records a passing note, run ref and logs', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': PASSING, 'README.md': 'hello\n' }, 'first');
  const pushed = await push(clone);
  const queued = /remote: git-ci: queued run ([0-9A-Z]{26}) for main ([0-9a-f]{7})/.exec(pushed.stderr);
  assert.ok(queued, `push output names the run: ${pushed.stderr}`);
  assert.is(queued![2], sha.slice(0, 7));

  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'passed');
  assert.is(status.exit, 0);
  assert.is(status.run, queued![1]);
  assert.is(status.branch, 'main');
  assert.equal(status.jobs.map((j) => [j.name, j.state, j.exitCode]), [['build', 'passed', 0], ['test', 'passed', 0]]);

  const note = await git(bare, 'log', '--notes=ci', '-1', '--format=%N', sha);
  assert.match(note, new RegExp(`^git-ci v1 run=${status.run} state=passed branch=main duration=\\S+ jobs=build:passed:\\S+,test:passed:\\S+ commit=${sha.slice(0, 12)}$`));
  const audit = await git(bare, 'log', '--format=%s', 'refs/notes/ci');
  assert.is(audit, `git-ci: run ${status.run} passed for ${sha.slice(0, 7)} on main`);
  const runJson = JSON.parse(await git(bare, 'cat-file', 'blob', `refs/ci/runs/${status.run}:run.json`));
  assert.is(runJson.schema, 'git-ci/run');
  assert.is(runJson.version, 1);
  assert.is(runJson.commit, sha);
  const testLog = await git(bare, 'cat-file', 'blob', `refs/ci/runs/${status.run}:logs/test.log`);
  assert.match(testLog, 'env test true test');
  const logs = await ci(bare, 'logs', sha, 'build');
  assert.match(logs.stdout, 'building on main');
  const text = await ci(bare, 'status', sha);
  assert.match(text.stdout, /passed/);
  assert.match(text.stdout, /build\s+passed/);
  await waitForRunnerExit(bare);
});

test('a failing job fails the run; a job whose dependency failed is skipped', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, {
    '.git-ci.yml': `jobs:
  lint:
    run: echo linting
  build:
    run: echo broken >&2; exit 3
  test:
    needs: [build]
    run: echo never
  deploy:
    needs: [test, lint]
    run: echo never
`,
  });
  await push(clone);
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'failed');
  assert.is(status.exit, 1);
  const byName = Object.fromEntries(status.jobs.map((j) => [j.name, j]));
  assert.is(byName.lint!.state, 'passed');
  assert.is(byName.build!.state, 'failed');
  assert.is(byName.build!.exitCode, 3);
  assert.is(byName.test!.state, 'skipped');
  assert.is(byName.deploy!.state, 'skipped');
  const note = await git(bare, 'notes', '--ref=ci', 'show', sha);
  assert.match(note, 'state=failed');
  assert.match(note, 'test:skipped');
  assert.match(note, '-- build: exit code 3');
  const log = await ci(bare, 'logs', status.run!, 'build');
  assert.match(log.stdout, 'broken');
  const show = await ci(bare, 'show', sha);
  assert.match(show.stdout, /needs build \(failed\)/);
});

test('a job past its timeout is killed with everything it started', async () => {
  const { bare, clone } = await armedRepo({ 'ci.killGrace': '1s' });
  const marker = uniqueSleep();
  const sha = await commit(clone, {
    '.git-ci.yml': `jobs:
  hang:
    timeout: 1s
    run: (sleep ${marker} &) ; sleep ${marker}
`,
  });
  await push(clone);
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'failed');
  const show = JSON.parse((await ci(bare, 'show', sha, '--json')).stdout);
  assert.is(show.jobs[0].timedOut, true);
  assert.match(show.jobs[0].reason, 'timed out after 1');
  assert.equal(processesMatching(`sleep ${marker}`), [], 'no process of the job survives');
  const log = await ci(bare, 'logs', sha, 'hang');
  assert.match(log.stdout, 'timed out');
});

test('a broken .git-ci.yml gets an error note naming the line; the push is not refused', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, {
    '.git-ci.yml': `jobs:
  build:
    run: make
  test:
    needs: [biuld]
    run: make test
`,
  });
  await push(clone);
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'error');
  assert.is(status.exit, 1);
  const note = await git(bare, 'notes', '--ref=ci', 'show', sha);
  assert.match(note, 'state=error');
  assert.match(note, '.git-ci.yml:5: jobs.test.needs[0]: unknown job "biuld"');
  const human = await ci(bare, 'status', sha);
  assert.match(human.stdout, '.git-ci.yml:5: jobs.test.needs[0]: unknown job "biuld"');
});

test('a commit without a pipeline gets an error note saying so', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { 'README.md': 'no pipeline here\n' });
  await push(clone);
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'error');
  assert.match(await git(bare, 'notes', '--ref=ci', 'show', sha), 'no .git-ci.yml in commit');
});

test('one push of two branches queues and records two runs', async () => {
  const { bare, clone } = await armedRepo();
  const a = await commit(clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: echo a\n' }, 'a');
  await git(clone, 'checkout', '-q', '-b', 'feature/x');
  const b = await commit(clone, { 'x.txt': 'x\n' }, 'b');
  const pushed = await push(clone, 'main', 'feature/x');
  assert.is((pushed.stderr.match(/queued run/g) ?? []).length, 2);
  const [sa, sb] = await Promise.all([waitForStatus(bare, a), waitForStatus(bare, b)]);
  assert.is(sa.state, 'passed');
  assert.is(sa.branch, 'main');
  assert.is(sb.state, 'passed');
  assert.is(sb.branch, 'feature/x');
  assert.is.not(sa.run, sb.run);
});

test('branches the pipeline excludes are not built; deleted branches and tags are ignored', async () => {
  const { bare, clone } = await armedRepo();
  await commit(clone, { '.git-ci.yml': 'branches: ["*", "!tmp/*"]\njobs:\n  a:\n    run: echo a\n' });
  await push(clone);
  await git(clone, 'checkout', '-q', '-b', 'tmp/scratch');
  const scratch = await commit(clone, { 'y.txt': 'y\n' });
  await push(clone, 'tmp/scratch');
  await git(clone, 'tag', 'v1');
  const tagPush = await push(clone, 'v1');
  assert.not.match(tagPush.stderr, 'queued run');
  const del = await push(clone, ':tmp/scratch');
  assert.not.match(del.stderr, 'queued run');
  await waitForRunnerExit(bare);
  const status = await ci(bare, 'status', scratch, '--json');
  assert.is(status.code, 3, 'no run recorded for an excluded branch');
  assert.is(JSON.parse(status.stdout).state, null);
});

test('a hook that was already in place keeps running, and install twice changes nothing', async () => {
  const { dir, bare, clone } = await armedRepo();
  const hook = path.join(bare, 'hooks', 'post-receive');
  const ours = await fs.readFile(hook, 'utf8');
  // Simulate a hook from a git host installed before git-ci.
  await fs.rm(hook);
  await fs.writeFile(hook, `#!/bin/sh\nwhile read o n r; do echo "host hook saw $r"; done\n`, { mode: 0o755 });
  const first = await ci(dir, 'install', bare);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, 'post-receive.chained');
  assert.is(await fs.readFile(hook, 'utf8'), ours);
  const again = await ci(dir, 'install', bare);
  assert.match(again.stdout, 'nothing changed');
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: "true"\n' });
  const pushed = await push(clone);
  assert.match(pushed.stderr, 'host hook saw refs/heads/main');
  assert.match(pushed.stderr, 'queued run');
  assert.is((await waitForStatus(bare, sha)).state, 'passed');
});

test.run();
