// What the dashboard keeps by the notes ref's id, on a real armed repository with real pushes:
// the overview's tip statuses and the runs list are read once; while nothing moves, asking
// again costs ref lookups (no object read, no git process but the branch list); a new run
// moves the notes and they are read again; a queued or running run is never kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { armedRepo, commit, git, push, waitForStatus } from '../helpers/fixture.js';
import { openRepo, type Repo } from '../../src/store/repo.js';
import { loadOverview } from '../../src/web/page-overview.js';
import { runsOf } from '../../src/web/api.js';
import type { RunRecord } from '../../src/report/run-record.js';
import { listQueued, listRunning } from '../../src/store/queue.js';

/** Until the runner has let go of its runs (the status shows a run recorded a little before). */
async function settled(repo: Repo): Promise<void> {
  for (let i = 0; i < 200 && (await listQueued(repo)).length + (await listRunning(repo)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
}

/** Counts what the repository's git helper is asked: processes (by their first argument) and object reads. */
function countGit(repo: Repo): { spawned: string[]; objects: number; reset: () => void } {
  const counts = { spawned: [] as string[], objects: 0, reset: () => ((counts.spawned = []), (counts.objects = 0)) };
  const git = repo.git;
  const run = git.run.bind(git);
  const object = git.object.bind(git);
  git.run = (args, options) => {
    counts.spawned.push(args[0]!);
    return run(args, options);
  };
  git.object = (rev) => {
    counts.objects++;
    return object(rev);
  };
  return counts;
}

test('the overview and the runs list are kept while the notes ref stays, and read again once a run moves it', async () => {
  const armed = await armedRepo();
  await commit(armed.clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: "true"\n' });
  await push(armed.clone);
  const first = await waitForStatus(armed.bare, 'main', 60);
  const repo = await openRepo(armed.bare);
  const repos = new Map([[path.basename(armed.bare, '.git'), repo]]);
  await settled(repo);
  const counts = countGit(repo);

  const overview = await loadOverview(repos);
  assert.is(overview[0]!.branches[0]!.status.run, first.run);
  const runs = (await runsOf(repo, 'main', 10)).body as { runs: RunRecord[] };
  assert.equal(runs.runs.map((r) => r.id), [first.run]);
  assert.ok(counts.objects > 0, 'the first time reads the notes and the run records');

  counts.reset();
  assert.equal(await loadOverview(repos), overview);
  assert.equal((await runsOf(repo, 'main', 10)).body, runs);
  assert.is(counts.objects, 0, 'nothing moved: no object read');
  assert.equal(counts.spawned, ['for-each-ref'], 'nothing moved: one git process, the branch list of the overview');

  // A new run moves the notes ref: both are read again.
  await commit(armed.clone, { 'b.txt': 'b\n' });
  await push(armed.clone);
  const second = await waitForStatus(armed.bare, 'main', 60);
  assert.is.not(second.run, first.run);
  assert.is((await loadOverview(repos))[0]!.branches[0]!.status.run, second.run);
  assert.equal(((await runsOf(repo, 'main', 10)).body as { runs: RunRecord[] }).runs.map((r) => r.id), [second.run, first.run]);

  // CI readers also read the notes a fetch brings (refs/notes/remotes/<remote>/ci): one that moves is read again too.
  await settled(repo);
  await loadOverview(repos);
  counts.reset();
  await loadOverview(repos);
  assert.is(counts.objects, 0, 'nothing moved');
  await git(armed.bare, 'update-ref', 'refs/notes/remotes/origin/ci', 'refs/notes/ci');
  await loadOverview(repos);
  assert.ok(counts.objects > 0, 'a remote notes ref appeared: the tips are read again');
});

test.run();
