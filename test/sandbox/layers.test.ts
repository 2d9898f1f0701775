// The shell lines of the sandbox layers, run by the real /bin/sh: the rlimits the kernel applied
// are read back from /proc/self/limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { probeSandbox } from '../../src/sandbox/probe.js';
import { joinCgroupScript, ulimitScript, type ShellUlimits } from '../../src/sandbox/layers.js';

const caps = await probeSandbox();
const shell = caps.rlimits.shell;
const needsShell = shell ? test : test.skip;
if (!shell) console.log(`  layers tests: /bin/sh's ulimit is not usable here (${caps.rlimits.detail}); skipped`);

/** Runs a script in /bin/sh and returns the soft and hard values of one line of /proc/self/limits. */
function limitsAfter(script: string): Record<string, [string, string]> {
  const r = spawnSync('/bin/sh', ['-c', `${script}cat /proc/self/limits`], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const out: Record<string, [string, string]> = {};
  for (const line of r.stdout.split('\n').slice(1)) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (m) out[m[1]!] = [m[2]!, m[3]!];
  }
  return out;
}

needsShell('ulimitScript sets each rlimit, soft and hard, in the kernel units the job asked for', () => {
  const limits = limitsAfter(ulimitScript(shell!, { cpu: 100, filesize: 1024 * 1024, nofile: 100, nproc: 500, data: 1024 * 1024 * 1024 }));
  assert.equal(limits['Max cpu time'], ['100', '101'], 'hard CPU limit one second above soft');
  assert.equal(limits['Max file size'], ['1048576', '1048576']);
  assert.equal(limits['Max open files'], ['100', '100']);
  assert.equal(limits['Max processes'], ['500', '500']);
  assert.equal(limits['Max data size'], ['1073741824', '1073741824']);
});

needsShell('ulimitScript rounds a size down to the unit of the shell', () => {
  const unit = shell!.filesize.unit;
  const limits = limitsAfter(ulimitScript(shell!, { filesize: 3 * unit + 7 }));
  assert.equal(limits['Max file size'], [String(3 * unit), String(3 * unit)]);
});

needsShell('ulimitScript leaves unset limits alone and says when it cannot set one', () => {
  assert.is(ulimitScript(shell!, {}), '');
  // A made-up flag stands for a shell whose ulimit refuses: the job must not start unlimited.
  const broken: ShellUlimits = { ...shell!, nofile: { flag: 'Q', unit: 1 } };
  const r = spawnSync('/bin/sh', ['-c', `${ulimitScript(broken, { nofile: 64 })}echo ran`], { encoding: 'utf8' });
  assert.is(r.status, 125);
  assert.match(r.stderr, "git-ci: could not set the job's rlimits");
  assert.not.match(r.stdout, 'ran');
});

test('joinCgroupScript writes to each inherited descriptor, closes them, and refuses past fd 9', () => {
  assert.is(joinCgroupScript(0), '');
  const script = joinCgroupScript(2);
  assert.match(script, 'echo 0 >&3 && echo 0 >&4');
  assert.match(script, 'exec 3>&- 4>&-');
  // Without the descriptors the join fails, and the shell stops before the job.
  const r = spawnSync('/bin/sh', ['-c', `${script}echo ran`], { encoding: 'utf8' });
  assert.is(r.status, 125);
  assert.match(r.stderr, "git-ci: could not join the job's cgroup");
  assert.throws(() => joinCgroupScript(8), /0-9/);
});

test.run();
