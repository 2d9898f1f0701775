// Scale: a repository with 100,000 commits, each with a note line and a run record, made with
// git fast-import: the code history in one stream, then the CI data in a second (run.json and
// the note line name the commit id, which fast-import only knows once it has written the
// commit). The content comes from git-ci's own encoders, so its readers take it as real runs.
// Then git-ci's readers and clone, side by side with the plain git command reading the same data.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { monotonicFactory } from 'ulid';
import { CLI, ci, git, gitEnv, run, tempDir } from '../test/helpers/fixture.js';
import { encodeRunRecord, type JobRecord } from '../src/report/run-record.js';
import { encodeNoteLine } from '../src/report/note-line.js';
import { formatDuration } from '../src/pipeline/duration.js';
import { newRunRecord, noteRecordOf, recordMessage } from '../src/runner/record-run.js';
import { cleanGitEnv } from '../src/store/git.js';
import { fmtMs, median, printTable, timeIt } from './lib.js';

const COMMITS = Number(process.env.BENCH_SCALE_COMMITS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 9);
const CLONE_ROUNDS = Number(process.env.BENCH_SCALE_CLONE_ROUNDS ?? 3);
const GOAL = 1.5;
/** The history starts here and has a commit every 10 minutes (100,000 commits: ~2 years). */
const START_MS = Date.UTC(2024, 0, 1);
const STEP_MS = 10 * 60 * 1000;
const FILES = 100;
const CI_IDENTITY = 'git-ci <git-ci@localhost>';

type Write = (text: string) => Promise<void>;

interface Command {
  label: string;
  cmd: string;
  args: string[];
  cwd: string;
}

interface Built {
  bare: string;
  commits: string[];
  runIds: string[];
}

/** A small repository made the same way: what the commands cost when history costs nothing. */
const SMALL = 50;

export async function benchScale(): Promise<void> {
  const build: [string, string][] = [];
  const big = await buildRepo(COMMITS, build);
  printTable(`Building a ${COMMITS}-commit repository, each commit with a note and a run record`, build);
  const small = await buildRepo(SMALL, []);
  for (const repo of [big, small]) await checkReaders(repo);

  const node: Command = { label: 'node -e 0 (node start-up)', cmd: process.execPath, args: ['-e', '0'], cwd: small.bare };
  const version: Command = { label: 'git ci --version (loads the CLI, no git)', cmd: process.execPath, args: [CLI, '--version'], cwd: small.bare };
  const pairs = (repo: Built): [Command, Command][] => {
    const tipRun = repo.runIds.at(-1)!;
    const runJson: Command = { label: 'git show refs/ci/runs/<id>:run.json', cmd: 'git', args: ['show', `refs/ci/runs/${tipRun}:run.json`], cwd: repo.bare };
    const ours = (label: string, ...args: string[]): Command => ({ label, cmd: process.execPath, args: [CLI, ...args], cwd: repo.bare });
    return [
      [{ label: 'git notes --ref=ci show main', cmd: 'git', args: ['notes', '--ref=ci', 'show', 'main'], cwd: repo.bare }, ours('git ci status main --json', 'status', 'main', '--json')],
      [{ label: 'git log -50 --notes=ci --format=…', cmd: 'git', args: ['log', '-50', '--notes=ci', '--format=%h %s %N'], cwd: repo.bare }, ours('git ci log -n 50', 'log', '-n', '50')],
      [runJson, ours('git ci show main', 'show', 'main')],
      [runJson, ours('git ci show <run id>', 'show', tipRun)],
    ];
  };
  const bigPairs = pairs(big);
  const smallPairs = pairs(small);
  const times = await timeCommands([node, version, ...new Set([...bigPairs.flat(), ...smallPairs.flat()])]);
  const ms = (c: Command) => times.get(c)!;
  const rows: [string, string][] = [
    [node.label, fmtMs(ms(node))],
    [version.label, fmtMs(ms(version))],
  ];
  const goals: string[] = [];
  for (const [i, [plain, ours]] of bigPairs.entries()) {
    const [smallPlain, smallOurs] = smallPairs[i]!;
    const floor = ms(plain) + ms(node);
    if (!rows.some(([label]) => label === plain.label)) rows.push([plain.label, `${fmtMs(ms(plain))}  (${SMALL} commits: ${fmtMs(ms(smallPlain))})`]);
    rows.push([
      ours.label,
      `${fmtMs(ms(ours))}  ${(ms(ours) / ms(plain)).toFixed(2)}x git alone, ${(ms(ours) / floor).toFixed(2)}x git + node start  (${SMALL} commits: ${fmtMs(ms(smallOurs))}, ${(ms(smallOurs) / (ms(smallPlain) + ms(node))).toFixed(2)}x)`,
    ]);
    goals.push(`${ours.label.replace('git ci ', '')} ${(ms(ours) / floor).toFixed(2)}x${ms(ours) / floor <= GOAL ? '' : ' (not met)'}`);
  }
  printTable(`Reading one commit's CI result in the ${COMMITS}-commit repository (median of ${ROUNDS}), and in a ${SMALL}-commit one`, rows);
  console.log(`  goal: within ${GOAL}x of the git command plus node's start-up: ${goals.join('; ')}`);

  const cloneRows = await timeClones(big.bare);
  printTable(`Cloning the ${COMMITS}-commit repository over file:// (median of ${CLONE_ROUNDS})`, cloneRows);
}

/** A bare repository of `count` commits, each with a run record and a note line, packed and armed; each step timed into `build`. */
export async function buildRepo(count: number, build: [string, string][]): Promise<Built> {
  const dir = tempDir('bench-scale');
  const bare = path.join(dir, 'repo.git');
  await git(dir, 'init', '-q', '--bare', '--initial-branch=main', bare);
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    let result!: T;
    const ms = await timeIt(async () => (result = await fn()));
    build.push([label, fmtMs(ms)]);
    return result;
  };
  await step(`code history: ${count} commits (fast-import)`, () => fastImport(bare, (write) => writeCodeHistory(write, count)));
  const commits = (await git(bare, 'rev-list', '--reverse', 'main')).split('\n');
  if (commits.length !== count) throw new Error(`expected ${count} commits on main, found ${commits.length}`);
  const runIds: string[] = [];
  await step(`runs and notes: ${count} run refs, ${count} notes commits (fast-import)`, () => fastImport(bare, (write) => writeRuns(write, commits, runIds)));
  // A server repository is packed now and then (the runner runs git gc --auto): read it packed.
  await step('git gc (one pack, packed refs, commit-graph)', () => git(bare, 'gc', '--quiet'));
  await step('git ci install', async () => {
    const r = await ci(dir, 'install', bare);
    if (r.code !== 0) throw new Error(`git ci install failed: ${r.stderr}`);
  });
  const objects = await git(bare, 'count-objects', '-v');
  build.push(['pack size (with its index)', `${(Number(/size-pack: (\d+)/.exec(objects)?.[1]) / 1024).toFixed(1)} MiB`]);
  for (const [label, revs] of [['code (refs/heads/main)', ['main']], ['notes (refs/notes/ci)', ['refs/notes/ci']], ['run records (refs/ci/runs/*)', ['--glob=refs/ci/runs/*']]] as const) {
    const bytes = await packedBytes(bare, revs);
    build.push([`  objects of the ${label}`, `${(bytes / 1024 / 1024).toFixed(1)} MiB, ${Math.round(bytes / count)} B a commit`]);
  }
  return { bare, commits, runIds };
}

/** Bytes in the pack of the objects reachable from some refs (each object as stored: compressed, or a delta). */
async function packedBytes(bare: string, revs: readonly string[]): Promise<number> {
  const script = 'git rev-list --objects "$@" | cut -d" " -f1 | git cat-file --batch-check="%(objectsize:disk)" | awk "{ s += \\$1 } END { print s }"';
  const r = await run('sh', ['-c', script, 'sh', ...revs], bare);
  if (r.code !== 0) throw new Error(`measuring the objects of ${revs.join(' ')} failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** The code: one file changed a commit (data/<n>.txt), a .git-ci.yml from the first. */
async function writeCodeHistory(write: Write, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const who = `Dev <dev@example.com> ${seconds(START_MS + i * STEP_MS)}`;
    await write(`commit refs/heads/main\nauthor ${who}\ncommitter ${who}\n`);
    await writeData(write, `change ${i}: data/${i % FILES}.txt\n`);
    if (i === 0) {
      await write('M 100644 inline .git-ci.yml\n');
      await writeData(write, 'jobs:\n  t:\n    run: ./test.sh\n');
    }
    await write(`M 100644 inline data/${i % FILES}.txt\n`);
    await writeData(write, `${i}\n`);
    await write('\n');
  }
}

/** For each commit, as the runner records a run pushed to main: the run ref, then a notes commit with its line. */
async function writeRuns(write: Write, commits: string[], ids: string[]): Promise<void> {
  // Run ids as the runner makes them (src/store/queue.ts), from each run's own time.
  const newRunId = monotonicFactory();
  for (const [i, commit] of commits.entries()) {
    const queuedAt = START_MS + i * STEP_MS + 1000;
    const id = newRunId(queuedAt);
    ids.push(id);
    const record = newRunRecord({ id, ref: 'refs/heads/main', old: commits[i - 1] ?? '0'.repeat(40), commit, trigger: 'push', queuedAt, attempt: 1 }, commit);
    const startedAt = queuedAt + 150 + (i % 7) * 20;
    // Every 17th run fails (not the newest), so notes carry messages as real histories do.
    const { job, log } = testJob(i, startedAt + 40, i % 17 === 5 && i !== commits.length - 1);
    record.jobs = [job];
    record.state = job.state === 'passed' ? 'passed' : 'failed';
    record.startedAt = iso(startedAt);
    record.finishedAt = iso(startedAt + 40 + job.durationMs! + 10);
    record.durationMs = 40 + job.durationMs! + 10;
    const message = `${recordMessage(record)}\n`;
    const who = `${CI_IDENTITY} ${seconds(queuedAt + 60_000)}`;
    await write(`commit refs/ci/runs/${id}\nauthor ${who}\ncommitter ${who}\n`);
    await writeData(write, message);
    await write('M 100644 inline run.json\n');
    await writeData(write, encodeRunRecord(record));
    await write('M 100644 inline logs/t.log\n');
    await writeData(write, log);
    await write(`\ncommit refs/notes/ci\nauthor ${who}\ncommitter ${who}\n`);
    await writeData(write, message);
    await write(`N inline ${commit}\n`);
    await writeData(write, `${encodeNoteLine(noteRecordOf(record))}\n`);
    await write('\n');
  }
}

/** A job as the runner records it (fields in its order), and its log. */
function testJob(i: number, start: number, failed: boolean): { job: JobRecord; log: string } {
  const durationMs = 300 + ((i * 7919) % 900);
  const tests = 212 + (i % 40);
  const reason = failed ? 'exit code 1' : null;
  const log = `$ ./test.sh\n${tests - (failed ? 1 : 0)} passing\n${failed ? '1 failing\n' : ''}\ngit-ci: ${reason ?? 'passed'} after ${formatDuration(durationMs)}\n`;
  const job: JobRecord = {
    name: 't',
    state: failed ? 'failed' : 'passed',
    needs: [],
    exitCode: failed ? 1 : 0,
    signal: null,
    startedAt: iso(start),
    finishedAt: iso(start + durationMs),
    durationMs,
    timedOut: false,
    cached: false,
    log: 'logs/t.log',
    reason,
    limits: { memory: 8589934592, procs: 1024, cpuSeconds: 7200, filesize: 8589934592, nofile: 8192 },
    sandbox: ['cgroup-v1', 'uid-64000', 'bwrap', 'rlimits'],
    usage: { cpuSeconds: Math.round(durationMs * 0.7) / 1000, peakMemoryBytes: 40_000_000 + (i % 97) * 65536, peakPids: 3 + (i % 4) },
    limitHit: null,
    logBytes: Buffer.byteLength(log),
    logCapped: false,
  };
  return { job, log };
}

/** One run of each reader, checked: the data is what git-ci itself would have written. */
async function checkReaders({ bare, commits, runIds }: Built): Promise<void> {
  const [tip, tipRun] = [commits.at(-1)!, runIds.at(-1)!];
  const status = await ci(bare, 'status', 'main', '--json');
  const parsed = JSON.parse(status.stdout || '{}') as { run?: string; commit?: string; state?: string; jobs?: unknown[] };
  if (status.code !== 0 || parsed.run !== tipRun || parsed.commit !== tip || parsed.state !== 'passed' || parsed.jobs?.length !== 1) {
    throw new Error(`git ci status main --json did not read the generated run ${tipRun} (exit ${status.code}): ${status.stdout} ${status.stderr}`);
  }
  const log = await ci(bare, 'log', '-n', '50');
  const states = log.stdout.split('\n').filter((l) => / (passed|failed) /.test(l)).length;
  if (log.code !== 0 || states !== 50) throw new Error(`git ci log -n 50 showed ${states} commits with a state, expected 50: ${log.stdout.slice(0, 2000)} ${log.stderr}`);
  const show = await ci(bare, 'show', 'main');
  if (show.code !== 0 || !show.stdout.includes(tipRun)) throw new Error(`git ci show main did not show run ${tipRun}: ${show.stdout} ${show.stderr}`);
}

/** Median wall time of each command (spawned as a user would, in the bare repository), in rotating order. */
async function timeCommands(commands: Command[]): Promise<Map<Command, number>> {
  const samples = new Map<Command, number[]>(commands.map((c) => [c, []]));
  for (const c of commands) await runOk(c); // warm the page cache
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(k + round) % commands.length]!;
      samples.get(c)!.push(await timeIt(() => runOk(c)));
    }
  }
  return new Map([...samples].map(([c, ms]) => [c, median(ms)]));
}

async function runOk(c: Command): Promise<void> {
  const r = await run(c.cmd, c.args, c.cwd);
  if (r.code !== 0) throw new Error(`${c.label} failed (exit ${r.code}): ${r.stderr}`);
}

/** git ci clone against git clone --mirror (every ref) and a plain git clone (the code alone). */
async function timeClones(bare: string): Promise<[string, string][]> {
  const scratch = tempDir('bench-scale-clone');
  const url = `file://${bare}`;
  const kinds: Command[] = [
    { label: 'git clone --mirror (every ref, bare)', cmd: 'git', args: ['clone', '-q', '--mirror', url], cwd: scratch },
    { label: 'git clone (the code alone)', cmd: 'git', args: ['clone', '-q', url], cwd: scratch },
    { label: 'git ci clone (code, notes, run records)', cmd: process.execPath, args: [CLI, 'clone', '-q', url], cwd: scratch },
  ];
  const samples = new Map<Command, number[]>(kinds.map((k) => [k, []]));
  let summary = '';
  for (let round = 0; round < CLONE_ROUNDS; round++) {
    // Each kind goes first once in a while: the first clone of a round meets a colder page cache.
    for (const k of [...kinds.slice(round % kinds.length), ...kinds.slice(0, round % kinds.length)]) {
      const dest = path.join(scratch, 'clone');
      const args = [...k.args, dest];
      let out = '';
      samples.get(k)!.push(
        await timeIt(async () => {
          const r = await run(k.cmd, args, k.cwd);
          if (r.code !== 0) throw new Error(`${k.label} failed (exit ${r.code}): ${r.stderr}`);
          out = r.stdout;
        }),
      );
      if (k.args[0] === CLI) summary = out.trim();
      await fs.rm(dest, { recursive: true, force: true });
    }
  }
  const ms = (k: Command) => median(samples.get(k)!);
  const [mirror, code, ours] = kinds as [Command, Command, Command];
  return [
    [mirror.label, fmtMs(ms(mirror))],
    [code.label, fmtMs(ms(code))],
    [ours.label, `${fmtMs(ms(ours))}  ${(ms(ours) / ms(mirror)).toFixed(2)}x git clone --mirror, ${(ms(ours) / ms(code)).toFixed(2)}x git clone`],
    ['git ci clone said', summary],
  ];
}

async function writeData(write: Write, text: string): Promise<void> {
  await write(`data ${Buffer.byteLength(text)}\n${text}\n`);
}

/** Runs git fast-import, fed by `produce` in large writes that wait for the pipe to drain. */
async function fastImport(gitDir: string, produce: (write: Write) => Promise<void>): Promise<void> {
  // git-ci's own malloc setting for git (see cleanGitEnv): without it fast-import here is ~10x slower.
  const env = gitEnv({ GLIBC_TUNABLES: cleanGitEnv().GLIBC_TUNABLES! });
  const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet', '--done'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  // A fast-import that died closes the pipe: its exit code says why, not an EPIPE.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 128)));
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    const chunk = parts.join('');
    parts = [];
    size = 0;
    if (!child.stdin.write(chunk)) await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), exited]);
  };
  const write = async (text: string) => {
    parts.push(text);
    size += text.length;
    if (size >= 256 * 1024) await flush();
  };
  await produce(write);
  await write('done\n');
  await flush();
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`git fast-import failed (exit ${code}): ${stderr}`);
}

function seconds(ms: number): string {
  return `${Math.floor(ms / 1000)} +0000`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
