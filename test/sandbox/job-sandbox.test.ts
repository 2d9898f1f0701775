// A job's sandbox starts its namespace tool by the absolute path the probe found (a bare name
// made the kernel try every PATH entry first: 5 failed execve here before /usr/bin/bwrap), and
// is prepared while the job's checkout still writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_UID_BASE, probeSandbox } from '../../src/sandbox/probe.js';
import { JobSandbox } from '../../src/sandbox/job-sandbox.js';
import { unshareArgv } from '../../src/sandbox/layers.js';
import { Git } from '../../src/store/git.js';
import { checkOut, makeWorkspace, planPlainCheckout, removeWorkspace } from '../../src/runner/workspace.js';
import { git as gitIn, tempDir } from '../helpers/fixture.js';

const caps = await probeSandbox();
const withNamespaces = caps.namespaces.ok ? test : test.skip;
const LIMITS = { memory: 256 * 1024 * 1024, procs: 64, cpuSeconds: 60, filesize: 1024 * 1024, nofile: 256 };
if (!caps.namespaces.ok) console.log(`  job-sandbox tests: no namespaces here (${caps.namespaces.detail}); skipped`);

test('unshareArgv runs setpriv by the path it is given, else by name', () => {
  assert.is(unshareArgv('/usr/bin/unshare', { network: false, root: true, setpriv: '/usr/bin/setpriv' })[0], '/usr/bin/setpriv');
  assert.is(unshareArgv('unshare', { network: false, root: true })[0], 'setpriv');
});

withNamespaces('the probe gives the namespace tool by its absolute path, and jobs start it by that path', async () => {
  assert.ok(caps.namespaces.bin && path.isAbsolute(caps.namespaces.bin), String(caps.namespaces.bin));
  if (caps.namespaces.tool === 'unshare') assert.ok(caps.namespaces.setpriv && path.isAbsolute(caps.namespaces.setpriv));
  const root = mkdtempSync(path.join(os.tmpdir(), 'git-ci-sandbox-test-'));
  const sandbox = await JobSandbox.prepare({
    mode: 'auto',
    caps,
    runnerDir: `test-${process.pid}`,
    name: 'abs-path',
    root,
    cwd: root,
    network: false,
    limits: LIMITS,
    uid: undefined,
  });
  try {
    const child = sandbox.spawn('echo ran', ['job'], { cwd: root, env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.is(child.spawnfile, caps.namespaces.tool === 'unshare' ? caps.namespaces.setpriv : caps.namespaces.bin);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    assert.is(code, 0, out);
    assert.is(out.trim(), 'ran');
  } finally {
    await sandbox.destroy();
    await fs.rm(root, { recursive: true, force: true });
    if (caps.cgroup.support) {
      for (const base of Object.values(caps.cgroup.support.bases)) await fs.rmdir(path.join(base, 'git-ci', `test-${process.pid}`)).catch(() => undefined);
    }
  }
});

const withUid = caps.uid.ok ? test : test.skip;

withUid('a sandbox prepared while a checkout through git still runs gets every file at handOver', async () => {
  const repo = tempDir('sandbox-race');
  await gitIn(repo, 'init', '-q');
  await fs.writeFile(path.join(repo, '.gitattributes'), '*.txt text\n');
  for (let i = 0; i < 60; i++) await fs.writeFile(path.join(repo, `f${i}.txt`), `${i}\n`);
  await gitIn(repo, 'add', '-A');
  await gitIn(repo, 'commit', '-q', '-m', 'c');
  const commit = await gitIn(repo, 'rev-parse', 'HEAD');
  const git = new Git(path.join(repo, '.git'));
  assert.is(await planPlainCheckout(git, commit), undefined, 'goes through git');
  for (let round = 0; round < 5; round++) {
    const ws = await makeWorkspace('test-race');
    const checkedOut = checkOut(git, ws, commit);
    try {
      const sandbox = await JobSandbox.prepare({ mode: 'auto', caps, runnerDir: `test-${process.pid}`, name: `race-${round}`, root: ws.root, cwd: ws.dir, network: false, limits: LIMITS, uid: DEFAULT_UID_BASE });
      await checkedOut;
      await sandbox.handOver();
      assert.is((await fs.lstat(path.join(ws.dir, 'f59.txt'))).uid, DEFAULT_UID_BASE);
      await sandbox.destroy();
    } finally {
      await checkedOut.catch(() => undefined);
      await removeWorkspace(ws);
    }
  }
  if (caps.cgroup.support) {
    for (const base of Object.values(caps.cgroup.support.bases)) await fs.rmdir(path.join(base, 'git-ci', `test-${process.pid}`)).catch(() => undefined);
  }
});

test.run();
