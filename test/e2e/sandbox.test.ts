// Adversarial jobs pushed to a real armed repository: each ends failed or contained, the runner
// stays healthy, a later run is unaffected, and no process or cgroup of the job is left.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { armedRepo, ci, commit, push, waitForStatus, processesMatching, uniqueSleep, waitForProcess, signalRunner, type Armed } from '../helpers/fixture.js';
import { probeSandbox, type SandboxCapabilities } from '../../src/sandbox/probe.js';
import { findCgroupSupport } from '../../src/sandbox/cgroup.js';

const caps: SandboxCapabilities = await probeSandbox();
for (const [layer, probe] of Object.entries(caps)) {
  if (!probe.ok) console.log(`  sandbox tests: the ${layer} layer is missing here (${probe.detail}); the cases that need it are skipped`);
}
const needs = (...layers: (keyof SandboxCapabilities)[]) => (layers.every((l) => caps[l].ok) ? test : test.skip);
const bwrap = caps.namespaces.tool === 'bwrap';

interface JobJson {
  name: string;
  state: string;
  reason: string | null;
  exitCode: number | null;
  timedOut: boolean;
  sandbox?: string[];
  usage?: { cpuSeconds: number | null; peakMemoryBytes: number | null; peakPids: number | null };
  limitHit?: string | null;
  logBytes?: number;
  logCapped?: boolean;
}

async function runJob(repo: Armed, pipeline: string): Promise<{ run: string; state: string; jobs: JobJson[] }> {
  const sha = await commit(repo.clone, { '.git-ci.yml': pipeline });
  await push(repo.clone);
  const status = await waitForStatus(repo.bare, sha, 120);
  const record = JSON.parse((await ci(repo.bare, 'show', sha, '--json')).stdout);
  return { run: status.run!, state: status.state!, jobs: record.jobs };
}

/** Every cgroup folder of a run that still exists. */
async function cgroupsOf(run: string): Promise<string[]> {
  const support = findCgroupSupport();
  if (!support) return [];
  const left: string[] = [];
  for (const base of Object.values(support.bases)) {
    const root = path.join(base, 'git-ci');
    for (const runner of await fs.readdir(root).catch(() => [])) {
      for (const job of await fs.readdir(path.join(root, runner)).catch(() => [])) if (job.startsWith(run)) left.push(path.join(root, runner, job));
    }
  }
  return left;
}

/** The job is over and so is everything it started; the runner still builds the next commit. */
async function assertContained(repo: Armed, run: string, marker?: string): Promise<void> {
  if (marker) assert.equal(processesMatching(marker), [], `no process of the job is left (${marker})`);
  assert.equal(await cgroupsOf(run), [], 'no cgroup of the job is left');
  const next = await runJob(repo, 'jobs:\n  ok:\n    run: echo still fine\n');
  assert.is(next.state, 'passed', 'a later run is unaffected');
}

needs('cgroup')('a fork bomb is bounded by the procs limit', async () => {
  const repo = await armedRepo();
  const r = await runJob(repo, `jobs:\n  bomb:\n    limits: { procs: 64 }\n    run: 'f() { f | f & }; f; sleep 3; exit 1'\n`);
  const job = r.jobs[0]!;
  assert.is(job.state, 'failed', JSON.stringify(job));
  assert.ok((job.usage?.peakPids ?? 0) <= 64, `peak processes ${job.usage?.peakPids} stayed within 64`);
  assert.is(job.limitHit, 'procs', JSON.stringify(job));
  assert.match(job.reason!, 'procs limit 64 reached');
  await assertContained(repo, r.run);
});

needs('cgroup')('a memory hog is OOM-killed at its memory limit, and says so', async () => {
  const repo = await armedRepo();
  const r = await runJob(repo, `jobs:\n  hog:\n    limits: { memory: 64M }\n    run: dd if=/dev/zero of=/dev/null bs=256M count=1\n`);
  const job = r.jobs[0]!;
  assert.is(job.state, 'failed');
  assert.is(job.limitHit, 'memory');
  assert.is(job.reason, 'memory limit 64 MiB exceeded, OOM-killed');
  const note = (await ci(repo.bare, 'status', r.run)).stdout;
  assert.match(note, 'failed');
  assert.match((await ci(repo.bare, 'logs', r.run, 'hog')).stdout, 'memory limit 64 MiB exceeded, OOM-killed');
  await assertContained(repo, r.run);
});

needs('rlimits')('a CPU spin is stopped at its cpu limit', async () => {
  const repo = await armedRepo();
  const r = await runJob(repo, `jobs:\n  spin:\n    limits: { cpu: 1s }\n    run: 'while :; do :; done'\n`);
  const job = r.jobs[0]!;
  assert.is(job.state, 'failed');
  assert.is(job.limitHit, 'cpu');
  assert.match(job.reason!, 'cpu limit 1.0s exceeded');
  await assertContained(repo, r.run);
});

test('sleep infinity past the timeout is killed, with everything it started', async () => {
  const repo = await armedRepo({ 'ci.killGrace': '1s' });
  const marker = uniqueSleep();
  const r = await runJob(repo, `jobs:\n  hang:\n    timeout: 2s\n    run: (sleep ${marker} &); sleep infinity\n`);
  const job = r.jobs[0]!;
  assert.is(job.state, 'failed');
  assert.is(job.timedOut, true);
  assert.is(job.limitHit, 'timeout');
  await assertContained(repo, r.run, `sleep ${marker}`);
});

test('a timeout sends SIGTERM first: a job that traps it cleans up within the grace period, and no later command runs', async () => {
  const repo = await armedRepo({ 'ci.killGrace': '20s' });
  const r = await runJob(repo, `jobs:\n  polite:\n    timeout: 2s\n    run:\n      - trap 'echo cleaning up; exit 3' TERM; sleep 60 & wait\n      - echo the next command ran\n`);
  const job = r.jobs[0]! as JobJson & { durationMs: number };
  assert.is(job.state, 'failed');
  assert.is(job.timedOut, true);
  assert.ok(job.durationMs < 15_000, `ended when the job exited (${job.durationMs} ms), not when the 20s grace ran out`);
  const log = (await ci(repo.bare, 'logs', r.run, 'polite')).stdout;
  assert.match(log, 'cleaning up');
  assert.not.match(log, 'the next command ran');
  await assertContained(repo, r.run);
});

test('a job inherits no descriptor but stdin, stdout and stderr (none of the cgroup files it joined through, none the runner inherited)', async () => {
  const repo = await armedRepo();
  const r = await runJob(repo, 'jobs:\n  fds:\n    run: ls /proc/self/fd\n');
  assert.is(r.state, 'passed');
  const log = (await ci(repo.bare, 'logs', r.run, 'fds')).stdout;
  // ls itself holds one more: the folder it lists, as the lowest free descriptor.
  const listed = log.split('\n').filter((l) => /^\d+$/.test(l));
  assert.equal(listed, ['0', '1', '2', '3'], log);
});

needs('cgroup')('a grandchild that calls setsid and double-forks does not escape', async () => {
  const repo = await armedRepo();
  const marker = uniqueSleep();
  const r = await runJob(repo, `jobs:\n  escape:\n    run: setsid sh -c '(sleep ${marker} >/dev/null 2>&1 &)'; sleep 0.5; echo escaped\n`);
  assert.is(r.state, 'passed');
  await assertContained(repo, r.run, `sleep ${marker}`);
});

test('a daemon left behind by a job that exits 0 dies with the job', async () => {
  const repo = await armedRepo();
  const marker = uniqueSleep();
  const r = await runJob(repo, `jobs:\n  daemon:\n    run: nohup sleep ${marker} >/dev/null 2>&1 &\n`);
  assert.is(r.state, 'passed');
  await assertContained(repo, r.run, `sleep ${marker}`);
});

test('1 GiB written to stdout: the log is capped and the runner stays flat', async () => {
  const repo = await armedRepo({ 'ci.maxLogBytes': '1M' });
  const sha = await commit(repo.clone, { '.git-ci.yml': `jobs:\n  flood:\n    run: yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1073741824\n` });
  await push(repo.clone);
  await waitForProcess('head -c 1073741824');
  const pid = Number(readFileSync(path.join(repo.bare, 'ci', 'runner.pid'), 'utf8').split(' ')[0]);
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rss());
    } catch {
      // the runner exited
    }
  }, 50);
  const status = await waitForStatus(repo.bare, sha, 300);
  clearInterval(sampler);
  console.log(`  1 GiB of output: runner RSS ${before.toFixed(1)} MiB at the start of the job, peak ${peak.toFixed(1)} MiB`);
  assert.is(status.state, 'passed');
  assert.ok(peak - before < 64, `runner RSS grew ${(peak - before).toFixed(1)} MiB`);
  const record = JSON.parse((await ci(repo.bare, 'show', sha, '--json')).stdout);
  assert.is(record.jobs[0].logCapped, true);
  assert.is(record.jobs[0].logBytes, 1073741824 + '$ yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1073741824\n'.length);
  const log = (await ci(repo.bare, 'logs', sha, 'flood')).stdout;
  assert.ok(log.length < 1.1 * 1024 * 1024, `stored log is ${log.length} bytes`);
  assert.match(log, /log capped at 1 MiB \(ci.maxLogBytes\): \d+ bytes of output dropped here/);
  assert.match(log, 'git-ci: passed');
  await assertContained(repo, status.run!);
});

needs('namespaces')('network: false cannot reach a server on the host loopback; network: true can', async () => {
  const server = net.createServer((s) => s.end('hello from the host\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const repo = await armedRepo();
    const probe = `node -e "require('net').connect(${port},'127.0.0.1').on('data',d=>{process.stdout.write('GOT '+d);process.exit(0)}).on('error',e=>{console.log('BLOCKED '+e.code);process.exit(1)})"`;
    const r = await runJob(repo, `jobs:\n  closed:\n    run: ${JSON.stringify(probe)}\n  open:\n    network: true\n    run: ${JSON.stringify(probe)}\n`);
    const closed = (await ci(repo.bare, 'logs', r.run, 'closed')).stdout;
    const open = (await ci(repo.bare, 'logs', r.run, 'open')).stdout;
    assert.match(closed, 'BLOCKED');
    assert.not.match(closed, 'hello from the host');
    assert.match(open, 'GOT hello from the host');
    await assertContained(repo, r.run);
  } finally {
    server.close();
  }
});

(bwrap ? test : test.skip)('a job cannot write the repository, read the runner config, see other jobs or write outside its workspace', async () => {
  const repo = await armedRepo();
  const tries = [
    `echo forged > ${repo.bare}/refs/heads/forged && echo WROTE''-REPO || echo no-repo-write`,
    `cat ${repo.bare}/config && echo READ''-CONFIG || echo no-config-read`,
    `ls ${path.dirname(repo.bare)} && echo SAW''-HOST-DIR || echo no-host-dir`,
    `touch /usr/forged /etc/forged /forged 2>/dev/null && echo WROTE''-SYSTEM || echo no-system-write`,
    `echo x > /tmp/git-ci-forged-${process.pid} && echo private-tmp-write`,
    `n=$(ls -d /tmp/git-ci-*-one-* /tmp/git-ci-*-two-* 2>/dev/null | wc -l); echo "workspaces visible: $n"`,
    `cat /etc/shadow >/dev/null 2>&1 && echo READ''-SHADOW || echo no-shadow`,
  ];
  const job = (name: string) => `  ${name}:\n    run:\n${tries.map((t) => `      - ${JSON.stringify(t)}`).join('\n')}\n      - sleep 1\n`;
  const r = await runJob(repo, `jobs:\n${job('one')}${job('two')}`);
  for (const name of ['one', 'two']) {
    const log = (await ci(repo.bare, 'logs', r.run, name)).stdout;
    for (const bad of ['WROTE-REPO', 'READ-CONFIG', 'SAW-HOST-DIR', 'WROTE-SYSTEM', 'READ-SHADOW']) assert.not.match(log, bad, `${name}: ${bad}`);
    assert.match(log, 'workspaces visible: 1');
    assert.match(log, 'private-tmp-write');
  }
  await fs.access(path.join(repo.bare, 'refs', 'heads', 'forged')).then(
    () => assert.unreachable('the repository was written'),
    () => undefined,
  );
  await fs.access(`/tmp/git-ci-forged-${process.pid}`).then(
    () => assert.unreachable("the job's /tmp is the host's"),
    () => undefined,
  );
  await assertContained(repo, r.run);
});

test('the runner SIGKILLed while jobs run: no job process survives it', async () => {
  const repo = await armedRepo();
  const marker = uniqueSleep();
  const sha = await commit(repo.clone, {
    '.git-ci.yml': `jobs:\n  a:\n    run: if [ "$GIT_CI_ATTEMPT" = 2 ]; then echo recovered; else (setsid sleep ${marker} &); sleep ${marker}; fi\n`,
  });
  await push(repo.clone);
  await waitForProcess(`sleep ${marker}`);
  await signalRunner(repo.bare, 'SIGKILL');
  const deadline = Date.now() + 5000;
  while (processesMatching(`sleep ${marker}`).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(processesMatching(`sleep ${marker}`), [], 'the job died with its runner');
  // The next runner (started by status --wait) recovers the run and cleans its cgroups.
  const status = await waitForStatus(repo.bare, sha, 120);
  assert.is(status.state, 'passed', 'the recovered run ran again');
  assert.equal(await cgroupsOf(status.run!), [], "the dead runner's job cgroups were removed");
});

needs('cgroup')('ci.sandbox=strict refuses to run jobs when a layer is missing; off runs them bare', async () => {
  // An impossible uid makes the uid layer fail its probe.
  const strict = await armedRepo({ 'ci.sandbox': 'strict', 'ci.sandbox.uidBase': '4294967295' });
  const r = await runJob(strict, 'jobs:\n  a:\n    run: echo ran\n');
  assert.is(r.state, 'error');
  const text = (await ci(strict.bare, 'status', r.run)).stdout;
  assert.match(text, 'ci.sandbox is strict and a sandbox layer is missing: uid:');
  const off = await armedRepo({ 'ci.sandbox': 'off' });
  const o = await runJob(off, "jobs:\n  a:\n    run: 'sleep 0.5 & i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; wait'\n");
  assert.is(o.state, 'passed');
  assert.equal(o.jobs[0]!.sandbox, []);
  // Without a cgroup, usage is sampled from /proc.
  assert.ok((o.jobs[0]!.usage?.peakPids ?? 0) >= 2, JSON.stringify(o.jobs[0]!.usage));
  assert.ok((o.jobs[0]!.usage?.cpuSeconds ?? 0) > 0.05, JSON.stringify(o.jobs[0]!.usage));
  assert.ok((o.jobs[0]!.usage?.peakMemoryBytes ?? 0) > 0);
});

needs('cgroup')('host-wide slots: three repositories pushing at once never run more than ci.hostConcurrency jobs', async () => {
  const repos = await Promise.all([0, 1, 2].map(() => armedRepo({ 'ci.hostConcurrency': '2', 'ci.concurrency': '2' })));
  const pipeline = 'jobs:\n  a:\n    run: sleep 0.7\n  b:\n    run: sleep 0.7\n';
  const shas = await Promise.all(repos.map((r) => commit(r.clone, { '.git-ci.yml': pipeline })));
  await Promise.all(repos.map((r) => push(r.clone)));
  const spans: [number, number][] = [];
  for (const [i, r] of repos.entries()) {
    await waitForStatus(r.bare, shas[i]!, 120);
    const record = JSON.parse((await ci(r.bare, 'show', shas[i]!, '--json')).stdout);
    for (const j of record.jobs) spans.push([Date.parse(j.startedAt), Date.parse(j.finishedAt)]);
  }
  let most = 0;
  for (const [s] of spans) most = Math.max(most, spans.filter(([s2, e2]) => s2 <= s && s < e2).length);
  assert.is(most, 2, `at most 2 jobs ran at once across the 3 repositories (saw ${most})`);
});

test('a job asking for more than the server allows gets a clear error', async () => {
  const repo = await armedRepo({ 'ci.limits.memory': '100M' });
  const sha = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  big:\n    limits: { memory: 1G }\n    run: "true"\n' });
  await push(repo.clone);
  const status = await waitForStatus(repo.bare, sha);
  assert.is(status.state, 'error');
  const text = (await ci(repo.bare, 'status', sha)).stdout;
  assert.match(text, "jobs.big.limits.memory: 1 GiB is above this server's maximum of 100 MiB (git config ci.limits.memory)");
});

test.run();
