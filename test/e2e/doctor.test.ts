// End to end: `git ci doctor` on this machine (root, cgroup v1, bubblewrap, prlimit), in an
// armed repository, in a plain bare one, and outside any repository.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { armedRepo, ci, git, tempDir } from '../helpers/fixture.js';

const LAYERS = ['cgroup', 'uid', 'namespaces', 'rlimits'];

interface DoctorJson {
  layers: Record<string, { ok: boolean; detail: string; fix: string | null }>;
  sandbox: string;
  sandboxMeans: string;
  git: string | null;
  node: string;
  repo: { path: string; armed: boolean; problems: string[] } | null;
  ok: boolean;
}

test('in an armed repository on this machine: every layer ok, armed, exit 0', async () => {
  const { bare } = await armedRepo();
  const r = await ci(bare, 'doctor');
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const layer of LAYERS) assert.match(r.stdout, new RegExp(`^  ok +${layer} +\\S`, 'm'), `${layer} is ok:\n${r.stdout}`);
  assert.not.match(r.stdout, 'missing');
  assert.match(r.stdout, /^ci\.sandbox auto: jobs run in every layer$/m);
  assert.match(r.stdout, /^  ok +git +\d+\.\d+/m);
  assert.match(r.stdout, /^  ok +node +\d+\.\d+/m);
  assert.match(r.stdout, `${path.resolve(bare)} is armed`);
});

test('--json has the documented shape, and follows the repository settings', async () => {
  const { bare, dir } = await armedRepo({ 'ci.sandbox': 'strict' });
  const r = await ci(dir, 'doctor', '--repo', bare, '--json');
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as DoctorJson;
  assert.equal(Object.keys(report), ['layers', 'sandbox', 'sandboxMeans', 'git', 'node', 'repo', 'ok']);
  assert.equal(Object.keys(report.layers), LAYERS);
  for (const layer of LAYERS) {
    const l = report.layers[layer]!;
    assert.equal(Object.keys(l), ['ok', 'detail', 'fix']);
    assert.is(l.ok, true, `${layer}: ${l.detail}`);
    assert.type(l.detail, 'string');
    assert.ok(l.fix === null || typeof l.fix === 'string');
  }
  assert.match(report.layers.cgroup!.detail, /cgroup v[12]/);
  assert.match(report.layers.namespaces!.detail, 'bubblewrap');
  assert.is(report.sandbox, 'strict');
  assert.match(report.sandboxMeans, 'jobs run in every layer');
  assert.match(report.git!, /^\d+\.\d+/);
  assert.is(report.node, process.versions.node);
  assert.equal(report.repo, { path: path.resolve(bare), armed: true, problems: [] });
  assert.is(report.ok, true);
});

test('a plain bare repository is reported not armed, exit 1', async () => {
  const dir = tempDir('doctor');
  const bare = path.join(dir, 'plain.git');
  await git(dir, 'init', '-q', '--bare', bare);
  const r = await ci(dir, 'doctor', '--repo', bare);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, `${bare} is not armed`);
  assert.match(r.stdout, `fix: git ci install ${bare}`);
  const json = await ci(bare, 'doctor', '--json');
  assert.is(json.code, 1);
  const report = JSON.parse(json.stdout) as DoctorJson;
  assert.is(report.repo!.armed, false);
  assert.is(report.repo!.path, bare);
  assert.ok(report.repo!.problems.some((p) => p.includes('post-receive')), report.repo!.problems.join('\n'));
  assert.ok(report.repo!.problems.some((p) => p.includes('queue')), report.repo!.problems.join('\n'));
  assert.is(report.ok, false);
  for (const layer of LAYERS) assert.is(report.layers[layer]!.ok, true, 'the machine itself is fine');
});

test('outside any repository it reports the machine only', async () => {
  const dir = tempDir('doctor-norepo');
  const r = await ci(dir, 'doctor');
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const layer of LAYERS) assert.match(r.stdout, new RegExp(`^  ok +${layer} `, 'm'));
  assert.match(r.stdout, 'checked the machine only');
  assert.match(r.stdout, /^ci\.sandbox auto \(the default: no repository\)/m);
  const json = JSON.parse((await ci(dir, 'doctor', '--json')).stdout) as DoctorJson;
  assert.is(json.repo, null);
  assert.is(json.sandbox, 'auto');
  assert.is(json.ok, true);
});

test('--repo naming no repository is an error, exit 128', async () => {
  const dir = tempDir('doctor-bad');
  const r = await ci(dir, 'doctor', '--repo', path.join(dir, 'nope'));
  assert.is(r.code, 128);
  assert.match(r.stderr, 'no such directory');
});

test.run();
