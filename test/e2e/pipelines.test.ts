// Pipelines that do less work, on real pushes: artifacts passed to dependants and through a
// clone, the tree-keyed cache, supersede, cancel, retry --failed, conditions, secrets, test
// reports and `git ci run` over a range.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, push, waitForStatus, processesMatching, uniqueSleep, waitForProcess, type Armed } from '../helpers/fixture.js';

interface JobJson {
  name: string;
  state: string;
  reason: string | null;
  cached: boolean;
  cachedFrom?: string;
  cacheKey?: string;
  artifacts?: { ref: string; files: number; bytes: number } | null;
  tests?: { tests: number; passed: number; failed: number; skipped: number; failing: { name: string }[] } | null;
}

interface RunJson {
  id: string;
  state: string;
  error: string | null;
  supersededBy?: string;
  retryOf?: string;
  jobs: JobJson[];
}

async function show(bare: string, what: string): Promise<RunJson> {
  // show's exit code follows the run's state; the JSON is what matters here.
  const r = await ci(bare, 'show', what, '--json');
  assert.ok(r.stdout.trim(), r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

async function pushAndWait(repo: Armed, files: Record<string, string>, ref = 'HEAD:refs/heads/main'): Promise<{ sha: string; run: RunJson }> {
  const sha = await commit(repo.clone, files);
  await push(repo.clone, ref);
  const status = await waitForStatus(repo.bare, sha, 120);
  return { sha, run: await show(repo.bare, status.run!) };
}

const job = (run: RunJson, name: string) => run.jobs.find((j) => j.name === name)!;

test('artifacts: stored as a git tree, given to the jobs that need them, links out of the workspace refused, and read back in a clone', async () => {
  const repo = await armedRepo();
  const pipeline = [
    'jobs:',
    '  build:',
    '    artifacts: ["dist/**"]',
    '    run:',
    '      - mkdir -p dist/sub && echo built-$GIT_CI_COMMIT > dist/out.txt && echo deep > dist/sub/deep.txt',
    '      - ln -s out.txt dist/inside-link && ln -s /etc/passwd dist/outside-link && echo not-kept > notes.txt',
    '  use:',
    '    needs: [build]',
    '    run: cat dist/out.txt dist/sub/deep.txt && test -L dist/inside-link && ! test -e dist/outside-link && ! test -e notes.txt',
    '',
  ].join('\n');
  const { sha, run } = await pushAndWait(repo, { '.git-ci.yml': pipeline });
  assert.is(run.state, 'passed', JSON.stringify(run));
  const build = job(run, 'build');
  assert.is(build.artifacts?.ref, `refs/ci/artifacts/${run.id}/build`);
  assert.is(build.artifacts?.files, 3, 'out.txt, sub/deep.txt and the inside link');
  assert.match((await ci(repo.bare, 'logs', run.id, 'build')).stdout, 'outside-link');
  assert.match((await ci(repo.bare, 'logs', run.id, 'use')).stdout, `built-${sha}`);
  const tree = await git(repo.bare, 'ls-tree', '-r', '--name-only', build.artifacts!.ref);
  assert.equal(tree.split('\n').sort(), ['dist/inside-link', 'dist/out.txt', 'dist/sub/deep.txt']);

  const clone = path.join(repo.dir, 'reader');
  await git(repo.dir, 'clone', '-q', repo.bare, clone);
  await git(clone, 'fetch', '-q', 'origin', '+refs/ci/*:refs/ci/*', '+refs/notes/ci:refs/notes/ci');
  const out = path.join(repo.dir, 'extracted');
  const r = await ci(clone, 'artifacts', run.id, 'build', '-o', out);
  assert.is(r.code, 0, r.stderr);
  assert.is(await fs.readFile(path.join(out, 'dist/out.txt'), 'utf8'), `built-${sha}\n`);
});

test('artifacts: a pattern that leaves the workspace is a config error of the run, and nothing is stored', async () => {
  const repo = await armedRepo();
  const { run } = await pushAndWait(repo, { '.git-ci.yml': 'jobs:\n  build:\n    artifacts: ["../../etc/passwd", "/etc/shadow"]\n    run: echo hi\n' });
  assert.is(run.state, 'error');
  assert.match(run.error!, 'jobs.build.artifacts[0]');
  assert.match(run.error!, 'jobs.build.artifacts[1]');
  assert.is(await git(repo.bare, 'for-each-ref', 'refs/ci/artifacts/'), '');
});

test('cache: a pure job runs once per input tree; a change outside its inputs, or an identical tree on a new branch, reuses the result', async () => {
  const repo = await armedRepo();
  const pipeline = ['jobs:', '  unit:', '    cache: true', '    inputs: [src]', '    run: cat src/lib.txt && echo ran-in-$GIT_CI_RUN', ''].join('\n');
  const first = await pushAndWait(repo, { '.git-ci.yml': pipeline, 'src/lib.txt': 'v1\n', 'README.md': 'one\n' });
  assert.is(job(first.run, 'unit').state, 'passed');
  assert.is(job(first.run, 'unit').cachedFrom, undefined, 'nothing cached yet: it ran');

  const readme = await pushAndWait(repo, { 'README.md': 'two\n' });
  const reused = job(readme.run, 'unit');
  assert.is(reused.state, 'passed');
  assert.is(reused.cachedFrom, first.run.id, 'README.md is outside inputs: the result of the first run');
  assert.is(reused.cacheKey, job(first.run, 'unit').cacheKey);
  const log = (await ci(repo.bare, 'logs', readme.run.id, 'unit')).stdout;
  assert.match(log, `passed in run ${first.run.id}`);
  assert.match(log, `ran-in-${first.run.id}`, 'the earlier log comes along');
  assert.match(await git(repo.bare, 'notes', '--ref=ci', 'show', readme.sha), `cached=unit@${first.run.id}`);
  const status = JSON.parse((await ci(repo.bare, 'status', readme.sha, '--json')).stdout);
  assert.is(status.jobs[0].cachedFrom, first.run.id);
  // A clone with the notes but not the run records still knows where the result came from.
  const notesOnly = path.join(repo.dir, 'notes-only');
  await git(repo.dir, 'clone', '-q', repo.bare, notesOnly);
  await git(notesOnly, 'fetch', '-q', 'origin', '+refs/notes/ci:refs/notes/ci');
  const fromNote = JSON.parse((await ci(notesOnly, 'status', readme.sha, '--json')).stdout);
  assert.is(fromNote.jobs[0].cachedFrom, first.run.id);
  assert.is(fromNote.jobs[0].cached, true);

  const changed = await pushAndWait(repo, { 'src/lib.txt': 'v2\n' });
  assert.is(job(changed.run, 'unit').cachedFrom, undefined, 'src changed: it runs again');

  // The same tree on a new branch: free.
  await push(repo.clone, 'HEAD:refs/heads/other');
  const branchRun = await show(repo.bare, (await waitForStatus(repo.bare, 'other', 60)).run!);
  assert.ok(branchRun.id !== changed.run.id);
  assert.is(job(branchRun, 'unit').cachedFrom, changed.run.id);

  // --no-cache runs it anyway.
  const forced = await ci(repo.bare, 'run', 'main', '--no-cache');
  assert.is(forced.code, 0, forced.stdout + forced.stderr);
  const again = await show(repo.bare, 'main');
  assert.is(job(again, 'unit').cachedFrom, undefined);
});

test('supersede: a newer push to the branch cancels the running run of the older one and kills its processes', async () => {
  const repo = await armedRepo();
  const marker = uniqueSleep();
  const older = await commit(repo.clone, { '.git-ci.yml': `jobs:\n  slow:\n    run: sleep ${marker}\n` });
  await push(repo.clone);
  await waitForProcess(`sleep ${marker}`);
  const { run: newer } = await pushAndWait(repo, { '.git-ci.yml': 'jobs:\n  quick:\n    run: echo new\n' });
  assert.is(newer.state, 'passed');
  const status = await waitForStatus(repo.bare, older, 60);
  assert.is(status.state, 'canceled');
  const oldRun = await show(repo.bare, status.run!);
  assert.is(oldRun.supersededBy, newer.id);
  assert.match(oldRun.error!, `superseded by run ${newer.id}`);
  assert.equal(processesMatching(`sleep ${marker}`), []);
});

test('cancel-superseded: false keeps the older run going', async () => {
  const repo = await armedRepo();
  const older = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  slow:\n    run: sleep 2\n' });
  await push(repo.clone);
  const { run: newer } = await pushAndWait(repo, { '.git-ci.yml': 'cancel-superseded: false\njobs:\n  quick:\n    run: echo new\n' });
  assert.is(newer.state, 'passed');
  assert.is((await waitForStatus(repo.bare, older, 60)).state, 'passed');
});

test('git ci cancel stops a running run: recorded canceled, nothing left running', async () => {
  const repo = await armedRepo();
  const marker = uniqueSleep();
  const sha = await commit(repo.clone, { '.git-ci.yml': `jobs:\n  slow:\n    run: sleep ${marker}\n  after:\n    needs: [slow]\n    run: echo never\n` });
  await push(repo.clone);
  await waitForProcess(`sleep ${marker}`);
  const r = await ci(repo.bare, 'cancel', sha);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const run = await show(repo.bare, sha);
  assert.is(run.state, 'canceled');
  assert.is(run.error, 'canceled by git ci cancel');
  assert.is(job(run, 'slow').state, 'canceled');
  assert.equal(processesMatching(`sleep ${marker}`), []);
  const again = await ci(repo.bare, 'cancel', sha);
  assert.ok(again.code !== 0);
  assert.match(again.stderr, 'already ended (canceled)');
});

test('git ci retry --failed reruns the failed job and reuses the passed one', async () => {
  const repo = await armedRepo();
  const { sha, run } = await pushAndWait(repo, { '.git-ci.yml': 'jobs:\n  ok:\n    run: echo fine-$GIT_CI_RUN\n  bad:\n    run: echo trying; exit 3\n' });
  assert.is(run.state, 'failed');
  const r = await ci(repo.bare, 'retry', run.id, '--failed');
  assert.is(r.code, 1, 'the retry fails again');
  assert.match(r.stdout, 'queued run');
  const retry = await show(repo.bare, sha);
  assert.ok(retry.id !== run.id);
  assert.is(retry.retryOf, run.id);
  assert.is(job(retry, 'ok').cachedFrom, run.id);
  assert.is(job(retry, 'bad').state, 'failed');
  assert.is(job(retry, 'bad').cachedFrom, undefined);
  assert.match((await ci(repo.bare, 'logs', retry.id, 'ok')).stdout, `fine-${run.id}`);
  const refused = await ci(repo.bare, 'retry', (await show(repo.bare, 'main')).id, '--failed');
  assert.is(refused.code, 1);
});

test('conditions: package runs on main only, deploy after it; a feature branch runs the tests alone', async () => {
  const repo = await armedRepo();
  const pipeline = [
    'jobs:',
    '  test:',
    '    run: echo test',
    '  package:',
    '    needs: [test]',
    '    if: branch == "main"',
    '    run: echo package',
    '  deploy:',
    '    needs: [package]',
    '    if: branch =~ "ma*" && !tag',
    '    run: echo deploy',
    '',
  ].join('\n');
  const feature = await pushAndWait(repo, { '.git-ci.yml': pipeline }, 'HEAD:refs/heads/feature/x');
  assert.is(job(feature.run, 'test').state, 'passed');
  assert.is(job(feature.run, 'package').state, 'skipped');
  assert.match(job(feature.run, 'package').reason!, 'if: branch == "main" is false (branch feature/x, event push)');
  assert.is(job(feature.run, 'deploy').state, 'skipped');
  await push(repo.clone, 'HEAD:refs/heads/main');
  const main = await show(repo.bare, (await waitForStatus(repo.bare, 'main', 60)).run!);
  assert.equal(main.jobs.map((j) => j.state), ['passed', 'passed', 'passed']);
});

test('secrets: a job gets only the secrets it lists, and their values are masked in every log, even split across writes', async () => {
  // git config keys allow no "_": NPM_TOKEN is set as ci.secret.NPM-TOKEN.
  const repo = await armedRepo({ 'ci.secret.NPM-TOKEN': 's3cr3t-v4lue-42' });
  const pipeline = [
    'jobs:',
    '  publish:',
    '    secrets: [NPM_TOKEN]',
    // The value leaves in two writes 0.2 s apart: ${NPM_TOKEN%-*} then -${NPM_TOKEN##*-}.
    "    run: test \"$NPM_TOKEN\" = s3cr3t-v4lue-42 && printf '%s' \"${NPM_TOKEN%-*}\" && sleep 0.2 && printf -- '-%s\\n' \"${NPM_TOKEN##*-}\" && echo \"$NPM_TOKEN\"",
    '  other:',
    '    run: echo "token=${NPM_TOKEN:-unset}"',
    '',
  ].join('\n');
  const { run } = await pushAndWait(repo, { '.git-ci.yml': pipeline });
  assert.is(run.state, 'passed', JSON.stringify(run));
  const log = (await ci(repo.bare, 'logs', run.id, 'publish')).stdout;
  assert.not.match(log, 's3cr3t');
  assert.not.match(log, 'v4lue');
  assert.ok((log.match(/\*\*\*/g) ?? []).length >= 2, log);
  assert.match((await ci(repo.bare, 'logs', run.id, 'other')).stdout, 'token=unset');
  const missing = await pushAndWait(repo, { '.git-ci.yml': 'jobs:\n  p:\n    secrets: [MISSING_ONE]\n    run: echo hi\n' });
  assert.is(job(missing.run, 'p').state, 'error');
  assert.match(job(missing.run, 'p').reason!, 'secret MISSING_ONE is not set on the server');
});

test('reports: JUnit counts and failing tests reach run.json and the note', async () => {
  const repo = await armedRepo();
  const xml = '<testsuite name="s"><testcase name="a"/><testcase name="b"/><testcase name="c"><failure message="boom"/></testcase></testsuite>';
  const pipeline = ['jobs:', '  test:', '    reports: { junit: "out/*.xml" }', `    run: mkdir out && echo '${xml}' > out/r.xml && exit 1`, ''].join('\n');
  const { sha, run } = await pushAndWait(repo, { '.git-ci.yml': pipeline });
  const t = job(run, 'test').tests!;
  assert.equal([t.tests, t.passed, t.failed, t.skipped], [3, 2, 1, 0]);
  assert.is(t.failing[0]?.name, 'c');
  const note = await git(repo.bare, 'notes', '--ref=ci', 'show', sha);
  assert.match(note, 'tests=test:2/1/0');
  assert.equal(JSON.parse((await ci(repo.bare, 'status', sha, '--json')).stdout).jobs[0].tests, { passed: 2, failed: 1, skipped: 0 });
  assert.match(note, 'test: exit code 1, 2 passed, 1 failed');
});

test('git ci run over a range: every commit, oldest first, progress printed, unchanged trees cached', async () => {
  const repo = await armedRepo();
  await git(repo.bare, 'config', 'ci.concurrency', '1');
  await commit(repo.clone, { '.git-ci.yml': 'branches: [none]\njobs:\n  t:\n    cache: true\n    inputs: [code]\n    run: cat code/v\n', 'code/v': '1\n' });
  const shas = [await commit(repo.clone, { 'doc.txt': 'a\n' }), await commit(repo.clone, { 'code/v': '2\n' }), await commit(repo.clone, { 'doc.txt': 'b\n' })];
  await push(repo.clone);
  // branches: [none] keeps pushes from building: the history is backfilled by hand.
  const r = await ci(repo.bare, 'run', 'main~3..main');
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'queued 3 runs');
  assert.match(r.stdout, '[3/3]');
  const runs = await Promise.all(shas.map((s) => show(repo.bare, s)));
  assert.ok(runs[0]!.id < runs[1]!.id && runs[1]!.id < runs[2]!.id, 'oldest first');
  assert.is(job(runs[0]!, 't').cachedFrom, undefined);
  assert.is(job(runs[1]!, 't').cachedFrom, undefined, 'code/ changed');
  assert.is(job(runs[2]!, 't').cachedFrom, runs[1]!.id, 'only doc.txt changed');
  // Recorded in bulk: every run has its record and log, and the batch added few notes commits.
  for (const r of runs) assert.match((await ci(repo.bare, 'logs', r.id, 't')).stdout, 'git-ci: passed');
  const notesCommits = Number(await git(repo.bare, 'rev-list', '--count', 'refs/notes/ci'));
  assert.ok(notesCommits <= 2, `${notesCommits} notes commits for a batch of 3 runs`);
  const bad = await ci(repo.bare, 'run', 'main', '--job', 'nope');
  assert.is(bad.code, 1);
  assert.match((await show(repo.bare, 'main')).error!, 'no job named nope');
});

test('git ci run --local: the pipeline runs in the clone, in the sandbox, noted in refs/notes/ci-local only; --dirty runs uncommitted changes', async () => {
  const repo = await armedRepo();
  const pipeline = 'jobs:\n  build:\n    run: echo built > out.txt\n  check:\n    needs: [build]\n    run: test -f extra.txt && echo "event ok"\n  pushes:\n    if: event == "push"\n    run: echo never\n';
  const sha = await commit(repo.clone, { '.git-ci.yml': pipeline });
  const first = await ci(repo.clone, 'run', '--local');
  assert.is(first.code, 1, first.stdout + first.stderr);
  assert.match(first.stdout, 'build: passed');
  assert.match(first.stdout, 'check: failed');
  assert.match(first.stdout, 'pushes: skipped');
  const note = await git(repo.clone, 'notes', '--ref=ci-local', 'show', sha);
  assert.match(note, 'state=failed');
  assert.match(note, 'check:failed');
  assert.is(await git(repo.clone, 'for-each-ref', 'refs/notes/ci', 'refs/ci/'), '', 'nothing that a push would carry');
  assert.is(await git(repo.bare, 'for-each-ref', 'refs/notes/', 'refs/ci/'), '', 'the server saw nothing');

  await fs.writeFile(path.join(repo.clone, 'extra.txt'), 'not committed\n');
  const dirty = await ci(repo.clone, 'run', '--local', '--dirty');
  assert.is(dirty.code, 0, dirty.stdout + dirty.stderr);
  assert.match(dirty.stdout, 'uncommitted changes');
  assert.match(dirty.stdout, 'check: passed');
  assert.is(await git(repo.clone, 'status', '--porcelain'), '?? extra.txt', 'the working tree and index are left alone');
  const refused = await ci(repo.bare, 'run', '--local');
  assert.is(refused.code, 128);
  assert.match(refused.stderr, 'is a bare repository');
});

test.run();
