// Dashboard: `git ci serve` started through the real CLI. 50 clients follow one running job's
// log over SSE (every line checked, the server's peak memory and CPU read from /proc), and the
// branch log of a repository with 100,000 runs (time to first byte, API and page) beside the
// `git log` it rests on.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { armedRepo, ci, commit, gitEnv, push, run, waitForStatus } from '../test/helpers/fixture.js';
import { cleanGitEnv } from '../src/store/git.js';
import { buildRepo } from './scale.js';
import { fmtMs, median, printTable } from './lib.js';
import { readSse, startServe, type StartedServer } from '../test/helpers/serve.js';

const CLIENTS = Number(process.env.BENCH_DASHBOARD_CLIENTS ?? 50);
const LINES = 10_000;
const COMMITS = Number(process.env.BENCH_DASHBOARD_COMMITS ?? 100_000);
const ROUNDS = 9;
/** 100 batches of 100 lines, 40 ms apart: the job runs ~4 s, still running when the clients connect. */
const PRINTER = `jobs:\n  print:\n    run: |\n      for b in $(seq 0 99); do\n        for i in $(seq $((b * 100 + 1)) $((b * 100 + 100))); do echo "line $i"; done\n        sleep 0.04\n      done\n`;

export async function benchDashboard(): Promise<void> {
  await benchFollowers();
  await benchBranchLog();
}

async function stopServe(server: StartedServer): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Peak resident memory (VmHWM) and CPU time so far of a live process, from /proc. */
async function processUsage(pid: number): Promise<{ peakRssKiB: number; rssKiB: number; cpuMs: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th.
  const stat = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { peakRssKiB: kib('VmHWM'), rssKiB: kib('VmRSS'), cpuMs: (ticks * 1000) / (await clockTicks()) };
}

let ticksPerSecond: number | undefined;
async function clockTicks(): Promise<number> {
  ticksPerSecond ??= Number((await run('getconf', ['CLK_TCK'], '/')).stdout.trim());
  return ticksPerSecond;
}

interface Follower {
  /** Every `line N` arrived once, in order, and the stream ended with `event: end`. */
  ok: boolean;
  problem: string;
  firstLineAt: number;
  lastLineAt: number;
  connectedAt: number;
  endAt: number;
  /** Date.now() at `event: end`, to set against the run record's times. */
  endWall: number;
}

/** One SSE client: reads the stream to `event: end`, checking the numbered lines as they come. */
async function followLog(url: string): Promise<Follower> {
  const f: Follower = { ok: false, problem: '', firstLineAt: 0, lastLineAt: 0, connectedAt: performance.now(), endAt: 0, endWall: 0 };
  let next = 1;
  await readSse(url, {}, (e) => {
    if (e.event === 'end') {
      f.endAt = performance.now();
      f.endWall = Date.now();
      f.ok = !f.problem && next === LINES + 1;
      if (!f.problem && !f.ok) f.problem = `ended after line ${next - 1}`;
      return;
    }
    const m = /^line (\d+)$/.exec(e.data);
    if (!m) return; // the runner's own lines ($ command, git-ci: passed…)
    if (Number(m[1]) !== next && !f.problem) f.problem = `got line ${m[1]} where line ${next} was due`;
    if (next === 1) f.firstLineAt = performance.now();
    f.lastLineAt = performance.now();
    next++;
  });
  return f;
}

async function benchFollowers(): Promise<void> {
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': PRINTER });
  await push(repo.clone);
  const server = await startServe([repo.bare]);
  try {
    let runId = '';
    for (let i = 0; i < 400 && !runId; i++) {
      const s = JSON.parse((await ci(repo.bare, 'status', sha, '--json')).stdout || '{}') as { state?: string; jobs?: unknown[]; run?: string };
      if (s.state === 'running' && s.jobs && s.jobs.length > 0) runId = s.run!;
      else await sleep(50);
    }
    if (!runId) throw new Error(`the run of ${sha} never started running`);
    const before = await processUsage(server.child.pid!);
    const url = `${server.url}/api/${path.basename(repo.bare, '.git')}/runs/${runId}/logs/print/follow`;
    const followers = await Promise.all(Array.from({ length: CLIENTS }, () => followLog(url)));
    const after = await processUsage(server.child.pid!);
    const done = await waitForStatus(repo.bare, sha, 60);
    const record = JSON.parse((await ci(repo.bare, 'show', runId, '--json')).stdout || '{}') as { finishedAt?: string; jobs?: { durationMs: number; finishedAt: string; usage?: { cpuSeconds: number } }[] };
    const job = record.jobs?.[0];
    const bad = followers.filter((f) => !f.ok);
    const jobCpuMs = (job?.usage?.cpuSeconds ?? NaN) * 1000;
    const serverCpuMs = after.cpuMs - before.cpuMs;
    const spread = median(followers.map((f) => f.lastLineAt - f.firstLineAt));
    printTable(`${CLIENTS} SSE clients following one job printing ${LINES} lines (~4 s), git ci serve via the CLI`, [
      [`all ${CLIENTS} clients got every line`, bad.length === 0 ? 'yes' : `no: ${bad.length} did not (${bad[0]!.problem})`],
      ['run', `${done.state}, job ${job ? fmtMs(job.durationMs) : '?'}, its CPU ${fmtMs(jobCpuMs)}`],
      ['connect to first line (median)', fmtMs(median(followers.map((f) => f.firstLineAt - f.connectedAt)))],
      ['first to last line, per client (median)', `${fmtMs(spread)}  (slowest ${fmtMs(Math.max(...followers.map((f) => f.lastLineAt - f.firstLineAt)))})`],
      ['last line to event: end (median)', fmtMs(median(followers.map((f) => f.endAt - f.lastLineAt)))],
      ['event: end after the job finished / the run was recorded (median)', `${fmtMs(median(followers.map((f) => f.endWall - Date.parse(job?.finishedAt ?? ''))))} / ${fmtMs(median(followers.map((f) => f.endWall - Date.parse(record.finishedAt ?? ''))))}`],
      ['server peak RSS (VmHWM)', `${(after.peakRssKiB / 1024).toFixed(1)} MiB  (RSS before the clients ${(before.rssKiB / 1024).toFixed(1)} MiB)`],
      ['server CPU while the clients followed', `${fmtMs(serverCpuMs)}  ${(serverCpuMs / jobCpuMs).toFixed(2)}x the job's own CPU; ${fmtMs(serverCpuMs / CLIENTS)} a client; ${((serverCpuMs * 1000) / (CLIENTS * LINES)).toFixed(1)} µs a line sent`],
      ['server CPU in all (start-up included)', fmtMs(after.cpuMs)],
    ]);
  } finally {
    await stopServe(server);
  }
}

interface Timing {
  firstByteMs: number;
  /** To the first commit's row (`marker` seen in the body); for git, its first byte. */
  firstRowMs: number;
  doneMs: number;
}

/** One GET on a fresh connection: time to the first byte of the response, to the first row (`marker`) and to its end. */
function timeGet(url: string, marker: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let firstByteMs = 0;
    let firstRowMs = 0;
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        firstByteMs ||= performance.now() - t;
        if (!firstRowMs && (body += text).includes(marker)) firstRowMs = performance.now() - t;
      });
      res.on('end', () => (res.statusCode === 200 && firstRowMs ? resolve({ firstByteMs, firstRowMs, doneMs: performance.now() - t }) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

/** A command spawned from node: time to its first stdout byte and to its exit. */
function timeSpawn(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let firstByteMs = 0;
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', () => (firstByteMs ||= performance.now() - t));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && firstByteMs ? resolve({ firstByteMs, firstRowMs: firstByteMs, doneMs: performance.now() - t }) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

async function benchBranchLog(): Promise<void> {
  const { bare } = await buildRepo(COMMITS, []);
  const name = path.basename(bare, '.git');
  // git as the server runs it (git-ci's malloc setting, see cleanGitEnv).
  const env = gitEnv({ GLIBC_TUNABLES: cleanGitEnv().GLIBC_TUNABLES! });
  const gitLog = ['log', '-50', '--notes=ci', '--format=%H%x1f%s%x1f%N', 'main'];
  await timeSpawn('git', gitLog, bare, env); // warm the page cache
  const server = await startServe([bare]);
  try {
    const api = `${server.url}/api/${name}/log/main?limit=50`;
    const page = `${server.url}/${name}/log/main`;
    const JSON_ROW = '"commit"';
    const HTML_ROW = 'data-label="commit"';
    const firstApi = await timeGet(api, JSON_ROW);
    const firstPage = await timeGet(page, HTML_ROW);
    // Not kept: a limit not asked for before is a new key, so the server runs git log (-n51 to -n59).
    let fresh = 50;
    const kinds: [string, () => Promise<Timing>][] = [
      ['git log -50 --notes=ci --format=%H%x1f%s%x1f%N (spawned)', () => timeSpawn('git', gitLog, bare, env)],
      ['GET /api/<repo>/log/main?limit=50 (kept)', () => timeGet(api, JSON_ROW)],
      ['GET /<repo>/log/main (page, kept)', () => timeGet(page, HTML_ROW)],
      ['GET /api/<repo>/log/main?limit=5x (not kept: git log runs)', () => timeGet(`${server.url}/api/${name}/log/main?limit=${++fresh}`, JSON_ROW)],
    ];
    const samples = kinds.map(() => [] as Timing[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < kinds.length; k++) {
        const i = (k + round) % kinds.length;
        samples[i]!.push(await kinds[i]![1]());
      }
    }
    const [plain, ...served] = samples.map((s) => ({ firstByteMs: median(s.map((t) => t.firstByteMs)), firstRowMs: median(s.map((t) => t.firstRowMs)), doneMs: median(s.map((t) => t.doneMs)) }));
    const rows: [string, string][] = [[kinds[0]![0], `first byte ${fmtMs(plain!.firstByteMs)}, exit ${fmtMs(plain!.doneMs)}`]];
    const ratio = (ms: number, of: number) => `${(ms / of).toFixed(2)}x`;
    for (const [i, t] of served.entries()) {
      rows.push([kinds[i + 1]![0], `first byte ${fmtMs(t.firstByteMs)} (${ratio(t.firstByteMs, plain!.firstByteMs)} git's), first row ${fmtMs(t.firstRowMs)} (${ratio(t.firstRowMs, plain!.firstByteMs)}), whole ${fmtMs(t.doneMs)} (${ratio(t.doneMs, plain!.doneMs)} git's exit)`]);
    }
    rows.push(['server start (spawn to URL printed)', fmtMs(server.startMs)]);
    rows.push(['first request after start: API log', `first byte ${fmtMs(firstApi.firstByteMs)}, first row ${fmtMs(firstApi.firstRowMs)}, whole ${fmtMs(firstApi.doneMs)}`]);
    rows.push(['then the first page request', `first byte ${fmtMs(firstPage.firstByteMs)}, first row ${fmtMs(firstPage.firstRowMs)}, whole ${fmtMs(firstPage.doneMs)}`]);
    printTable(`Branch log in a ${COMMITS}-run repository: a warm server (started once, median of ${ROUNDS}) against the git log it rests on`, rows);
  } finally {
    await stopServe(server);
  }
}
