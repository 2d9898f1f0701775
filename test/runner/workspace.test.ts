// Checkouts: a small plain tree written by the runner from cat-file must equal git's own
// read-tree checkout byte for byte; anything git could write differently goes through git.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Git } from '../../src/store/git.js';
import { checkOut, checkOutWithGit, makeWorkspace, planPlainCheckout, plainConfigAllows, removeWorkspace, writePlainCheckout, PLAIN_MAX_ENTRIES } from '../../src/runner/workspace.js';
import { run, tempDir } from '../helpers/fixture.js';

/** A bare repository, and a Git on it as the runner has one. */
async function bareRepo(): Promise<{ bare: string; git: Git }> {
  const bare = path.join(tempDir('workspace'), 'repo.git');
  await gitIn(bare, ['init', '-q', '--bare', bare]);
  return { bare, git: new Git(bare) };
}

async function gitIn(bare: string, args: string[], input?: string): Promise<string> {
  const dir = path.dirname(bare);
  await fs.mkdir(dir, { recursive: true });
  const full = args[0] === 'init' ? args : [`--git-dir=${bare}`, ...args];
  if (input === undefined) {
    const r = await run('git', full, dir);
    if (r.code !== 0) throw new Error(`git ${full.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }
  const r = spawnSync('git', full, { input, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  if (r.status !== 0) throw new Error(`git ${full.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function blob(bare: string, content: string | Buffer): Promise<string> {
  const r = spawnSync('git', [`--git-dir=${bare}`, 'hash-object', '-w', '--stdin'], { input: content });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

/** A tree from `mode type oid\tname` lines (git mktree, which checks modes, not names). */
function mktree(bare: string, lines: string[]): Promise<string> {
  return gitIn(bare, ['mktree', '--missing'], lines.map((l) => `${l}\n`).join(''));
}

function commitTree(bare: string, tree: string): Promise<string> {
  return gitIn(bare, ['-c', 'user.name=T', '-c', 'user.email=t@e', 'commit-tree', tree, '-m', 'c'], undefined);
}

/** Every path under a folder: its type, permission bits, and content or link target. */
async function snapshot(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await fs.readdir(path.join(dir, rel))).sort()) {
    const p = path.join(rel, name);
    const st = await fs.lstat(path.join(dir, p));
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.push(`${p} link ${mode} -> ${(await fs.readlink(path.join(dir, p), { encoding: 'buffer' })).toString('hex')}`);
    else if (st.isDirectory()) out.push(`${p}/ dir ${mode}`, ...(await snapshot(dir, p)));
    else out.push(`${p} file ${mode} ${(await fs.readFile(path.join(dir, p))).toString('hex')}`);
  }
  return out;
}

/** Checks a commit out both ways (the runner's and git's) and returns both snapshots. */
async function bothWays(git: Git, commit: string): Promise<[string[], string[]]> {
  const a = await makeWorkspace('test-plain');
  const b = await makeWorkspace('test-git');
  try {
    await checkOut(git, a, commit);
    await checkOutWithGit(git, b, commit);
    return [await snapshot(a.dir), await snapshot(b.dir)];
  } finally {
    await removeWorkspace(a);
    await removeWorkspace(b);
  }
}

test('a plain tree is written without git, byte for byte what read-tree writes', async () => {
  const { bare, git } = await bareRepo();
  const script = await blob(bare, '#!/bin/sh\necho hi\n');
  const empty = await blob(bare, '');
  const crlf = await blob(bare, 'a\r\nb\r\n');
  const binary = await blob(bare, Buffer.from([0, 1, 2, 255, 10, 13]));
  const target = await blob(bare, '../ünïcode/日本.txt');
  const dangling = await blob(bare, '/nowhere/at/all');
  const deep = await mktree(bare, [`100644 blob ${crlf}\tcrlf.txt`, `100755 blob ${script}\trun.sh`]);
  const uni = await mktree(bare, [`100644 blob ${binary}\t日本.txt`, `040000 tree ${deep}\tdeeper`]);
  const root = await mktree(bare, [
    `100644 blob ${empty}\t.gitignore`,
    `100644 blob ${empty}\tempty`,
    `100755 blob ${script}\tbuild.sh`,
    `120000 blob ${target}\tlink`,
    `120000 blob ${dangling}\tdangling`,
    `040000 tree ${uni}\tünïcode`,
    `100644 blob ${binary}\twith space.bin`,
  ]);
  const commit = await commitTree(bare, root);
  assert.ok(await planPlainCheckout(git, commit), 'the tree is plain');
  const [plain, viaGit] = await bothWays(git, commit);
  assert.ok(viaGit.length >= 10, viaGit.join('\n'));
  assert.equal(plain, viaGit);
});

test('a .gitattributes anywhere, a submodule, or a crafted name sends the checkout through git', async () => {
  const { bare, git } = await bareRepo();
  const text = await blob(bare, 'a\nb\n');
  const attrs = await blob(bare, '* text eol=crlf\n');
  const sub = await mktree(bare, [`100644 blob ${attrs}\t.gitattributes`, `100644 blob ${text}\tt.txt`]);
  const withAttrs = await commitTree(bare, await mktree(bare, [`040000 tree ${sub}\tsub`, `100644 blob ${text}\tt.txt`]));
  assert.is(await planPlainCheckout(git, withAttrs), undefined);
  const [plain, viaGit] = await bothWays(git, withAttrs);
  assert.equal(plain, viaGit);
  assert.ok(plain.some((l) => l.startsWith('sub/t.txt file') && l.endsWith(Buffer.from('a\r\nb\r\n').toString('hex'))), 'git applied the attributes');

  const gitlink = await commitTree(bare, await mktree(bare, [`160000 commit ${'1'.repeat(40)}\tvendor`, `100644 blob ${text}\tt.txt`]));
  assert.is(await planPlainCheckout(git, gitlink), undefined, 'submodule');

  for (const name of ['.git', '.GIT', '.git.', 'git~1', 'a\\b']) {
    const crafted = await commitTree(bare, await mktree(bare, [`100644 blob ${text}\t${name}`]));
    assert.is(await planPlainCheckout(git, crafted), undefined, name);
  }
});

test('crafted trees the runner must not write itself: dot names, duplicates, a slash', async () => {
  const { bare, git } = await bareRepo();
  const text = await blob(bare, 'x\n');
  const link = await blob(bare, '/etc');
  const sub = await mktree(bare, [`100644 blob ${text}\tpasswd`]);
  const rawTree = (entries: [string, string, string][]) => {
    const parts = entries.map(([mode, name, oid]) => Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')]));
    return hashLiterally(bare, Buffer.concat(parts));
  };
  for (const entries of [
    [['100644', '..', text]],
    [['100644', '.', text]],
    [['100644', 'a/b', text]],
    [
      ['120000', 'a', link],
      ['40000', 'a', sub],
    ],
  ] as [string, string, string][][]) {
    const commit = await commitTree(bare, await rawTree(entries));
    assert.is(await planPlainCheckout(git, commit), undefined, JSON.stringify(entries));
  }
});

async function hashLiterally(bare: string, content: Buffer): Promise<string> {
  const r = spawnSync('git', [`--git-dir=${bare}`, 'hash-object', '-w', '-t', 'tree', '--literally', '--stdin'], { input: content });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

test('writing a plain tree never follows a symlink already in its way', async () => {
  const { bare, git } = await bareRepo();
  const text = await blob(bare, 'x\n');
  const outside = tempDir('workspace-outside');
  for (const plan of [
    { dirs: [], files: [{ path: 'f', kind: 'file' as const, oid: text }] },
    { dirs: ['d'], files: [{ path: 'd/f', kind: 'file' as const, oid: text }] },
  ]) {
    const ws = await makeWorkspace('test-link');
    try {
      await fs.symlink(path.join(outside, plan.dirs[0] ?? 'f'), path.join(ws.dir, plan.dirs[0] ?? 'f'));
      if (plan.dirs[0]) await fs.mkdir(path.join(outside, plan.dirs[0]));
      await writePlainCheckout(git, ws.dir, plan).then(
        () => assert.unreachable('wrote through a link'),
        (err: NodeJS.ErrnoException) => assert.is(err.code, 'EEXIST'),
      );
      assert.equal((await snapshot(outside)).filter((l) => !l.endsWith('/ dir 755') && !/\/ dir \d+$/.test(l)), [], 'nothing written outside');
    } finally {
      await removeWorkspace(ws);
      await fs.rm(path.join(outside, plan.dirs[0] ?? 'f'), { recursive: true, force: true });
    }
  }
});

test('a large tree goes through git, and still checks out the same', async () => {
  const { bare, git } = await bareRepo();
  const text = await blob(bare, 'x\n');
  const lines = Array.from({ length: PLAIN_MAX_ENTRIES + 1 }, (_, i) => `100644 blob ${text}\tf${String(i).padStart(4, '0')}`);
  const commit = await commitTree(bare, await mktree(bare, lines));
  assert.is(await planPlainCheckout(git, commit), undefined);
  const [plain, viaGit] = await bothWays(git, commit);
  assert.is(plain.length, PLAIN_MAX_ENTRIES + 1);
  assert.equal(plain, viaGit);
});

test('config that changes a checkout (autocrlf, no symlinks, sparse, attributes file) turns plain checkouts off', async () => {
  assert.ok(plainConfigAllows(''));
  assert.ok(plainConfigAllows('core.symlinks\ntrue\0core.autocrlf\nfalse\0core.sparsecheckout\nfalse\0'));
  assert.ok(plainConfigAllows('core.autocrlf\ninput\0core.protecthfs\nno\0'));
  assert.not.ok(plainConfigAllows('core.autocrlf\ntrue\0'));
  assert.not.ok(plainConfigAllows('core.autocrlf\0'));
  assert.not.ok(plainConfigAllows('core.symlinks\nfalse\0'));
  assert.not.ok(plainConfigAllows('core.sparsecheckout\ntrue\0'));
  assert.not.ok(plainConfigAllows('core.attributesfile\n/x\0'));
  assert.not.ok(plainConfigAllows('core.eol\ncrlf\0'));

  const { bare, git } = await bareRepo();
  await gitIn(bare, ['config', 'core.autocrlf', 'true']);
  const text = await blob(bare, 'a\nb\n');
  const commit = await commitTree(bare, await mktree(bare, [`100644 blob ${text}\tt.txt`]));
  assert.is(await planPlainCheckout(git, commit), undefined);
  const [plain, viaGit] = await bothWays(git, commit);
  assert.equal(plain, viaGit);

  const other = await bareRepo();
  await fs.mkdir(path.join(other.bare, 'info'), { recursive: true });
  await fs.writeFile(path.join(other.bare, 'info', 'attributes'), '* text eol=crlf\n');
  const text2 = await blob(other.bare, 'a\nb\n');
  const commit2 = await commitTree(other.bare, await mktree(other.bare, [`100644 blob ${text2}\tt.txt`]));
  assert.is(await planPlainCheckout(other.git, commit2), undefined, 'info/attributes');
});

test.run();
