// A 200-commit range backfilled with `git ci run A..B`: each commit changes one file, the
// pipeline has one trivial pure job. The first pass is cold (nothing cached yet: every commit's
// tree is new); the second finds every key cached. Against the bare minimum of the same work a
// single-purpose tool does per commit (a checkout and a spawn in a shell loop), side by side.
import { armedRepo, ci, commit, git, run, tempDir } from '../test/helpers/fixture.js';
import { fmtMs, printTable, timeIt } from './lib.js';

const COMMITS = Number(process.env.BENCH_RANGE_COMMITS ?? 200);

export async function benchRange(): Promise<void> {
  const repo = await armedRepo({ 'ci.concurrency': '2', 'ci.runnerIdle': '60s' });
  // branches: [none] keeps the pushes from building: the range is run by hand, as a backfill.
  await commit(repo.clone, { '.git-ci.yml': 'branches: [none]\njobs:\n  check:\n    cache: true\n    run: "true"\n', 'data/0.txt': '0\n' }, 'base');
  const base = await git(repo.clone, 'rev-parse', 'HEAD');
  for (let i = 1; i <= COMMITS; i++) await commit(repo.clone, { [`data/${i % 20}.txt`]: `${i}\n` }, `commit ${i}`);
  await run('git', ['push', '-q', 'origin', 'HEAD:refs/heads/main'], repo.clone);
  const range = `${base}..main`;
  const pass = async () => {
    const r = await ci(repo.bare, 'run', range, '--timeout', '3600');
    if (r.code !== 0) throw new Error(`git ci run ${range} failed: ${r.stdout.slice(-2000)} ${r.stderr}`);
    return r;
  };
  const cold = await timeIt(pass);
  const cached = await timeIt(pass);
  const scratch = tempDir('bench-range-loop');
  const loop = await timeIt(() =>
    run('bash', ['-c', `for c in $(git --git-dir="$1" rev-list --reverse "$2"); do d=$(mktemp -d "${scratch}/ws.XXXXXX"); GIT_INDEX_FILE="$d.index" git --git-dir="$1" --work-tree="$d" read-tree --reset -u "$c" && (cd "$d" && sh -c true); rm -rf "$d" "$d.index"; done`, 'bench', repo.bare, range], scratch),
  );
  const per = (ms: number) => `${fmtMs(ms)}  (${fmtMs(ms / COMMITS)} a commit)`;
  printTable(`git ci run over a ${COMMITS}-commit range, one trivial pure job (one pass each)`, [
    ['cold: every tree new, every job runs', per(cold)],
    ['second pass: every key cached', per(cached)],
    ['shell loop: checkout + spawn per commit', per(loop)],
    ['cold / shell loop', `${(cold / loop).toFixed(2)}x`],
    ['cached / shell loop', `${(cached / loop).toFixed(2)}x`],
  ]);
  console.log('  goal (from the issue): well under 10 ms a commit cold, under 4 ms cached');
  await git(repo.bare, 'config', 'ci.runnerIdle', '0.1s');
}
