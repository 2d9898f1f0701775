// Per-job start overhead of the layered sandbox against a plain spawn of the same command, and
// each layer alone on top of plain to attribute the cost; all variants alternate in one run.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { JobCgroup, removeStaleCgroups } from '../src/sandbox/cgroup.js';
import { JobSandbox } from '../src/sandbox/job-sandbox.js';
import { bwrapArgv, prlimitArgv, setprivArgv, unshareArgv } from '../src/sandbox/layers.js';
import { DEFAULT_UID_BASE, probeSandbox, type SandboxCapabilities } from '../src/sandbox/probe.js';
import { builtinLimits } from '../src/store/settings.js';
import { fmtMs, median, printTable } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS_SANDBOX ?? 40);
const COMMAND = ['/bin/sh', '-c', 'true'];
const GOAL_MS = 15;

interface Timing {
  spawnMs: number;
  /** Set up, run and tear down, when the variant has anything to set up. */
  cycleMs?: number;
}

interface Variant {
  name: string;
  run(round: number): Promise<Timing>;
}

/** Spawns like the runner does (detached, its own process group) and times spawn to exit; non-zero exits fail the bench. */
function spawnUntilExit(argv: string[], cwd: string, started?: (pid: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd, detached: true, stdio: 'ignore' });
    if (child.pid !== undefined) started?.(child.pid);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const ms = performance.now() - t;
      if (code === 0) resolve(ms);
      else reject(new Error(`${argv.join(' ')} ended with ${signal ?? `exit code ${code}`}`));
    });
  });
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
  const dropsUid = caps.uid.ok;
  // One folder for the single-layer variants; the full variant makes its own each round, like a job.
  const shared = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-bench-'));
  const sharedWork = path.join(shared, 'work');
  await fs.mkdir(sharedWork);
  let activeLayers: string[] = [];

  const variants: Variant[] = [{ name: 'plain spawn', run: async () => ({ spawnMs: await spawnUntilExit(COMMAND, sharedWork) }) }];
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
        let spawnMs: number;
        try {
          spawnMs = await spawnUntilExit(sandbox.argv(COMMAND), work, (pid) => sandbox.started(pid));
        } finally {
          await sandbox.destroy();
        }
        return { spawnMs, cycleMs: performance.now() - t };
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
        let spawnMs: number;
        try {
          spawnMs = await spawnUntilExit(cg.joinArgv(COMMAND), sharedWork);
        } finally {
          await cg.remove();
        }
        return { spawnMs, cycleMs: performance.now() - t };
      },
    });
  }
  if (caps.rlimits.ok) {
    // The same limits the full sandbox passes: nproc only with a uid of its own, data only without a memory cgroup.
    const argv = [
      ...prlimitArgv({
        cpuSeconds: limits.cpuSeconds,
        filesize: limits.filesize,
        nofile: limits.nofile,
        nproc: dropsUid ? limits.procs : undefined,
        data: support ? undefined : limits.memory,
      }),
      ...COMMAND,
    ];
    variants.push({ name: 'prlimit only', run: async () => ({ spawnMs: await spawnUntilExit(argv, sharedWork) }) });
  }
  if (caps.namespaces.ok && caps.namespaces.tool === 'bwrap') {
    const argv = [...bwrapArgv('bwrap', { root: shared, cwd: sharedWork, network: false }), ...COMMAND];
    variants.push({ name: 'bwrap only', run: async () => ({ spawnMs: await spawnUntilExit(argv, sharedWork) }) });
  } else if (caps.namespaces.ok) {
    const argv = ['setpriv', '--pdeathsig=KILL', '--', ...unshareArgv('unshare', { network: false, asRoot, dropsUid: false }), ...COMMAND];
    variants.push({ name: 'unshare only', run: async () => ({ spawnMs: await spawnUntilExit(argv, sharedWork) }) });
  }
  if (asRoot && caps.uid.ok) {
    const argv = [...setprivArgv(DEFAULT_UID_BASE), ...COMMAND];
    variants.push({ name: `setpriv uid ${DEFAULT_UID_BASE} only`, run: async () => ({ spawnMs: await spawnUntilExit(argv, sharedWork) }) });
  }

  const spawnTimes: Record<string, number[]> = {};
  const cycleTimes: Record<string, number[]> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no variant always runs first (or right after the heavy one).
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const v of order) {
        const t = await v.run(round);
        (spawnTimes[v.name] ??= []).push(t.spawnMs);
        if (t.cycleMs !== undefined) (cycleTimes[v.name] ??= []).push(t.cycleMs);
      }
    }
  } finally {
    await fs.rm(shared, { recursive: true, force: true });
    if (support) await removeStaleCgroups(support, (dir) => dir !== runnerDir);
  }

  const plain = median(spawnTimes['plain spawn']!);
  const row = (label: string, ms: number): [string, string] => [label, `${fmtMs(ms).padStart(9)}  ${(ms / plain).toFixed(2).padStart(6)}x plain  (+${fmtMs(ms - plain)})`];
  const rows: [string, string][] = [[`plain spawn`, `${fmtMs(plain).padStart(9)}    1.00x plain`]];
  for (const v of variants.slice(1)) {
    if (v.name === 'full sandbox') continue;
    rows.push(row(`+ ${v.name}: spawn to exit`, median(spawnTimes[v.name]!)));
    if (cycleTimes[v.name]) rows.push(row(`+ ${v.name}: create + spawn + remove`, median(cycleTimes[v.name]!)));
  }
  const fullSpawn = median(spawnTimes['full sandbox']!);
  const fullCycle = median(cycleTimes['full sandbox']!);
  rows.push(row(`full sandbox: spawn to exit`, fullSpawn));
  rows.push(row(`full sandbox: prepare + spawn + destroy`, fullCycle));
  printTable(`per-job start overhead of \`${COMMAND.join(' ')}\` (${ROUNDS} rounds, variants alternating, median)`, rows);
  console.log(`  full sandbox layers: ${activeLayers.join(', ') || 'none'}`);
  const verdict = (ms: number) => (ms < GOAL_MS ? 'met' : 'NOT met');
  console.log(`  goal (from the issue): the whole layered start under ${GOAL_MS} ms median here`);
  console.log(`    spawn to exit ${fmtMs(fullSpawn)}: ${verdict(fullSpawn)}; prepare + spawn + destroy ${fmtMs(fullCycle)}: ${verdict(fullCycle)}`);
}
