// Storage: what a run adds to the repository once git has packed it (`git gc --prune=now`):
// objects/ (packs, indexes, bitmap, commit-graph) and packed-refs. The same commits go to an
// armed repository and to a plain bare one beside it, so the difference is CI's share alone.
// Trivial runs (`echo hi`, a 40-byte log) one push each and as one backfilled range; then jobs
// printing 1 MiB of text that git compresses well, somewhat, or not at all.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, push, waitForRunnerExit, waitForStatus } from '../test/helpers/fixture.js';
import { printTable } from './lib.js';

const RUNS = Number(process.env.BENCH_STORAGE_RUNS ?? 100);
const BIG_RUNS = Number(process.env.BENCH_STORAGE_BIG_RUNS ?? 5);
const GOAL_BYTES = 2048;
const MiB = 1024 * 1024;

interface Scenario {
  label: string;
  job: string;
  runs: number;
  /** push: one push and one run per commit; range: the commits pushed at once, then `git ci run base..main`. */
  mode: 'push' | 'range';
}

interface Size {
  objects: number;
  refs: number;
  runnerLog: number;
}

interface Growth {
  plain: Size;
  armed: Size;
}

const trivial = '    run: echo hi\n';
// Each 1 MiB job prints exactly 1 MiB; the text decides how well git compresses and deltifies it.
const scenarios: Scenario[] = [
  { label: `${RUNS} trivial runs, one push each`, job: trivial, runs: RUNS, mode: 'push' },
  { label: `${RUNS} trivial runs, one backfilled range`, job: trivial, runs: RUNS, mode: 'range' },
  { label: `${BIG_RUNS} runs, 1 MiB log: identical every run (yes)`, job: `    run: "yes 'ok 1 - the same line in every run' | head -c ${MiB}"\n`, runs: BIG_RUNS, mode: 'push' },
  {
    label: `${BIG_RUNS} runs, 1 MiB log: test lines, new timings each run (awk)`,
    job: `    run: |\n      seed=$(od -An -N4 -tu4 /dev/urandom)\n      awk -v seed="$seed" 'BEGIN { srand(seed); for (i = 1; i <= 40000; i++) printf "ok %05d - suite/case_%05d passed in %3d ms\\n", i, i, int(rand() * 1000) }' | head -c ${MiB}\n`,
    runs: BIG_RUNS,
    mode: 'push',
  },
  { label: `${BIG_RUNS} runs, 1 MiB log: random base64, new each run`, job: `    run: "head -c ${MiB} /dev/urandom | base64 -w 100 | head -c ${MiB}"\n`, runs: BIG_RUNS, mode: 'push' },
];

export async function benchStorage(): Promise<void> {
  const rows: [string, string][] = [];
  const perRun: Record<string, number> = {};
  for (const s of scenarios) {
    const g = await measureGrowth(s);
    const share = (k: keyof Size) => (g.armed[k] - g.plain[k]) / s.runs;
    const total = share('objects') + share('refs');
    perRun[s.label] = total;
    rows.push([s.label, `${fmtBytes(total)} a run  (objects ${fmtBytes(share('objects'))}, packed-refs ${fmtBytes(share('refs'))}; commits alone ${fmtBytes((g.plain.objects + g.plain.refs) / s.runs)} a commit)`]);
    rows.push([`  ci/runner.log, not in git, never cloned`, `${fmtBytes(share('runnerLog'))} a run`]);
  }
  printTable('Repository growth a run after git gc --prune=now: armed repository minus the same commits in a plain bare one', rows);
  const [pushed, backfilled] = scenarios.map((s) => perRun[s.label]!) as [number, number];
  console.log(`  goal: under 2 KiB a trivial run: ${pushed < GOAL_BYTES && backfilled < GOAL_BYTES ? 'met' : 'not met'} (${fmtBytes(pushed)} one push each, ${fmtBytes(backfilled)} in a range)`);
}

/** The growth of both repositories over one scenario's runs, each packed by git gc before and after. */
async function measureGrowth(s: Scenario): Promise<Growth> {
  // A short idle time: the runner stays up between pushes, but exits (and so leaves gc to us) soon after.
  const repo = await armedRepo({ 'ci.runnerIdle': '2s', 'ci.concurrency': '2' });
  const plain = path.join(repo.dir, 'plain.git');
  await git(repo.dir, 'init', '-q', '--bare', plain);
  await git(repo.clone, 'remote', 'add', 'plain', plain);
  const branches = s.mode === 'range' ? 'branches: [none]\n' : '';
  const base = await commit(repo.clone, { '.git-ci.yml': `${branches}jobs:\n  t:\n${s.job}`, 'data/0.txt': '0\n' }, 'base');
  await push(repo.clone);
  await git(repo.clone, 'push', '-q', 'plain', 'HEAD:refs/heads/main');
  if (s.mode === 'push') await waitPassed(repo.bare, base);
  const before = { armed: await packedSize(repo.bare), plain: await packedSize(plain) };
  for (let i = 1; i <= s.runs; i++) {
    const c = await commit(repo.clone, { [`data/${i % 20}.txt`]: `${i}\n` }, `commit ${i}`);
    if (s.mode === 'push') {
      await push(repo.clone);
      await waitPassed(repo.bare, c);
    }
  }
  if (s.mode === 'range') {
    await push(repo.clone);
    const r = await ci(repo.bare, 'run', `${base}..main`, '--timeout', '3600');
    if (r.code !== 0) throw new Error(`git ci run ${base}..main failed: ${r.stdout.slice(-2000)} ${r.stderr}`);
  }
  await git(repo.clone, 'push', '-q', 'plain', 'HEAD:refs/heads/main');
  const after = { armed: await packedSize(repo.bare), plain: await packedSize(plain) };
  const minus = (a: Size, b: Size): Size => ({ objects: a.objects - b.objects, refs: a.refs - b.refs, runnerLog: a.runnerLog - b.runnerLog });
  return { armed: minus(after.armed, before.armed), plain: minus(after.plain, before.plain) };
}

async function waitPassed(bare: string, rev: string): Promise<void> {
  const s = await waitForStatus(bare, rev, 300);
  if (s.state !== 'passed') throw new Error(`run ${s.run} of ${rev} ended ${s.state}, expected passed: ${JSON.stringify(s)}`);
}

/** Bytes on disk once git has packed everything: objects/ and packed-refs (ci/runner.log on the side). */
async function packedSize(bare: string): Promise<Size> {
  // The runner runs git gc --auto when it goes idle: let it finish first, so only one gc packs.
  await waitForRunnerExit(bare, 120_000);
  await git(bare, 'gc', '--prune=now', '--quiet');
  return { objects: await folderBytes(path.join(bare, 'objects')), refs: await fileBytes(path.join(bare, 'packed-refs')), runnerLog: await fileBytes(path.join(bare, 'ci', 'runner.log')) };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += await fileBytes(path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return total;
}

async function fileBytes(file: string): Promise<number> {
  return fs.stat(file).then((st) => st.size, () => 0);
}

function fmtBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return `${Math.round(bytes)} B`;
  if (Math.abs(bytes) < MiB) return `${(bytes / 1024).toFixed(2)} KiB`;
  return `${(bytes / MiB).toFixed(2)} MiB`;
}
