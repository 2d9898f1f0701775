// Per-job overhead: 100 jobs of `true` in one pipeline, against the bare minimum of the same
// work done by a shell loop (check the commit out into a fresh folder, spawn the command,
// remove the folder) at the same concurrency. Prints the ratio of medians.
import os from 'node:os';
import { armedRepo, ci, commit, git, run, tempDir, waitForStatus } from '../test/helpers/fixture.js';
import { fmtMs, median, printTable, timeIt } from './lib.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS_JOBS ?? 3);

export async function benchJobOverhead(): Promise<void> {
  const slots = os.availableParallelism();
  const repo = await armedRepo({ 'ci.concurrency': String(slots), 'ci.runnerIdle': '60s' });
  const files: Record<string, string> = {};
  for (let i = 0; i < 50; i++) files[`src/file${i}.txt`] = `line\n`.repeat(200);
  const jobs = Array.from({ length: JOBS }, (_, i) => `  j${i}:\n    run: "true"\n`).join('');
  files['.git-ci.yml'] = `jobs:\n${jobs}`;
  await commit(repo.clone, files);
  const ours: number[] = [];
  const loop: number[] = [];
  const scratch = tempDir('bench-loop');
  const script = `
    one() { d=$(mktemp -d "${scratch}/ws.XXXXXX"); GIT_INDEX_FILE="$d.index" git --git-dir="$1" --work-tree="$d" read-tree --reset -u "$2" && (cd "$d" && sh -c true); rm -rf "$d" "$d.index"; }
    export -f one 2>/dev/null || true
    seq ${JOBS} | xargs -P ${slots} -I{} sh -c 'd=$(mktemp -d "${scratch}/ws.XXXXXX"); GIT_INDEX_FILE="$d.index" git --git-dir="$0" --work-tree="$d" read-tree --reset -u "$1" && (cd "$d" && sh -c true); rm -rf "$d" "$d.index"' "$1" "$2"
  `;
  for (let i = 0; i < ROUNDS; i++) {
    const sha = await commit(repo.clone, { 'round.txt': `${i}\n` }, `round ${i}`);
    await run('git', ['push', '-q', 'origin', 'HEAD:main'], repo.clone);
    const status = await waitForStatus(repo.bare, sha, 600);
    if (status.state !== 'passed') throw new Error(`benchmark run did not pass: ${status.state}`);
    ours.push(new Date(status.finishedAt!).getTime() - new Date(status.startedAt!).getTime());
    loop.push(await timeIt(() => run('bash', ['-c', script, 'bench', repo.bare, sha], scratch)));
  }
  const a = median(ours);
  const b = median(loop);
  printTable(`per-job overhead (${JOBS} jobs of \`true\`, ${slots} slots, ${ROUNDS} rounds, median)`, [
    ['git-ci run (claim to recorded)', `${fmtMs(a)}  (${fmtMs(a / JOBS)} a job)`],
    ['shell loop: checkout + spawn', `${fmtMs(b)}  (${fmtMs(b / JOBS)} a job)`],
    ['git-ci / shell loop', `${(a / b).toFixed(2)}x`],
  ]);
  await git(repo.bare, 'config', 'ci.runnerIdle', '0.1s');
  await ci(repo.bare, 'status');
}
