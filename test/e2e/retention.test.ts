// Retention and verification on real runs: `git ci gc` deletes old run records and artifacts
// by policy (never the newest run of a branch tip), marks their note lines, reclaims space;
// `git ci verify` tells pruned from missing; ci.gc.auto runs it from the runner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { armedRepo, ci, commit, git, push, waitForStatus, waitForRunnerExit } from '../helpers/fixture.js';

const PIPELINE = 'jobs:\n  build:\n    cache: true\n    run: head -c 200000 /dev/urandom > blob.bin && echo built\n    artifacts: [blob.bin]\n';

async function builtCommits(count: number, settings: Record<string, string> = {}) {
  const repo = await armedRepo(settings);
  const shas: string[] = [];
  const runs: string[] = [];
  for (let i = 0; i < count; i++) {
    const sha = await commit(repo.clone, i === 0 ? { '.git-ci.yml': PIPELINE } : { [`f${i}.txt`]: `${i}\n` });
    await push(repo.clone);
    const status = await waitForStatus(repo.bare, sha, 60);
    assert.is(status.state, 'passed');
    shas.push(sha);
    runs.push(status.run!);
  }
  return { repo, shas, runs };
}

const refs = async (bare: string, prefix: string) => (await git(bare, 'for-each-ref', '--format=%(refname)', prefix)).split('\n').filter(Boolean);

test('git ci gc: a dry run changes nothing; then old records and artifacts go, notes say so, space comes back, verify agrees', async () => {
  const { repo, shas, runs } = await builtCommits(4);
  const before = await git(repo.bare, 'for-each-ref');
  const dry = await ci(repo.bare, 'gc', '--dry-run', '--keep-runs', '2', '--json');
  assert.is(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout);
  assert.equal(plan.runs.map((r: { id: string }) => r.id).sort(), [runs[0], runs[1]]);
  assert.ok(plan.refs.includes(`refs/ci/runs/${runs[0]}`) && plan.refs.includes(`refs/ci/artifacts/${runs[0]}/build`));
  assert.is(await git(repo.bare, 'for-each-ref'), before, 'a dry run changes nothing');

  const gc = await ci(repo.bare, 'gc', '--keep-runs', '2', '--prune-now');
  assert.is(gc.code, 0, gc.stdout + gc.stderr);
  assert.match(gc.stdout, 'deleted 2 run record(s)');
  const reclaimed = /\(([\d.]+) (KiB|MiB) reclaimed\)/.exec(gc.stdout);
  assert.ok(reclaimed && Number(reclaimed[1]) > 0, `space reclaimed: ${gc.stdout}`);
  assert.equal((await refs(repo.bare, 'refs/ci/runs/')).sort(), [`refs/ci/runs/${runs[2]}`, `refs/ci/runs/${runs[3]}`]);
  assert.equal((await refs(repo.bare, 'refs/ci/artifacts/')).sort(), [`refs/ci/artifacts/${runs[2]}/build`, `refs/ci/artifacts/${runs[3]}/build`]);
  // The result is still true: the note line stays, marked.
  const note = await git(repo.bare, 'notes', '--ref=ci', 'show', shas[0]!);
  assert.match(note, new RegExp(`run=${runs[0]} state=passed .*pruned=\\d{4}-\\d\\d-\\d\\d`));
  assert.is(JSON.parse((await ci(repo.bare, 'status', shas[0]!, '--json')).stdout).state, 'passed');
  const verified = await ci(repo.bare, 'verify', '--all');
  assert.is(verified.code, 0, verified.stdout);
  assert.match(verified.stdout, 'run record pruned on');
  assert.match(verified.stdout, '4 run(s) on 4 commit(s): consistent');

  // Artifacts age out before records: all but the tip's newest run lose them, and the cache
  // entries that would reuse them go too.
  const aged = await ci(repo.bare, 'gc', '--keep-artifacts', '0s', '--json');
  const agedPlan = JSON.parse(aged.stdout);
  assert.equal(agedPlan.artifactsOnly.map((r: { id: string }) => r.id), [runs[2]]);
  assert.equal(await refs(repo.bare, 'refs/ci/artifacts/'), [`refs/ci/artifacts/${runs[3]}/build`], 'the tip keeps its artifacts');
  assert.match(await git(repo.bare, 'notes', '--ref=ci', 'show', shas[2]!), 'artifacts-pruned=');
  const cacheTargets = (await git(repo.bare, 'for-each-ref', '--format=%(objectname)', 'refs/ci/cache/')).split('\n').filter(Boolean);
  assert.not.ok(cacheTargets.includes(await git(repo.bare, 'rev-parse', `refs/ci/runs/${runs[2]}`)), 'no cache entry reuses deleted artifacts');
  assert.is((await ci(repo.bare, 'verify', shas[2]!)).code, 0);
  assert.match((await ci(repo.bare, 'logs', runs[2]!, 'build')).stdout, 'built', 'the record and log stay');

  const bad = await ci(repo.bare, 'gc', '--keep-artifacts', 'soon');
  assert.is(bad.code, 128);
  assert.match(bad.stderr, '--keep-artifacts: expected a duration');
});

test('git ci gc keeps the newest run of a branch tip past the policy; verify finds what is missing or not noted', async () => {
  const { repo, shas, runs } = await builtCommits(2);
  // A newer run of the older commit (a retry, on main too): with --keep-runs 1 it is the one
  // kept for the branch, but the tip's newest run must stay too.
  const again = await ci(repo.bare, 'retry', runs[0]!);
  assert.is(again.code, 0, again.stdout + again.stderr);
  const rerun = JSON.parse((await ci(repo.bare, 'status', shas[0]!, '--json')).stdout).run as string;
  const gc = await ci(repo.bare, 'gc', '--keep-runs', '1', '--json');
  const plan = JSON.parse(gc.stdout);
  assert.equal(plan.runs.map((r: { id: string }) => r.id), [runs[0]]);
  assert.is(plan.protectedTips, 1);
  assert.equal((await refs(repo.bare, 'refs/ci/runs/')).sort(), [`refs/ci/runs/${runs[1]}`, `refs/ci/runs/${rerun}`].sort());

  // Deleted by hand, not by gc: verify calls it a problem.
  await git(repo.bare, 'update-ref', '-d', `refs/ci/runs/${runs[1]}`);
  const missing = await ci(repo.bare, 'verify', 'main');
  assert.is(missing.code, 1, missing.stdout);
  assert.match(missing.stdout, `no run record refs/ci/runs/${runs[1]}`);
  // A run record no note points at.
  await git(repo.bare, 'update-ref', 'refs/ci/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ', `refs/ci/runs/${rerun}`);
  const all = JSON.parse((await ci(repo.bare, 'verify', '--all', '--json')).stdout);
  const messages = all.findings.map((f: { message: string }) => f.message).join('\n');
  assert.match(messages, 'refs/ci/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ has no note line');
  assert.match(messages, `no run record refs/ci/runs/${runs[1]}`);
});

test('ci.gc.auto: the runner applies the policy after every N recorded runs', async () => {
  const { repo, shas, runs } = await builtCommits(3, { 'ci.gc.auto': '1', 'ci.gc.keepRuns': '1' });
  await waitForRunnerExit(repo.bare);
  assert.equal(await refs(repo.bare, 'refs/ci/runs/'), [`refs/ci/runs/${runs[2]}`]);
  assert.match(await git(repo.bare, 'notes', '--ref=ci', 'show', shas[0]!), 'pruned=');
  assert.match(await git(repo.bare, 'notes', '--ref=ci', 'show', shas[1]!), 'pruned=');
});

test.run();
