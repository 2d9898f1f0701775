// End to end: the reading commands, live logs, the job environment, concurrency slots, signals,
// and reading results from a clone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { armedRepo, ci, commit, git, gitEnv, push, run, waitForStatus, waitForRunnerExit, processesMatching, uniqueSleep, waitForProcess, signalRunner, CLI } from '../helpers/fixture.js';

test('the runner environment does not leak into jobs; jobs get CI variables and a private HOME', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  env:\n    run: env | sort\n    env: { MINE: "1" }\n' });
  // The pusher's environment reaches the hook and the runner; it must not reach the job.
  const r = await run('git', ['push', 'origin', 'HEAD:refs/heads/main'], clone, gitEnv({ LEAKY_SECRET: 'hunter2' }));
  assert.is(r.code, 0, r.stderr);
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'passed');
  const log = (await ci(bare, 'logs', sha, 'env')).stdout;
  assert.not.match(log, 'hunter2');
  assert.not.match(log, 'GIT_DIR=');
  assert.match(log, 'CI=true');
  assert.match(log, `GIT_CI_RUN=${status.run}`);
  assert.match(log, 'GIT_CI_JOB=env');
  assert.match(log, `GIT_CI_COMMIT=${sha}`);
  assert.match(log, 'GIT_CI_BRANCH=main');
  assert.match(log, 'MINE=1');
  const home = /^HOME=(.*)$/m.exec(log)![1]!;
  assert.ok(home.startsWith(os.tmpdir()), `HOME is a temporary folder: ${home}`);
  await fs.access(home).then(
    () => assert.unreachable('the workspace is removed after the job'),
    () => undefined,
  );
});

test('ci.concurrency caps how many jobs run at once', async () => {
  const { bare, clone } = await armedRepo({ 'ci.concurrency': '2' });
  const jobs = ['a', 'b', 'c', 'd'].map((n) => `  ${n}:\n    run: sleep 0.6\n`).join('');
  const sha = await commit(clone, { '.git-ci.yml': `jobs:\n${jobs}` });
  await push(clone);
  await waitForStatus(bare, sha);
  const record = JSON.parse((await ci(bare, 'show', sha, '--json')).stdout);
  const spans = record.jobs.map((j: { startedAt: string; finishedAt: string }) => [Date.parse(j.startedAt), Date.parse(j.finishedAt)]);
  let most = 0;
  for (const [s] of spans) most = Math.max(most, spans.filter(([s2, e2]: number[]) => s2! <= s && s < e2!).length);
  assert.is(most, 2, 'two jobs ran side by side, never three');
});

test('git ci logs --follow streams a running job and ends with it', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  tick:\n    run: for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.3; done\n' });
  await push(clone);
  const follower = spawn(process.execPath, [CLI, 'logs', sha, 'tick', '--follow'], { cwd: bare, env: gitEnv() });
  let out = '';
  const seenAt: number[] = [];
  follower.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    seenAt.push(Date.now());
  });
  let err = '';
  follower.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve) => follower.on('exit', resolve));
  assert.is(code, 0, err);
  for (let i = 1; i <= 5; i++) assert.match(out, `tick ${i}`);
  assert.match(out, 'git-ci: passed');
  assert.ok(seenAt.at(-1)! - seenAt[0]! > 500, 'output arrived while the job ran, not all at the end');
  assert.is((out.match(/tick 1/g) ?? []).length, 1, 'no line printed twice');
});

test('git ci logs --follow of a log that hits its cap ends with the marker and the tail', async () => {
  const { bare, clone } = await armedRepo({ 'ci.maxLogBytes': '64K' });
  const sha = await commit(clone, {
    '.git-ci.yml': "jobs:\n  loud:\n    run: 'for i in $(seq 1 40); do head -c 8000 /dev/zero | tr \"\\\\0\" a; echo \" line $i\"; sleep 0.05; done'\n",
  });
  await push(clone);
  const follower = spawn(process.execPath, [CLI, 'logs', sha, 'loud', '--follow'], { cwd: bare, env: gitEnv() });
  let out = '';
  follower.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => follower.on('exit', resolve));
  assert.is(code, 0);
  assert.match(out, /log capped at 64 KiB \(ci.maxLogBytes\): \d+ bytes of output dropped here/);
  assert.match(out, / line 40\n\ngit-ci: passed after \S+\n$/, 'ends with the last line and the trailer');
  assert.ok(out.length < 200_000, `printed ${out.length} bytes, not the whole 320 kB`);
});

test('status --wait --timeout gives up with exit 2 while a run is still running', async () => {
  const { bare, clone } = await armedRepo();
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  slow:\n    run: sleep 3\n' });
  await push(clone);
  const r = await ci(bare, 'status', sha, '--wait', '--timeout', '0.5', '--json');
  assert.is(r.code, 2);
  assert.ok(['queued', 'running'].includes(JSON.parse(r.stdout).state));
  assert.is((await waitForStatus(bare, sha)).state, 'passed');
});

test('SIGTERM to the runner kills running jobs and records the run as canceled', async () => {
  const { bare, clone } = await armedRepo({ 'ci.killGrace': '1s' });
  const marker = uniqueSleep();
  const sha = await commit(clone, { '.git-ci.yml': `jobs:\n  slow:\n    run: sleep ${marker}\n  after:\n    needs: [slow]\n    run: "true"\n` });
  await push(clone);
  await waitForProcess(`sleep ${marker}`);
  await signalRunner(bare, 'SIGTERM');
  const status = await waitForStatus(bare, sha);
  assert.is(status.state, 'canceled');
  assert.equal(status.jobs.map((j) => j.state), ['canceled', 'canceled']);
  assert.equal(processesMatching(`sleep ${marker}`), []);
  await waitForRunnerExit(bare);
});

test('git ci log lists commits with their state; a clone with the CI refs reads everything offline', async () => {
  const { dir, bare, clone } = await armedRepo();
  const good = await commit(clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: test ! -e broken\n' }, 'good commit');
  await push(clone);
  await waitForStatus(bare, good);
  const bad = await commit(clone, { broken: 'x' }, 'bad commit');
  await push(clone);
  await waitForStatus(bare, bad);
  const log = await ci(bare, 'log', 'main');
  assert.match(log.stdout, new RegExp(`${bad.slice(0, 7)} failed .*bad commit`));
  assert.match(log.stdout, new RegExp(`${good.slice(0, 7)} passed .*good commit`));
  const json = JSON.parse((await ci(bare, 'log', '-n', '1', '--json')).stdout);
  assert.equal([json.length, json[0].commit, json[0].state], [1, bad, 'failed']);

  const reader = path.join(dir, 'reader');
  await git(dir, 'clone', '-q', bare, reader);
  await git(reader, 'fetch', '-q', 'origin', '+refs/notes/ci:refs/notes/ci', '+refs/ci/*:refs/ci/*');
  await fs.rm(bare, { recursive: true });
  const status = await ci(reader, 'status', 'HEAD', '--json');
  assert.is(status.code, 1);
  assert.is(JSON.parse(status.stdout).state, 'failed');
  assert.match((await ci(reader, 'log')).stdout, /passed .*good commit/);
  assert.match((await ci(reader, 'show', 'HEAD~1')).stdout, /t\s+passed/);
  assert.match((await ci(reader, 'logs', 'HEAD', 't')).stdout, 'exit code 1');
  assert.match(await git(reader, 'log', '--notes=ci', '-1', '--format=%N'), 'state=failed');
});

test('tags build when ci.tags is set; a failing hook step warns and never fails the push', async () => {
  const { bare, clone } = await armedRepo({ 'ci.tags': 'true' });
  const sha = await commit(clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: echo "ref $GIT_CI_REF"\n' });
  await git(clone, 'tag', 'v1.0');
  const pushed = await push(clone, 'refs/tags/v1.0');
  assert.match(pushed.stderr, /queued run \w+ for v1.0/);
  assert.is((await waitForStatus(bare, sha)).branch, 'v1.0');
  await waitForRunnerExit(bare);
  await fs.rm(path.join(bare, 'ci', 'queue'), { recursive: true });
  await commit(clone, { x: '1' });
  const r = await run('git', ['push', 'origin', 'HEAD:refs/heads/main'], clone);
  assert.is(r.code, 0, 'the push still succeeds');
  assert.match(r.stderr, 'git-ci: warning: could not queue a run for refs/heads/main');
});

test('unknown commands, revisions and runs get clear errors', async () => {
  const { bare } = await armedRepo();
  const a = await ci(bare, 'stauts');
  assert.is(a.code, 129);
  assert.match(a.stderr, 'Did you mean status');
  const b = await ci(bare, 'status', 'nosuchbranch');
  assert.is(b.code, 128);
  assert.match(b.stderr, 'unknown revision: nosuchbranch');
  const c = await ci(bare, 'show', '01JF8Z5X1Q3W7V2N6M4K8H0G9R');
  assert.match(c.stderr, 'no run 01JF8Z5X1Q3W7V2N6M4K8H0G9R');
  const d = await ci(os.tmpdir(), 'status');
  assert.match(d.stderr, 'not a git repository');
  const e = await ci(bare, 'install', path.join(os.tmpdir(), 'definitely-not-here.git'));
  assert.match(e.stderr, 'pass --init to create');
});

test.run();
