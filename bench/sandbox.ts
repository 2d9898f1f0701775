// Per-job start overhead of the layered sandbox against a plain spawn of the same command, and
// each layer alone on top of plain to attribute the cost; all variants alternate in one run.
// "start" is spawn → the job's first output (the job is running inside every layer); "exit" adds
// the tear-down of the namespaces, which the kernel does after the job's last process ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeFds, JobCgroup, removeStaleCgroups } from '../src/sandbox/cgroup.js';
import { JobSandbox } from '../src/sandbox/job-sandbox.js';
import { bwrapArgv, joinCgroupScript, ulimitScript, unshareArgv } from '../src/sandbox/layers.js';
import { DEFAULT_UID_BASE, probeSandbox, type SandboxCapabilities } from '../src/sandbox/probe.js';
import { builtinLimits } from '../src/store/settings.js';
import { Git } from '../src/store/git.js';
import { checkOut, makeWorkspace, removeWorkspace } from '../src/runner/workspace.js';
import { commit, git, tempDir } from '../test/helpers/fixture.js';
import { fmtMs, median, printTable } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS_SANDBOX ?? 40);
const SCRIPT = 'echo started';
const GOAL_MS = 15;

interface Timing {
  startMs: number;
  exitMs: number;
  /** Set up, run and tear down, when the variant has anything to set up. */
  cycleMs?: number;
}

interface Variant {
  name: string;
  run(round: number): Promise<Timing>;
}

/** Times a spawned job to its first output and to its exit; a failure fails the bench. */
function timeJob(start: () => ChildProcess): Promise<{ startMs: number; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let startMs: number | undefined;
    let output = '';
    const child = start();
    child.stdout!.on('data', (b: Buffer) => {
      startMs ??= performance.now() - t;
      output += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const exitMs = performance.now() - t;
      if (code === 0 && startMs !== undefined && output.trim() === 'started') resolve({ startMs, exitMs });
      else reject(new Error(`the job ended with ${signal ?? `exit code ${code}`}: ${output.trim()}`));
    });
  });
}

/** Spawns like the runner does: detached, in its own process group. */
function spawnPlain(argv: string[], cwd: string, extra: { fds?: number[]; uid?: number } = {}): ChildProcess {
  return spawn(argv[0]!, argv.slice(1), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe', ...(extra.fds ?? [])], uid: extra.uid, gid: extra.uid });
}

export async function benchSandbox(): Promise<void> {
  const runnerDir = `bench-${process.pid}`;
  const limits = builtinLimits();
  const caps = await probeSandbox(DEFAULT_UID_BASE);
  printTable(
    'sandbox layers on this machine (probeSandbox)',
    (Object.keys(caps) as (keyof SandboxCapabilities)[]).map((k) => [k, `${caps[k].ok ? 'on ' : 'off'}  ${caps[k].detail}`]),
  );
  const asRoot = process.getuid?.() === 0;
  // One folder for the single-layer variants; the full variant makes its own each round, like a job.
  const shared = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-bench-'));
  const sharedWork = path.join(shared, 'work');
  await fs.mkdir(sharedWork);
  if (caps.uid.ok) await fs.chown(sharedWork, DEFAULT_UID_BASE, DEFAULT_UID_BASE);
  let activeLayers: string[] = [];
  const sh = (script: string) => ['/bin/sh', '-c', script];

  const variants: Variant[] = [{ name: 'plain spawn', run: () => timeJob(() => spawnPlain(sh(SCRIPT), sharedWork)) }];
  variants.push({
    name: 'full sandbox',
    run: async (round) => {
      const root = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-bench-job-'));
      const work = path.join(root, 'work');
      await fs.mkdir(work);
      try {
        const t = performance.now();
        const sandbox = await JobSandbox.prepare({
          mode: 'auto',
          caps,
          runnerDir,
          name: `job-${round}`,
          root,
          cwd: work,
          network: false,
          limits,
          uid: caps.uid.ok ? DEFAULT_UID_BASE : undefined,
        });
        activeLayers = sandbox.layers;
        let timing: { startMs: number; exitMs: number };
        try {
          timing = await timeJob(() => sandbox.spawn(SCRIPT, ['git-ci-bench'], { cwd: work, env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] }));
        } finally {
          await sandbox.destroy();
        }
        return { ...timing, cycleMs: performance.now() - t };
      } finally {
        await fs.rm(root, { recursive: true, force: true });
      }
    },
  });
  const support = caps.cgroup.ok ? caps.cgroup.support : undefined;
  if (support) {
    variants.push({
      name: 'cgroup join only',
      run: async (round) => {
        const t = performance.now();
        const cg = await JobCgroup.create(support, runnerDir, `cg-${round}`, { memoryBytes: limits.memory, pidsMax: limits.procs });
        let timing: { startMs: number; exitMs: number };
        try {
          timing = await timeJob(() => {
            const fds = cg.openProcsFiles();
            try {
              return spawnPlain(sh(`${joinCgroupScript(fds.length)}${SCRIPT}`), sharedWork, { fds });
            } finally {
              closeFds(fds);
            }
          });
        } finally {
          await cg.remove();
        }
        return { ...timing, cycleMs: performance.now() - t };
      },
    });
  }
  if (caps.rlimits.ok && caps.rlimits.shell) {
    // The same limits the full sandbox sets: nproc only with a uid of its own, data only without a memory cgroup.
    const script = `${ulimitScript(caps.rlimits.shell, {
      cpu: limits.cpuSeconds,
      filesize: limits.filesize,
      nofile: limits.nofile,
      nproc: caps.uid.ok ? limits.procs : undefined,
      data: support ? undefined : limits.memory,
    })}${SCRIPT}`;
    variants.push({ name: 'rlimits only', run: () => timeJob(() => spawnPlain(sh(script), sharedWork)) });
  }
  if (caps.namespaces.ok) {
    const argv = caps.namespaces.tool === 'bwrap' ? bwrapArgv('bwrap', { root: shared, cwd: sharedWork, network: false }) : unshareArgv('unshare', { network: false, root: asRoot });
    variants.push({ name: `${caps.namespaces.tool} only`, run: () => timeJob(() => spawnPlain([...argv, ...sh(SCRIPT)], sharedWork)) });
  }
  if (caps.uid.ok) {
    variants.push({ name: `uid ${DEFAULT_UID_BASE} only`, run: () => timeJob(() => spawnPlain(sh(SCRIPT), sharedWork, { uid: DEFAULT_UID_BASE })) });
  }

  const times: Record<string, Timing[]> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no variant always runs first (or right after the heavy one).
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const v of order) (times[v.name] ??= []).push(await v.run(round));
    }
  } finally {
    await fs.rm(shared, { recursive: true, force: true });
    if (support) await removeStaleCgroups(support, (dir) => dir !== runnerDir);
  }

  const med = (name: string, key: keyof Timing) => median(times[name]!.map((t) => t[key]!));
  const plainStart = med('plain spawn', 'startMs');
  const plainExit = med('plain spawn', 'exitMs');
  const cell = (ms: number, plain: number) => `${fmtMs(ms).padStart(9)} ${(ms / plain).toFixed(2).padStart(5)}x (+${fmtMs(ms - plain)})`;
  const rows: [string, string][] = [['', `${'start'.padStart(9)}${''.padEnd(22)}${'exit'.padStart(9)}`]];
  rows.push(['plain spawn', `${fmtMs(plainStart).padStart(9)}${''.padEnd(22)}${fmtMs(plainExit).padStart(9)}`]);
  for (const v of variants.slice(1)) {
    if (v.name === 'full sandbox') continue;
    rows.push([`+ ${v.name}`, `${cell(med(v.name, 'startMs'), plainStart).padEnd(31)}${cell(med(v.name, 'exitMs'), plainExit)}`]);
  }
  const fullStart = med('full sandbox', 'startMs');
  const fullExit = med('full sandbox', 'exitMs');
  const fullCycle = med('full sandbox', 'cycleMs');
  rows.push(['full sandbox', `${cell(fullStart, plainStart).padEnd(31)}${cell(fullExit, plainExit)}`]);
  rows.push(['full sandbox: prepare + run + destroy', cell(fullCycle, plainExit)]);
  printTable(`per-job start of \`${SCRIPT}\` (${ROUNDS} rounds, variants alternating, median; ratio and cost over plain)`, rows);
  console.log(`  full sandbox layers: ${activeLayers.join(', ') || 'none'}`);

  const overlap = await benchStartAfterCheckout(caps, runnerDir, limits);
  const verdict = (ms: number) => (ms < GOAL_MS ? 'met' : 'NOT met');
  console.log(`\n  goal (from the issue): the whole layered start under ${GOAL_MS} ms median here`);
  console.log(`    cold, what the layers add to a spawn: +${fmtMs(fullStart - plainStart)} to job start: ${verdict(fullStart - plainStart)}`);
  console.log(`    cold, absolute spawn to job start: ${fmtMs(fullStart)}: ${verdict(fullStart)} (a plain spawn alone is ${fmtMs(plainStart)} here)`);
  console.log(`    as the runner starts jobs, what the sandbox adds from checkout start to job running: +${fmtMs(overlap.added)}: ${verdict(overlap.added)}`);
  console.log(`    as the runner starts jobs, workspace ready to job running: ${fmtMs(overlap.critical)}: ${verdict(overlap.critical)}`);
}

/**
 * What the runner does: the job's sandbox starts while its commit is checked out, and the job's
 * shell waits for "go". Times checkout start → the job's first output, three ways, and the
 * critical path that is left: checkout done → first output.
 */
async function benchStartAfterCheckout(caps: SandboxCapabilities, runnerDir: string, limits: ReturnType<typeof builtinLimits>): Promise<{ added: number; critical: number }> {
  const dir = tempDir('bench-sandbox');
  const src = path.join(dir, 'src');
  await git(dir, 'init', '-q', src);
  const files: Record<string, string> = {};
  for (let i = 0; i < 60; i++) files[`d${i % 6}/file${i}.c`] = `/* ${i} */\n` + 'int x = 1; /* filler text */\n'.repeat(200);
  const sha = await commit(src, files, 'tree');
  const bare = path.join(dir, 'repo.git');
  await git(dir, 'clone', '-q', '--bare', src, bare);
  const repoGit = new Git(bare);
  const GATED = 'read -r go && [ "$go" = go ] || exit 125\nexec </dev/null\necho started';
  const env = { PATH: '/usr/bin:/bin' };

  interface Result { total: number; critical: number }
  const once = async (round: number, mode: 'plain' | 'sequential' | 'overlapped'): Promise<Result> => {
    const ws = await makeWorkspace(`bench-${round}`);
    try {
      const t0 = performance.now();
      if (mode === 'plain') {
        await checkOut(repoGit, ws, sha);
        const t1 = performance.now();
        const t = await timeJob(() => spawnPlain(['/bin/sh', '-c', SCRIPT], ws.dir));
        return { total: t1 - t0 + t.startMs, critical: t.startMs };
      }
      const sandbox = await JobSandbox.prepare({ mode: 'auto', caps, runnerDir, name: `ovl-${round}`, root: ws.root, cwd: ws.dir, network: false, limits, uid: caps.uid.ok ? DEFAULT_UID_BASE : undefined });
      try {
        if (mode === 'sequential') {
          await checkOut(repoGit, ws, sha);
          await sandbox.handOver();
          const t1 = performance.now();
          const t = await timeJob(() => sandbox.spawn(SCRIPT, ['git-ci-bench'], { cwd: ws.dir, env, stdio: ['ignore', 'pipe', 'pipe'] }));
          return { total: t1 - t0 + t.startMs, critical: t.startMs };
        }
        let t1 = 0;
        const ts = performance.now();
        const t = await timeJob(() => {
          const child = sandbox.spawn(GATED, ['git-ci-bench'], { cwd: ws.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
          void checkOut(repoGit, ws, sha)
            .then(() => sandbox.handOver())
            .then(() => {
              t1 = performance.now();
              child.stdin!.end('go\n');
            });
          return child;
        });
        return { total: ts - t0 + t.startMs, critical: ts + t.startMs - t1 };
      } finally {
        await sandbox.destroy();
      }
    } finally {
      await removeWorkspace(ws);
    }
  };
  const modes = ['plain', 'sequential', 'overlapped'] as const;
  const results: Record<string, Result[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(i + round) % modes.length]!;
      (results[mode] ??= []).push(await once(round, mode));
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
  const m = (mode: string, key: keyof Result) => median(results[mode]!.map((r) => r[key]));
  printTable(`a job's start after its checkout (60 files; ${ROUNDS} rounds, alternating, median)`, [
    ['', `${'checkout start → job running'.padStart(30)}  ${'checkout done → job running'.padStart(28)}`],
    ['plain: checkout, then spawn', `${fmtMs(m('plain', 'total')).padStart(30)}  ${fmtMs(m('plain', 'critical')).padStart(28)}`],
    ['sandbox: checkout, then start it', `${fmtMs(m('sequential', 'total')).padStart(30)}  ${fmtMs(m('sequential', 'critical')).padStart(28)}`],
    ['sandbox started during the checkout (the runner)', `${fmtMs(m('overlapped', 'total')).padStart(30)}  ${fmtMs(m('overlapped', 'critical')).padStart(28)}`],
  ]);
  console.log(`  the runner's way vs plain, checkout start → job running: ${(m('overlapped', 'total') / m('plain', 'total')).toFixed(2)}x`);
  return { added: m('overlapped', 'total') - m('plain', 'total'), critical: m('overlapped', 'critical') };
}
