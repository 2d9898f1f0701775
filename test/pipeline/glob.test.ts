import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkWorkspacePattern, globToRegExp, matchGlob, stripTrailingSlash } from '../../src/pipeline/glob.js';

const matches = (pattern: string, paths: string[]) => paths.filter((path) => matchGlob(pattern, path));

const TREE = [
  'README.md', '.env', 'package.json', 'dist/app.js', 'dist/.map', 'dist/lib/util.js', 'distance.txt',
  'coverage/lcov.info', 'test-results/unit.xml', 'test-results/e2e/browser.xml', 'src/a.ts', 'src/deep/b.ts',
];

test('* stays within one segment and matches dotfiles', () => {
  assert.equal(matches('*.md', TREE), ['README.md']);
  assert.equal(matches('*', TREE), TREE);
  assert.equal(matches('src/*.ts', TREE), ['src/a.ts']);
  assert.equal(matches('.*', TREE), ['.env']);
  assert.equal(matches('dist/.*', TREE), ['dist/.map']);
  assert.not.ok(matchGlob('*.ts', 'src/a.ts'));
});

test('? is one character other than /', () => {
  assert.ok(matchGlob('src/?.ts', 'src/a.ts'));
  assert.not.ok(matchGlob('src/?.ts', 'src/ab.ts'));
  assert.not.ok(matchGlob('src?a.ts', 'src/a.ts'));
});

test('** is any number of segments, zero included', () => {
  assert.equal(matches('dist/**', TREE), ['dist/app.js', 'dist/.map', 'dist/lib/util.js']);
  assert.equal(matches('**/*.xml', TREE), ['test-results/unit.xml', 'test-results/e2e/browser.xml']);
  assert.equal(matches('test-results/**/*.xml', TREE), ['test-results/unit.xml', 'test-results/e2e/browser.xml']);
  assert.equal(matches('**/b.ts', TREE), ['src/deep/b.ts']);
  assert.equal(matches('**', TREE), TREE);
  assert.ok(matchGlob('a/**/b/**/c', 'a/b/c'));
  assert.ok(matchGlob('a/**/b/**/c', 'a/x/y/b/z/c'));
  assert.not.ok(matchGlob('a/**/b', 'a/xb'));
  assert.ok(matchGlob('dist/**', 'dist'));
});

test('** inside a segment is just two stars', () => {
  assert.ok(matchGlob('di**', 'dist/app.js'));
  assert.not.ok(matchGlob('src/a**', 'src/deep/b.ts'));
});

test('a folder takes everything under it, with or without a trailing slash', () => {
  const dist = ['dist/app.js', 'dist/.map', 'dist/lib/util.js'];
  assert.equal(matches('dist', TREE), dist);
  assert.equal(matches('dist/', TREE), dist);
  assert.equal(matches('dist/lib', TREE), ['dist/lib/util.js']);
  assert.equal(matches('dist/*', TREE), dist);
  assert.equal(matches('coverage/lcov.info', TREE), ['coverage/lcov.info']);
  assert.not.ok(matchGlob('dist', 'distance.txt'));
});

test('repeated stars and ** segments do not slow matching down', () => {
  const started = Date.now();
  assert.not.ok(matchGlob(`${'**/'.repeat(30)}x`, `${'a/'.repeat(60)}y`));
  assert.not.ok(matchGlob(`${'*'.repeat(30)}x`, 'a'.repeat(250)));
  assert.ok(matchGlob('a/**/**/b', 'a/b'));
  assert.ok(Date.now() - started < 1_000);
});

test('patterns are anchored at the workspace root', () => {
  assert.not.ok(matchGlob('lib/util.js', 'dist/lib/util.js'));
  assert.not.ok(matchGlob('app.js', 'dist/app.js'));
});

test('character classes', () => {
  assert.ok(matchGlob('src/[ab].ts', 'src/a.ts'));
  assert.not.ok(matchGlob('src/[!a].ts', 'src/a.ts'));
  assert.ok(matchGlob('src/[^x].ts', 'src/a.ts'));
  assert.ok(matchGlob('file[0-9].txt', 'file7.txt'));
  assert.not.ok(matchGlob('file[0-9].txt', 'fileA.txt'));
  assert.ok(matchGlob('[]]x', ']x'));
  assert.ok(matchGlob('a[-]b', 'a-b'));
  assert.not.ok(matchGlob('a[!b]c', 'a/c'));
});

test('regular expression characters are literal', () => {
  assert.ok(matchGlob('a+b(1).$x', 'a+b(1).$x'));
  assert.not.ok(matchGlob('a.b', 'axb'));
  assert.ok(matchGlob('{a,b}', '{a,b}'));
});

test('globToRegExp never throws, even on patterns checkWorkspacePattern rejects', () => {
  for (const pattern of ['[', 'a[', '[z-a]', '[!]', '\\', '(', '**/**/**', '']) {
    assert.instance(globToRegExp(pattern), RegExp, pattern);
  }
  assert.ok(matchGlob('a[b', 'a[b'));
  assert.not.ok(matchGlob('x[z-a]', 'xb'));
});

test('checkWorkspacePattern accepts workspace-relative patterns', () => {
  for (const pattern of ['dist/**', 'coverage/lcov.info', '**/*.xml', 'dist/', '.hidden', 'a..b', '...', 'x/[a-z]*']) {
    assert.is(checkWorkspacePattern(pattern), null, pattern);
  }
});

test('checkWorkspacePattern says what escapes the workspace', () => {
  assert.is(checkWorkspacePattern(''), 'expected a non-empty path, got an empty string');
  assert.is(checkWorkspacePattern('  '), 'expected a non-empty path, got an empty string');
  assert.is(checkWorkspacePattern('/etc/passwd'), 'expected a relative path, got the absolute path "/etc/passwd"');
  assert.is(checkWorkspacePattern('/'), 'expected a relative path, got the absolute path "/"');
  assert.is(checkWorkspacePattern('../secrets'), 'expected a path that stays inside the workspace, got ".." in "../secrets"');
  assert.is(checkWorkspacePattern('dist/../..'), 'expected a path that stays inside the workspace, got ".." in "dist/../.."');
  assert.is(checkWorkspacePattern('dist/..'), 'expected a path that stays inside the workspace, got ".." in "dist/.."');
  assert.is(checkWorkspacePattern('dist\\app.js'), 'expected "/" between folders and no backslashes, got "dist\\\\app.js"');
  assert.is(checkWorkspacePattern('./dist'), 'expected a path without "." segments, got "./dist" (write "dist")');
  assert.is(checkWorkspacePattern('.'), 'expected a path without "." segments, got "."');
  assert.is(checkWorkspacePattern('a//b'), 'expected a path without empty segments ("//"), got "a//b"');
  assert.is(checkWorkspacePattern('dist//'), 'expected a path without empty segments ("//"), got "dist//"');
  assert.is(checkWorkspacePattern('a[bc'), 'unclosed "[" in "a[bc"');
  assert.is(checkWorkspacePattern('x[z-a]'), 'range "z-a" is reversed in "x[z-a]"');
});

test('stripTrailingSlash drops one slash and keeps a lone "/"', () => {
  assert.is(stripTrailingSlash('src/'), 'src');
  assert.is(stripTrailingSlash('src'), 'src');
  assert.is(stripTrailingSlash('/'), '/');
});

test.run();
