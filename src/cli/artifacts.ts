// `git ci artifacts <rev|run-id> [<job>] [-o <dir> | --tar <file.tar.gz>]`: list or fetch the files
// jobs kept. It only reads refs/ci/artifacts/*, so it works in the bare repo and in any clone that
// fetched refs/ci/*.
import type { CommandModule } from 'yargs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import { repoFromArgs } from './repo-arg.js';
import { commitRunView, resolveRunOrRev } from '../store/results.js';
import { readRunRecord, findRunIds } from '../store/runs.js';
import { artifactFiles, artifactsRef, findArtifactRunIds, listArtifacts, restoreArtifacts, type ArtifactFile } from '../store/artifacts.js';
import { UserError } from '../store/errors.js';
import { formatSize } from '../pipeline/size.js';
import type { Repo } from '../store/repo.js';

interface Args {
  repo?: string;
  target: string;
  job?: string;
  output?: string;
  tar?: string;
  list: boolean;
  json: boolean;
  force: boolean;
}

const EXIT_USAGE = 129;
// Exit 3 as in `git ci logs` and `show`: what was asked for was not recorded.
const EXIT_NOT_RECORDED = 3;

export const artifactsCommand: CommandModule<object, Args> = {
  command: 'artifacts <target> [job]',
  describe: "list or fetch the files a run's jobs kept (-o <dir> extracts, --tar writes a .tar.gz)",
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'a revision (its newest run) or a run id' })
      .positional('job', { type: 'string', describe: 'the job whose artifacts to list or fetch' })
      .option('output', { type: 'string', alias: 'o', describe: "extract the job's files into this folder" })
      .option('tar', { type: 'string', describe: "write the job's files as a gzipped tar to this file" })
      .option('list', { type: 'boolean', default: false, describe: 'only list (the jobs with artifacts, or the files of a job)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .option('force', { type: 'boolean', default: false, describe: 'write into a folder that is not empty, or over an existing tar file' })
      .example('$0 artifacts HEAD', "which jobs of HEAD's newest run kept files")
      .example('$0 artifacts HEAD build -o out', "extract build's files into ./out")
      .example('$0 artifacts 01JF8Z5X build --tar build.tar.gz', 'a tarball of them') as never,
  handler: async (argv) => {
    if (argv.output !== undefined && argv.tar !== undefined) throw new UserError('use either -o <dir> or --tar <file>, not both', EXIT_USAGE);
    if (argv.list && (argv.output !== undefined || argv.tar !== undefined)) {
      throw new UserError('--list only lists; drop it to extract with -o or --tar', EXIT_USAGE);
    }
    const repo = await repoFromArgs(argv);
    const { runId, state } = await resolveArtifactsRun(repo, argv.target);
    const jobs = await listArtifacts(repo.git, runId);
    if (jobs.length === 0) {
      const why = state === 'queued' || state === 'running' ? ` yet (it is ${state})` : '';
      throw new UserError(`run ${runId} stored no artifacts${why}`, EXIT_NOT_RECORDED);
    }
    const extracting = argv.output !== undefined || argv.tar !== undefined;
    let job = argv.job;
    if (job === undefined) {
      if (jobs.length > 1 && extracting) {
        throw new UserError(`run ${runId} has artifacts of ${jobs.join(', ')}: name one (git ci artifacts ${runId} ${jobs[0]} ...)`, EXIT_USAGE);
      }
      if (jobs.length > 1 || argv.list) return printJobs(repo, runId, jobs, argv.json);
      job = jobs[0]!;
    }
    if (!jobs.includes(job)) throw await noSuchJob(repo, runId, job, jobs);
    const ref = artifactsRef(runId, job);
    if (argv.output !== undefined) return extractToFolder(repo, runId, job, argv.output, argv);
    if (argv.tar !== undefined) return writeTarball(repo, runId, job, argv.tar, argv);
    const files = await artifactFiles(repo.git, ref);
    if (argv.json) {
      console.log(JSON.stringify({ run: runId, job, ref, files: files.map(({ path, size, mode }) => ({ path, size, mode })) }, null, 2));
      return;
    }
    printFiles(files);
  },
};

/** A run id from what the user typed; a run known only by its artifacts refs counts too. */
async function resolveArtifactsRun(repo: Repo, what: string): Promise<{ runId: string; state: string | null }> {
  const upper = what.toUpperCase();
  if (/^[0-9A-HJKMNP-TV-Z]{6,26}$/.test(upper) && !/^[0-9a-f]+$/.test(what)) {
    const ids = [...new Set([...(await findArtifactRunIds(repo.git, upper)), ...(await findRunIds(repo.git, upper))])];
    if (ids.length === 1) return { runId: ids[0]!, state: null };
    if (ids.length > 1) throw new UserError(`run id prefix ${what} is ambiguous: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`);
  }
  const target = await resolveRunOrRev(repo, what);
  if ('runId' in target) return { runId: target.runId, state: null };
  const view = await commitRunView(repo, target.commit);
  if (!view.status.run) throw new UserError(`no run recorded for ${what} (${target.commit.slice(0, 10)})`, EXIT_NOT_RECORDED);
  return { runId: view.status.run, state: view.status.state };
}

async function noSuchJob(repo: Repo, runId: string, job: string, jobs: string[]): Promise<UserError> {
  const record = await readRunRecord(repo.git, runId).catch(() => undefined);
  if (record && !record.jobs.some((j) => j.name === job)) {
    return new UserError(`run ${runId} has no job "${job}"; its jobs: ${record.jobs.map((j) => j.name).join(', ') || 'none'}`);
  }
  return new UserError(`job "${job}" of run ${runId} stored no artifacts; jobs with artifacts: ${jobs.join(', ')}`, EXIT_NOT_RECORDED);
}

async function printJobs(repo: Repo, runId: string, jobs: string[], json: boolean): Promise<void> {
  const rows = await Promise.all(
    jobs.map(async (job) => {
      const files = await artifactFiles(repo.git, artifactsRef(runId, job));
      return { job, ref: artifactsRef(runId, job), files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
    }),
  );
  if (json) {
    console.log(JSON.stringify({ run: runId, jobs: rows }, null, 2));
    return;
  }
  console.log(chalk.bold(`artifacts of run ${runId}`));
  const width = Math.max(...rows.map((r) => r.job.length));
  for (const r of rows) {
    console.log(`  ${r.job.padEnd(width)}  ${plural(r.files, 'file').padStart(10)}  ${formatSize(r.bytes).padStart(10)}`);
  }
  console.log(chalk.dim(`\ngit ci artifacts ${runId} <job> lists a job's files; add -o <dir> to extract them`));
}

function printFiles(files: ArtifactFile[]): void {
  const sizes = files.map((f) => formatSize(f.size));
  const width = Math.max(0, ...sizes.map((s) => s.length));
  files.forEach((f, i) => {
    const kind = f.mode === '100755' ? 'exec' : f.mode === '120000' ? 'link' : 'file';
    console.log(`${chalk.dim(kind)}  ${sizes[i]!.padStart(width)}  ${f.path}`);
  });
  console.log(chalk.dim(`${plural(files.length, 'file')}, ${formatSize(files.reduce((sum, f) => sum + f.size, 0))}`));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function extractToFolder(repo: Repo, runId: string, job: string, dir: string, argv: Args): Promise<void> {
  const target = path.resolve(dir);
  const st = await fs.stat(target).catch(() => undefined);
  if (st && !st.isDirectory()) throw new UserError(`${dir} exists and is not a folder`);
  if (st && !argv.force && (await fs.readdir(target)).length > 0) {
    throw new UserError(`${dir} is not empty; pass --force to write the artifacts into it anyway`);
  }
  const result = await restoreArtifacts(repo.git, artifactsRef(runId, job), target);
  for (const m of result.messages) console.error(`${chalk.yellow('git-ci:')} ${m}`);
  if (argv.json) {
    console.log(JSON.stringify({ run: runId, job, dir: target, files: result.files, bytes: result.bytes, messages: result.messages }, null, 2));
    return;
  }
  console.log(`extracted ${plural(result.files, 'file')} (${formatSize(result.bytes)}) of ${job}, run ${runId}, into ${dir}`);
}

async function writeTarball(repo: Repo, runId: string, job: string, file: string, argv: Args): Promise<void> {
  // Loaded only for --tar, so no other command pays for it.
  const tar = await import('tar');
  const ref = artifactsRef(runId, job);
  const out = path.resolve(file);
  if (!argv.force && (await fs.lstat(out).then(() => true, () => false))) throw new UserError(`${file} exists; pass --force to replace it`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'git-ci-tar-'));
  try {
    const result = await restoreArtifacts(repo.git, ref, tmp);
    for (const m of result.messages) console.error(`${chalk.yellow('git-ci:')} ${m}`);
    // The top-level entries rather than ".": a "./" entry would carry the temp folder's 0700 mode
    // onto whatever folder the tarball is unpacked in.
    const entries = (await fs.readdir(tmp)).sort();
    if (entries.length === 0) throw new UserError(`nothing of ${job}'s artifacts could be put in a tar file`);
    await tar.c({ gzip: true, cwd: tmp, file: out }, entries);
    if (argv.json) {
      console.log(JSON.stringify({ run: runId, job, tar: out, files: result.files, bytes: result.bytes, messages: result.messages }, null, 2));
      return;
    }
    console.log(`wrote ${file}: ${plural(result.files, 'file')} (${formatSize(result.bytes)}) of ${job}, run ${runId}`);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
