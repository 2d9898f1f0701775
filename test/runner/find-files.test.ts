// The report finder: globs over a workspace, never through a link, bounded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFiles } from '../../src/runner/find-files.js';

function workspace(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'git-ci-find-'));
  mkdirSync(path.join(root, 'out/deep'), { recursive: true });
  mkdirSync(path.join(root, 'outside'));
  writeFileSync(path.join(root, 'out/a.xml'), '<x/>');
  writeFileSync(path.join(root, 'out/deep/b.xml'), '<x/>');
  writeFileSync(path.join(root, 'out/c.txt'), 'no');
  writeFileSync(path.join(root, 'outside/d.xml'), '<x/>');
  symlinkSync(path.join(root, 'outside'), path.join(root, 'out/link'));
  symlinkSync('/etc/hostname', path.join(root, 'out/e.xml'));
  return root;
}

test('matches files by glob, sorted, and never follows a link (to a folder or a file)', async () => {
  const root = workspace();
  assert.equal(await findFiles(root, ['out/*.xml']), ['out/a.xml']);
  assert.equal(await findFiles(root, ['out/**/*.xml']), ['out/a.xml', 'out/deep/b.xml']);
  assert.equal(await findFiles(root, ['**/*.xml']), ['out/a.xml', 'out/deep/b.xml', 'outside/d.xml']);
});

test('stops at the limit of files and of entries looked at', async () => {
  const root = workspace();
  assert.equal(await findFiles(root, ['**/*.xml'], 1), ['out/a.xml']);
  assert.equal(await findFiles(root, ['**/*.xml'], 1000, 2), []);
});

test.run();
