// Push-to-job-start latency: from the start of `git push` to the moment the job's first command
// runs, with no runner alive (cold: the hook starts one) and with a runner alive and idle (warm).
import { armedRepo, ci, commit, git, run, waitForRunnerExit, waitForStatus } from '../test/helpers/fixture.js';
import { fmtMs, median, printTable } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

async function once(clone: string, bare: string, i: number): Promise<number> {
  const sha = await commit(clone, { 'n.txt': `${i}\n` }, `round ${i}`);
  const t0 = Date.now();
  await run('git', ['push', '-q', 'origin', 'HEAD:main'], clone);
  const status = await waitForStatus(bare, sha);
  const log = (await ci(bare, 'logs', status.run!, 'start')).stdout;
  const started = Number(/started (\d+)/.exec(log)?.[1]);
  return started - t0;
}

export async function benchLatency(): Promise<void> {
  const cold = await armedRepo({ 'ci.runnerIdle': '0.2s' });
  const warm = await armedRepo({ 'ci.runnerIdle': '60s' });
  const pipeline = { '.git-ci.yml': 'jobs:\n  start:\n    run: echo "started $(date +%s%3N)"\n' };
  for (const r of [cold, warm]) {
    await commit(r.clone, pipeline);
    await run('git', ['push', '-q', 'origin', 'HEAD:main'], r.clone);
    await waitForStatus(r.bare, 'main');
  }
  const coldTimes: number[] = [];
  const warmTimes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await waitForRunnerExit(cold.bare);
    coldTimes.push(await once(cold.clone, cold.bare, i));
    warmTimes.push(await once(warm.clone, warm.bare, i));
  }
  printTable(`push-to-job-start latency (${ROUNDS} rounds, median; includes the push itself)`, [
    ['no runner alive (hook starts one)', fmtMs(median(coldTimes))],
    ['runner alive and idle', fmtMs(median(warmTimes))],
  ]);
  await git(warm.bare, 'config', 'ci.runnerIdle', '0.1s');
}
