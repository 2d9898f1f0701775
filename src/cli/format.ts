// How results look in a terminal: state words in colour (chalk honours NO_COLOR and non-TTY).
import chalk from 'chalk';
import { formatDuration } from '../pipeline/duration.js';
import { formatSize } from '../pipeline/size.js';
import type { JobRecord } from '../report/run-record.js';
import type { CommitStatus } from '../store/results.js';

const COLOURS: Record<string, (s: string) => string> = {
  passed: chalk.green,
  failed: chalk.red,
  error: chalk.magenta,
  canceled: chalk.gray,
  skipped: chalk.gray,
  queued: chalk.yellow,
  running: chalk.cyan,
  pending: chalk.yellow,
};

export function paintState(state: string | null, width = 0): string {
  const text = (state ?? 'none').padEnd(width);
  return (COLOURS[state ?? ''] ?? chalk.dim)(text);
}

export function duration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : formatDuration(ms);
}

/** The human form of a commit's status: one headline, then one line per job. */
export function renderStatus(status: CommitStatus, extra: { error?: string | null; problems?: string[] } = {}): string {
  const lines: string[] = [];
  const head = [
    chalk.bold(status.commit.slice(0, 10)),
    paintState(status.state),
    status.run ? `run ${status.run}` : status.inherited ? 'not built' : 'no run recorded',
    status.branch ? `on ${status.branch}` : '',
    status.durationMs !== null ? `in ${duration(status.durationMs)}` : '',
  ].filter(Boolean);
  lines.push(head.join('  '));
  if (status.inherited) {
    const { from, run, state } = status.inherited;
    lines.push(`  ${chalk.dim('note')} inherited from ${from.slice(0, 10)} (rebased or amended): ${paintState(state).trimEnd()} there, in run ${run}`);
  }
  if (extra.problems && extra.problems.length > 0) {
    for (const p of extra.problems) lines.push(`  ${chalk.magenta('!')} ${p}`);
  } else if (extra.error) {
    lines.push(`  ${chalk.magenta('!')} ${extra.error}`);
  }
  const width = Math.max(0, ...status.jobs.map((j) => j.name.length));
  for (const job of status.jobs) {
    const bits = [`  ${job.name.padEnd(width)}`, paintState(job.state, 8), duration(job.durationMs).padStart(7)];
    if (job.exitCode !== null && job.exitCode !== 0) bits.push(chalk.dim(`exit ${job.exitCode}`));
    if (job.tests) bits.push(job.tests.failed > 0 ? chalk.red(`${job.tests.passed} passed, ${job.tests.failed} failed`) : chalk.dim(`${job.tests.passed} passed`));
    if (job.cached) bits.push(chalk.dim(job.cachedFrom ? `cached from ${job.cachedFrom.slice(0, 10)}` : 'cached'));
    lines.push(bits.join(' ').trimEnd());
  }
  return lines.join('\n');
}

/** A job's sandbox, usage and log size from run.json, as one line; null when none was recorded. */
export function jobUsageLine(job: JobRecord): string | null {
  const bits: string[] = [];
  if (job.sandbox) bits.push(job.sandbox.length > 0 ? `sandbox ${job.sandbox.join(' ')}` : 'no sandbox');
  const usage = job.usage;
  // CPU times of short jobs are fractions of a second: two decimals say more there than "0.0s".
  if (typeof usage?.cpuSeconds === 'number') bits.push(`cpu ${usage.cpuSeconds < 10 ? `${usage.cpuSeconds.toFixed(2)}s` : formatDuration(usage.cpuSeconds * 1000)}`);
  if (typeof usage?.peakMemoryBytes === 'number') bits.push(`peak memory ${formatSize(usage.peakMemoryBytes)}`);
  if (typeof usage?.peakPids === 'number') bits.push(`peak ${usage.peakPids} ${usage.peakPids === 1 ? 'proc' : 'procs'}`);
  if (typeof job.logBytes === 'number') bits.push(`log ${formatSize(job.logBytes)}${job.logCapped ? ' (capped)' : ''}`);
  return bits.length > 0 ? bits.join(' · ') : null;
}
