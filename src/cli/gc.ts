// `git ci gc`: retention. Old run records and artifacts are deleted by policy, their note
// lines say so, then git collects what nothing reaches any more.
import type { CommandModule } from 'yargs';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { readSettings } from '../store/settings.js';
import { applyRetention, objectBytes, planRetention, type RetentionPolicy } from '../store/retention.js';
import { parseDuration, formatDuration } from '../pipeline/duration.js';
import { formatSize } from '../pipeline/size.js';
import { UserError } from '../store/errors.js';

interface Args {
  repo?: string;
  keepRuns?: number;
  keepArtifacts?: string;
  dryRun: boolean;
  pruneNow: boolean;
  json: boolean;
}

export const gcCommand: CommandModule<object, Args> = {
  command: 'gc',
  describe: 'delete old run records and artifacts by policy, then let git collect the garbage',
  builder: (y) =>
    y
      .option('keep-runs', { type: 'number', describe: 'run records kept per branch, newest first (default: ci.gc.keepRuns, else 100)' })
      .option('keep-artifacts', { type: 'string', describe: 'delete the artifacts of runs older than this, like 14d (default: ci.gc.keepArtifacts, else 30d)' })
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'say what would be deleted; change nothing' })
      .option('prune-now', {
        type: 'boolean',
        default: false,
        describe: 'let git drop unreachable objects at once (default: those older than ci.gc.pruneExpire, else 1 hour); only when no push or run is writing',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: {policy, runs, artifactsOnly, refs, kept, protectedTips, bytesBefore, bytesAfter}' })
      .example('$0 gc --dry-run', 'what the policy would delete')
      .example('$0 gc --keep-runs 20 --keep-artifacts 7d', 'keep less')
      .epilogue(
        [
          'The newest run of every branch tip is always kept, with its artifacts. Artifacts go before',
          'records: a run past --keep-artifacts keeps its record and log. A deleted run keeps its note',
          'line (the result is still true), marked pruned=<day>; artifacts-pruned=<day> likewise.',
          'Set ci.gc.auto to N to run this after every N recorded runs.',
        ].join('\n'),
      ) as never,
  handler: async (argv) => {
    const repo = await repoFromArgs(argv);
    if (!repo.bare) throw new UserError(`${repo.gitDir} is not a bare repository: git ci gc prunes where the CI runs (use --repo <path to the bare repository>)`);
    const { settings } = readSettings(await repo.settings());
    const policy = policyFrom(argv, settings);
    const plan = await planRetention(repo.git, policy);
    const bytesBefore = await objectBytes(repo.git);
    let bytesAfter = bytesBefore;
    if (!argv.dryRun) {
      await applyRetention(repo.git, plan);
      const expire = argv.pruneNow ? 'now' : settings.gcPruneExpire;
      await repo.git.run(['gc', '--quiet', `--prune=${expire}`]);
      bytesAfter = await objectBytes(repo.git);
    }
    if (argv.json) {
      console.log(JSON.stringify({ policy: { keepRuns: policy.keepRuns, keepArtifactsMs: policy.keepArtifactsMs }, ...plan, dryRun: argv.dryRun, bytesBefore, bytesAfter }, null, 2));
      return;
    }
    const verb = argv.dryRun ? 'would delete' : 'deleted';
    console.log(chalk.dim(`policy: keep ${policy.keepRuns} run(s) a branch, artifacts for ${formatDuration(policy.keepArtifactsMs)}; the newest run of each branch tip always`));
    for (const run of plan.runs.slice(0, 20)) console.log(`  ${verb} run ${run.id}  ${run.branch}  ${run.commit.slice(0, 10)}`);
    if (plan.runs.length > 20) console.log(`  … and ${plan.runs.length - 20} more run(s)`);
    console.log(
      `${verb} ${plan.runs.length} run record(s) and the artifacts of ${plan.artifactsOnly.length} more run(s) (${plan.refs.length} ref(s)); kept ${plan.kept} run(s)` +
        (plan.protectedTips > 0 ? `, ${plan.protectedTips} of them past the policy as the newest run of a branch tip` : ''),
    );
    if (!argv.dryRun) console.log(`objects: ${formatSize(bytesBefore)} before, ${formatSize(bytesAfter)} after (${formatSize(Math.max(0, bytesBefore - bytesAfter))} reclaimed)`);
  },
};

function policyFrom(argv: Args, settings: { gcKeepRuns: number; gcKeepArtifactsMs: number }): RetentionPolicy {
  const keepRuns = argv.keepRuns ?? settings.gcKeepRuns;
  if (!Number.isInteger(keepRuns) || keepRuns < 1) throw new UserError(`--keep-runs: expected a whole number above 0, got ${argv.keepRuns}`);
  let keepArtifactsMs = settings.gcKeepArtifactsMs;
  if (argv.keepArtifacts !== undefined) {
    // 0 is a policy too: every run's artifacts go, but those of the branch tips' newest runs.
    const ms = /^0+(ms|s|m|h|d)?$/.test(argv.keepArtifacts.trim()) ? 0 : parseDuration(argv.keepArtifacts);
    if (ms === undefined) throw new UserError(`--keep-artifacts: expected a duration like 14d, 12h or 30m, got "${argv.keepArtifacts}"`);
    keepArtifactsMs = ms;
  }
  return { keepRuns, keepArtifactsMs };
}
