// Descriptors a process inherited without close-on-exec are closed; its own are kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/sandbox/inherited-fds.js', import.meta.url));

test('closeInheritedDescriptors closes what the parent leaked and keeps node and libuv working', async () => {
  // The node process inherits descriptors 20 and 100 from a shell, as a runner may from git or ssh
  // (node itself marks the lowest few close-on-exec at start, not these).
  const script = `
    import { closeInheritedDescriptors } from ${JSON.stringify(MODULE)};
    import { readdirSync } from 'node:fs';
    import { execFileSync } from 'node:child_process';
    const closed = closeInheritedDescriptors();
    const left = readdirSync('/proc/self/fd').map(Number);
    const child = execFileSync('/bin/sh', ['-c', 'ls /proc/self/fd'], { encoding: 'utf8' }).trim().split('\\n');
    setTimeout(() => console.log(JSON.stringify({ closed, left, child })), 10);
  `;
  const proc = spawn('bash', ['-c', 'exec 20</dev/null 100</dev/null; exec "$0" --input-type=module -e "$1"', process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise((resolve) => proc.on('close', resolve));
  assert.is(code, 0);
  const r = JSON.parse(out) as { closed: number[]; left: number[]; child: string[] };
  assert.ok(r.closed.includes(20) && r.closed.includes(100), `closed ${r.closed}`);
  assert.not.ok(r.left.includes(20) || r.left.includes(100), `left ${r.left}`);
  // What the process spawns afterwards sees only its stdio (and the folder ls lists).
  assert.equal(r.child, ['0', '1', '2', '3']);
});

test.run();
