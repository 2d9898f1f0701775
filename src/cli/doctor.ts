// `git ci doctor`: which sandbox layers work on this machine (probed by running them), what the
// repository's ci.sandbox makes of that, and whether git, node and the repository are ready.
import type { CommandModule } from 'yargs';
import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import type { LayerName, SandboxCapabilities } from '../sandbox/probe.js';
import { readSettings, type SandboxMode } from '../store/settings.js';
import { HOOK_MARKER } from '../store/arm.js';
import { GitError, UserError } from '../store/errors.js';
import { spawnGit } from '../store/git.js';
import { openRepo, type Repo } from '../store/repo.js';

interface Args {
  repo?: string;
  json: boolean;
}

const LAYERS: LayerName[] = ['cgroup', 'uid', 'namespaces', 'rlimits'];
const MIN_GIT = [2, 30];
const MIN_NODE = [20];

export interface DoctorReport {
  layers: Record<LayerName, { ok: boolean; detail: string; fix: string | null }>;
  sandbox: SandboxMode;
  /** What the mode means with the layers found, in words. */
  sandboxMeans: string;
  /** git's version, or null when git did not start. */
  git: string | null;
  node: string;
  /** The repository checked; null outside one (the machine only). */
  repo: { path: string; armed: boolean; problems: string[] } | null;
  ok: boolean;
}

export const doctorCommand: CommandModule<object, Args> = {
  command: 'doctor',
  describe: 'check the sandbox layers, git, node and the repository',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print JSON: layers, sandbox, sandboxMeans, git, node, repo, ok' })
      .example('$0 doctor', 'this machine, and the repository you are in (if any)')
      .example('$0 doctor --repo /srv/git/app.git', 'this machine and that repository')
      .example('$0 doctor --json', 'as JSON, for scripts')
      .epilogue(
        [
          'Probes each sandbox layer by running it, as the runner does when it starts: run doctor as',
          "the runner's user (root for the uid layer). Outside a repository it checks the machine only.",
          'Exit codes: 0 every layer works, git and node are new enough and the repository (if any)',
          'is armed; 1 otherwise.',
        ].join('\n'),
      ) as never,
  handler: async (argv) => {
    const found = await findRepo(argv.repo);
    const config = found.repo ? await found.repo.settings() : new Map<string, string>();
    const { settings, warnings } = readSettings(config);
    const { probeSandbox } = await import('../sandbox/probe.js');
    const [caps, gitVersion, repoCheck] = await Promise.all([
      probeSandbox(settings.uidBase),
      readGitVersion(),
      found.repo ? checkArmed(found.repo) : Promise.resolve(null),
    ]);
    const report = buildReport(caps, settings.sandbox, gitVersion, repoCheck);
    process.exitCode = report.ok ? 0 : 1;
    if (argv.json) {
      for (const w of warnings) console.error(`git-ci: warning: ${w}`);
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(renderReport(report, { uidBase: settings.uidBase, warnings, fromRepo: found.repo !== undefined, noRepo: found.why }));
  },
};

/** The repository to check: --repo (which must be one), else the one the current directory is in, if any. */
async function findRepo(where: string | undefined): Promise<{ repo?: Repo; why?: string }> {
  if (where !== undefined) return { repo: await openRepo(where) };
  try {
    return { repo: await openRepo(process.cwd()) };
  } catch (err) {
    if (err instanceof UserError || err instanceof GitError) return { why: err.message };
    throw err;
  }
}

async function readGitVersion(): Promise<string | null> {
  try {
    const r = await spawnGit(['--version']);
    return r.exitCode === 0 ? (/(\d+(?:\.\d+)+)/.exec(r.stdout.toString())?.[1] ?? null) : null;
  } catch {
    return null;
  }
}

/** True when a dotted version is at least the minimum (missing parts count as 0). */
export function versionAtLeast(version: string | null, minimum: number[]): boolean {
  if (version === null) return false;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== minimum[i]) return have > minimum[i]!;
  }
  return true;
}

/** What `git ci install` sets up: our post-receive hook, executable, pointing at files that exist, our pre-receive guard, and ci/queue/. */
async function checkArmed(repo: Repo): Promise<NonNullable<DoctorReport['repo']>> {
  const problems: string[] = [];
  const hooksPath = (await repo.git.run(['rev-parse', '--git-path', 'hooks'])).stdout.trim();
  const hook = path.join(path.resolve(repo.gitDir, hooksPath), 'post-receive');
  const text = await fs.readFile(hook, 'utf8').catch(() => undefined);
  if (text === undefined) problems.push(`no ${hook}`);
  else if (!text.includes(HOOK_MARKER)) problems.push(`${hook} is not git-ci's hook (no "${HOOK_MARKER}" in it)`);
  else {
    await fs.access(hook, fsc.X_OK).catch(() => problems.push(`${hook} is not executable`));
    // The hook holds absolute paths: after moving or upgrading git-ci they may point nowhere.
    for (const name of ['GIT_CI_NODE', 'GIT_CI_RUNNER']) {
      const file = new RegExp(`^${name}='([^']*)'`, 'm').exec(text)?.[1];
      if (file && !(await exists(file))) problems.push(`the hook runs ${file}, which does not exist`);
    }
  }
  // Without our pre-receive, any client with push access could forge CI results.
  const guard = path.join(path.resolve(repo.gitDir, hooksPath), 'pre-receive');
  const guardText = await fs.readFile(guard, 'utf8').catch(() => undefined);
  if (guardText === undefined || !guardText.includes(HOOK_MARKER)) problems.push(`${guard} is not git-ci's hook: pushes could forge CI results (run git ci install again)`);
  else await fs.access(guard, fsc.X_OK).catch(() => problems.push(`${guard} is not executable`));
  if (!(await exists(repo.paths.queue))) problems.push(`no queue folder ${repo.paths.queue}`);
  return { path: repo.gitDir, armed: problems.length === 0, problems };
}

function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

export function buildReport(
  caps: SandboxCapabilities,
  sandbox: SandboxMode,
  git: string | null,
  repo: DoctorReport['repo'],
): DoctorReport {
  const layers = Object.fromEntries(LAYERS.map((k) => [k, { ok: caps[k].ok, detail: caps[k].detail, fix: caps[k].fix ?? null }])) as DoctorReport['layers'];
  const node = process.versions.node;
  const ok = LAYERS.every((k) => caps[k].ok) && versionAtLeast(git, MIN_GIT) && versionAtLeast(node, MIN_NODE) && (repo?.armed ?? true);
  return { layers, sandbox, sandboxMeans: sandboxMeaning(sandbox, caps), git, node, repo, ok };
}

/** What ci.sandbox does with the layers the probe found. */
export function sandboxMeaning(mode: SandboxMode, caps: SandboxCapabilities): string {
  const missing = LAYERS.filter((k) => !caps[k].ok);
  const list = missing.join(', ');
  if (mode === 'off') return "no sandbox: jobs run as the runner's user with its file system and network; only their process group is killed";
  if (mode === 'auto') return missing.length === 0 ? 'jobs run in every layer' : `jobs run without ${list} (the other layers apply)`;
  if (missing.length === 0) return 'jobs run in every layer; a runner that finds one missing records its runs as error';
  return `jobs will not run: every run ends in error while ${list} ${missing.length === 1 ? 'is' : 'are'} missing`;
}

function renderReport(
  report: DoctorReport,
  o: { uidBase: number; warnings: string[]; fromRepo: boolean; noRepo: string | undefined },
): string {
  const lines: string[] = [];
  const nameWidth = 'repository'.length;
  const indent = ' '.repeat(2 + 7 + 2 + nameWidth + 2);
  const mark = (ok: boolean, bad: string) => (ok ? chalk.green('ok'.padEnd(7)) : chalk.red(bad.padEnd(7)));
  const row = (ok: boolean, bad: string, name: string, detail: string) => lines.push(`  ${mark(ok, bad)}  ${name.padEnd(nameWidth)}  ${detail}`);
  const after = (label: string, text: string) => lines.push(`${indent}${label} ${text}`);

  lines.push(chalk.bold('sandbox layers') + chalk.dim(` (probed as uid ${process.getuid?.()}; ci.sandbox.uidBase ${o.uidBase})`));
  for (const k of LAYERS) {
    const layer = report.layers[k];
    row(layer.ok, 'missing', k, layer.detail);
    if (layer.fix && !layer.ok) after(chalk.yellow('fix:'), layer.fix);
    else if (layer.fix) after(chalk.dim('better:'), chalk.dim(layer.fix));
  }
  const source = o.fromRepo ? '' : chalk.dim(' (the default: no repository)');
  const means = report.sandboxMeans.startsWith('jobs will not run') ? chalk.red(report.sandboxMeans) : report.sandboxMeans;
  lines.push(`${chalk.bold('ci.sandbox')} ${report.sandbox}${source}: ${means}`);
  lines.push('');
  lines.push(chalk.bold('prerequisites'));
  row(versionAtLeast(report.git, MIN_GIT), report.git === null ? 'missing' : 'old', 'git', `${report.git ?? 'git did not start'} ${chalk.dim(`(needs ${MIN_GIT.join('.')} or newer)`)}`);
  row(versionAtLeast(report.node, MIN_NODE), 'old', 'node', `${report.node} ${chalk.dim(`(needs ${MIN_NODE.join('.')} or newer)`)}`);
  if (report.repo) {
    const { path: where, armed, problems } = report.repo;
    row(armed, 'no', 'repository', armed ? `${where} is armed` : `${where} is not armed: ${problems.join('; ')}`);
    if (!armed) after(chalk.yellow('fix:'), `git ci install ${where}`);
  } else {
    const why = !o.noRepo || o.noRepo.startsWith('not a git repository') ? `${process.cwd()} is not in one` : o.noRepo;
    lines.push(`  ${chalk.dim('-'.padEnd(7))}  ${'repository'.padEnd(nameWidth)}  ${chalk.dim(`none: ${why}; checked the machine only (--repo <path> checks one)`)}`);
  }
  for (const w of o.warnings) lines.push(`${chalk.yellow('warning:')} ${w}`);
  lines.push('');
  lines.push(report.ok ? chalk.green('all checks passed') : chalk.red('some checks failed (see above)'));
  return lines.join('\n');
}
