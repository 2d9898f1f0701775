// Push overhead: commit+push cycles to a plain bare repo, one with an empty `exit 0` hook (the
// floor any hook costs) and an armed one, alternating in one run. Builds run between rounds,
// never during the timed pushes. Prints median times and ratios.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, run, tempDir, waitForStatus } from '../test/helpers/fixture.js';
import { fmtMs, median, printTable, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

async function plainRepo(dir: string, name: string, hook?: string): Promise<string> {
  const bare = path.join(dir, `${name}.git`);
  await git(dir, 'init', '-q', '--bare', bare);
  if (hook) await fs.writeFile(path.join(bare, 'hooks', 'post-receive'), hook, { mode: 0o755 });
  const clone = path.join(dir, `${name}-work`);
  await git(dir, 'clone', '-q', bare, clone);
  await git(clone, 'checkout', '-q', '-b', 'main');
  return clone;
}

export async function benchPushOverhead(): Promise<void> {
  const dir = tempDir('bench-push');
  const plain = await plainRepo(dir, 'plain');
  const empty = await plainRepo(dir, 'empty-hook', '#!/bin/sh\nexit 0\n');
  const armed = await armedRepo({ 'ci.runnerIdle': '30s' });
  await commit(armed.clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: "true"\n' });
  await run('git', ['push', '-q', 'origin', 'HEAD:main'], armed.clone);
  await waitForStatus(armed.bare, 'main');
  const times: Record<string, number[]> = { plain: [], empty: [], armed: [] };
  const pushTimed = async (clone: string, i: number) => {
    await commit(clone, { 'n.txt': `${i}\n` }, `round ${i}`);
    return timeIt(() => run('git', ['push', '-q', 'origin', 'HEAD:main'], clone));
  };
  for (let i = 0; i < ROUNDS; i++) {
    const order: [string, string][] = [['plain', plain], ['empty', empty], ['armed', armed.clone]];
    if (i % 2) order.reverse();
    for (const [name, clone] of order) times[name]!.push(await pushTimed(clone, i));
    // Let the run finish before the next timed round, so its CPU does not skew the pushes.
    await waitForStatus(armed.bare, 'main');
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  printTable(`push overhead (${ROUNDS} rounds, git push timed alone, median)`, [
    ['plain bare repo', fmtMs(m.plain!)],
    ['empty exit-0 hook', fmtMs(m.empty!)],
    ['armed with git-ci', fmtMs(m.armed!)],
    ['armed / plain', `${(m.armed! / m.plain!).toFixed(3)}x  (goal <= 1.15)`],
    ['armed / empty hook', `${(m.armed! / m.empty!).toFixed(3)}x`],
  ]);
  await ci(armed.bare, 'status');
}
