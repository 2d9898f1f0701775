#!/usr/bin/env node
// The lean entry the post-receive hook starts: only what a runner needs is loaded (no yargs,
// no chalk), because every millisecond here is push-to-job-start latency.
// Usage: runner-main.js --repo <git-dir> [--idle <duration>]
import { openRepo } from '../store/repo.js';
import { runRunner } from '../runner/runner.js';
import { parseDuration } from '../pipeline/duration.js';

async function main(args: string[]): Promise<number> {
  let repoPath = process.cwd();
  let idleMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = args[i + 1];
    if (arg === '--repo' && value !== undefined) (repoPath = value), i++;
    else if (arg === '--idle' && value !== undefined) {
      idleMs = parseDuration(value);
      if (idleMs === undefined) throw new Error(`--idle: expected a duration like 30s, got "${value}"`);
      i++;
    } else throw new Error(`unknown argument "${arg}"; usage: runner-main.js --repo <git-dir> [--idle <duration>]`);
  }
  await runRunner(await openRepo(repoPath), { idleMs });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`${new Date().toISOString()} [${process.pid}] git-ci runner: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
