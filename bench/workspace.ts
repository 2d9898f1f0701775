// Workspace creation, three ways, on the same commit in one run: read-tree -u into a private
// index (what the runner uses), `git archive | tar -x`, and `git worktree add` + remove.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { commit, git, run, tempDir } from '../test/helpers/fixture.js';
import { fmtMs, median, printTable, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

export async function benchWorkspace(): Promise<void> {
  const dir = tempDir('bench-ws');
  const src = path.join(dir, 'src');
  await git(dir, 'init', '-q', src);
  // About the size of zlib: 260 files, 4 MB.
  const files: Record<string, string> = {};
  for (let i = 0; i < 260; i++) files[`d${i % 12}/file${i}.c`] = `/* ${i} */\n` + 'int x = 1; /* filler text */\n'.repeat(530);
  const sha = await commit(src, files, 'tree');
  const bare = path.join(dir, 'repo.git');
  await git(dir, 'clone', '-q', '--bare', src, bare);
  const scratch = path.join(dir, 'scratch');
  await fs.mkdir(scratch);
  let n = 0;
  const methods: Record<string, () => Promise<unknown>> = {
    'read-tree -u, private index': async () => {
      const ws = path.join(scratch, `rt${++n}`);
      await fs.mkdir(ws);
      await run('git', ['--git-dir', bare, '--work-tree', ws, 'read-tree', '--reset', '-u', sha], scratch, { ...process.env, GIT_INDEX_FILE: `${ws}.index` });
      await fs.rm(ws, { recursive: true });
      await fs.rm(`${ws}.index`);
    },
    'git archive | tar -x': async () => {
      const ws = path.join(scratch, `ar${++n}`);
      await fs.mkdir(ws);
      await run('sh', ['-c', `git --git-dir="${bare}" archive ${sha} | tar -x -C "${ws}"`], scratch);
      await fs.rm(ws, { recursive: true });
    },
    'git worktree add + remove': async () => {
      const ws = path.join(scratch, `wt${++n}`);
      await run('git', ['--git-dir', bare, 'worktree', 'add', '-q', '--detach', ws, sha], scratch);
      await run('git', ['--git-dir', bare, 'worktree', 'remove', '--force', ws], scratch);
    },
  };
  const times: Record<string, number[]> = {};
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, fn] of Object.entries(methods)) (times[name] ??= []).push(await timeIt(fn));
  }
  const base = median(times['read-tree -u, private index']!);
  printTable(`workspace from a commit (260 files, 4 MB; ${ROUNDS} rounds, median, create + remove)`, Object.entries(times).map(([k, v]) => [k, `${fmtMs(median(v))}  (${(median(v) / base).toFixed(2)}x read-tree)`]));
  console.log('  note: git archive also drops export-ignore files and expands export-subst, so it is not a faithful checkout;');
  console.log('        git worktree add writes into the repository (worktrees/, a lock) on every job.');
}
