// `git ci clone` / `git ci fetch` over the transports people use: ssh:// against a real sshd on
// loopback (started by the test with its own host key and authorized key) and git:// through
// `git daemon`. file:// is covered in history.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { armedRepo, CLI, commit, git, gitEnv, push, run, tempDir, waitForStatus } from '../helpers/fixture.js';

const SSHD = '/usr/sbin/sshd';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

/** A bare repo with one passed run (and its artifacts): what the transports must carry. */
async function builtRepo() {
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  b:\n    run: echo over-the-wire > o.txt && cat o.txt\n    artifacts: [o.txt]\n' });
  await push(repo.clone);
  const status = await waitForStatus(repo.bare, sha, 60);
  assert.is(status.state, 'passed');
  return { repo, sha, run: status.run! };
}

async function assertCloneWorks(dir: string, sha: string, runId: string): Promise<void> {
  const status = JSON.parse((await run(process.execPath, [CLI, 'status', sha, '--json'], dir)).stdout);
  assert.is(status.state, 'passed');
  assert.is(status.run, runId);
  assert.match((await run(process.execPath, [CLI, 'logs', runId, 'b'], dir)).stdout, 'over-the-wire');
  assert.match(await git(dir, 'log', '-1', sha), `run=${runId} state=passed`);
}

const sshAvailable = existsSync(SSHD) && process.getuid?.() === 0;

test('over ssh:// (a real sshd on loopback): git ci clone, then git ci fetch after a new run', async () => {
  if (!sshAvailable) {
    console.log(`  skipped: needs ${SSHD} (Debian package openssh-server) and root to start it on loopback`);
    return;
  }
  const { repo, sha, run: runId } = await builtRepo();
  const keys = tempDir('sshd');
  for (const [file, type] of [['host_key', 'ed25519'], ['user_key', 'ed25519']] as const) {
    const r = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path.join(keys, file)]);
    assert.is(r.status, 0, String(r.stderr));
  }
  await fs.copyFile(path.join(keys, 'user_key.pub'), path.join(keys, 'authorized_keys'));
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(keys, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(keys, 'authorized_keys')}`,
    `PidFile ${path.join(keys, 'sshd.pid')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
  ];
  await fs.writeFile(path.join(keys, 'sshd_config'), config.join('\n') + '\n');
  mkdirSync('/run/sshd', { recursive: true });
  const sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(keys, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let sshdLog = '';
  sshd.stderr!.on('data', (b: Buffer) => (sshdLog += b.toString()));
  try {
    await waitForPort(port, sshd, 'sshd');
    const env = gitEnv({ GIT_SSH_COMMAND: `ssh -i ${path.join(keys, 'user_key')} -p ${port} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR` });
    const dir = path.join(tempDir('ssh-clone'), 'app');
    const cloned = await run(process.execPath, [CLI, 'clone', '-q', `ssh://root@127.0.0.1:${port}${repo.bare}`, dir], '/', env);
    assert.is(cloned.code, 0, `${cloned.stdout}${cloned.stderr}\nsshd: ${sshdLog}`);
    assert.match(cloned.stdout, 'notes on 1 commit(s), 1 run record(s), 1 artifact set(s)');
    await assertCloneWorks(dir, sha, runId);

    const next = await commit(repo.clone, { 'n.txt': 'n\n' });
    await push(repo.clone);
    const nextRun = (await waitForStatus(repo.bare, next, 60)).run!;
    const fetched = await run(process.execPath, [CLI, 'fetch', '-q'], dir, env);
    assert.is(fetched.code, 0, fetched.stdout + fetched.stderr);
    assert.match(fetched.stdout, 'notes on 2 commit(s), 2 run record(s)');
    await assertCloneWorks(dir, next, nextRun);
  } finally {
    sshd.kill('SIGTERM');
  }
});

test('through git daemon (git://): git ci clone brings the CI history; temporary note refs stay hidden', async () => {
  const { repo, sha, run: runId } = await builtRepo();
  // A leftover temporary ref of a notes writer must not reach clients.
  await git(repo.bare, 'update-ref', 'refs/notes/ci-tmp/1-1', sha);
  const port = await freePort();
  const base = path.dirname(repo.bare);
  const daemon = spawn('git', ['daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${base}`, '--export-all', base], { stdio: 'ignore', env: gitEnv() });
  try {
    await waitForPort(port, daemon, 'git daemon');
    const url = `git://127.0.0.1:${port}/${path.basename(repo.bare)}`;
    const advertised = await run('git', ['ls-remote', url], '/');
    assert.is(advertised.code, 0, advertised.stderr);
    assert.match(advertised.stdout, 'refs/notes/ci\n');
    assert.not.match(advertised.stdout, 'ci-tmp');
    const dir = path.join(tempDir('daemon-clone'), 'app');
    const cloned = await run(process.execPath, [CLI, 'clone', '-q', url, dir], '/');
    assert.is(cloned.code, 0, cloned.stdout + cloned.stderr);
    await assertCloneWorks(dir, sha, runId);
  } finally {
    daemon.kill('SIGTERM');
  }
});

test.run();
