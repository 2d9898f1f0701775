import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { branchMatches, branchPatternProblem } from '../../src/pipeline/branch-match.js';

test('star matches any run of characters, slashes included', () => {
  assert.ok(branchMatches(['*'], 'main'));
  assert.ok(branchMatches(['*'], 'feature/deep/x'));
  assert.ok(branchMatches(['feature/*'], 'feature/a/b'));
  assert.ok(branchMatches(['release-*'], 'release-'));
  assert.not.ok(branchMatches(['feature/*'], 'features/a'));
});

test('patterns are anchored at both ends', () => {
  assert.not.ok(branchMatches(['main'], 'main2'));
  assert.not.ok(branchMatches(['main'], 'my-main'));
  assert.ok(branchMatches(['main'], 'main'));
});

test('question mark matches exactly one character', () => {
  assert.ok(branchMatches(['v?'], 'v1'));
  assert.not.ok(branchMatches(['v?'], 'v'));
  assert.not.ok(branchMatches(['v?'], 'v10'));
  assert.ok(branchMatches(['a?b'], 'a/b'));
});

test('character classes and ranges', () => {
  assert.ok(branchMatches(['v[0-9]'], 'v7'));
  assert.not.ok(branchMatches(['v[0-9]'], 'vx'));
  assert.ok(branchMatches(['[abc]x'], 'bx'));
  assert.not.ok(branchMatches(['[abc]x'], 'dx'));
  assert.ok(branchMatches(['[!a]x'], 'bx'));
  assert.not.ok(branchMatches(['[!a]x'], 'ax'));
  assert.ok(branchMatches(['[]]'], ']'));
  assert.ok(branchMatches(['[a-]'], '-'));
});

test('regex metacharacters are literal', () => {
  assert.ok(branchMatches(['v1.2'], 'v1.2'));
  assert.not.ok(branchMatches(['v1.2'], 'v102'));
  assert.ok(branchMatches(['a+b(c)|{d}^$'], 'a+b(c)|{d}^$'));
  assert.not.ok(branchMatches(['a+b'], 'aab'));
  assert.ok(branchMatches(['fix\\*'], 'fix*'));
  assert.not.ok(branchMatches(['fix\\*'], 'fixes'));
  assert.ok(branchMatches(['\\[x]'], '[x]'));
});

test('the last matching pattern decides, like .gitignore', () => {
  const patterns = ['*', '!tmp/*'];
  assert.ok(branchMatches(patterns, 'main'));
  assert.ok(branchMatches(patterns, 'feature/x'));
  assert.not.ok(branchMatches(patterns, 'tmp/foo'));
  assert.ok(branchMatches(['*', '!tmp/*', 'tmp/keep'], 'tmp/keep'));
  assert.not.ok(branchMatches(['*', '!tmp/*', 'tmp/keep'], 'tmp/other'));
});

test('no matching pattern means no build', () => {
  assert.not.ok(branchMatches([], 'main'));
  assert.not.ok(branchMatches(['release/*'], 'main'));
  assert.not.ok(branchMatches(['!tmp/*'], 'main'));
});

test('invalid patterns never match instead of throwing', () => {
  assert.not.ok(branchMatches(['[z-a]'], 'm'));
  assert.not.ok(branchMatches(['[abc'], '[abc'));
  assert.ok(branchMatches(['[abc', 'main'], 'main'));
});

test('branchPatternProblem explains malformed patterns', () => {
  assert.is(branchPatternProblem('*'), undefined);
  assert.is(branchPatternProblem('!tmp/*'), undefined);
  assert.is(branchPatternProblem('v[0-9]*'), undefined);
  assert.is(branchPatternProblem(''), 'empty pattern');
  assert.is(branchPatternProblem('!'), 'nothing follows "!"');
  assert.is(branchPatternProblem('[z-a]'), 'range "z-a" is reversed');
  assert.match(branchPatternProblem('feat[') ?? '', /unclosed "\["/);
  assert.match(branchPatternProblem('a\\') ?? '', /lone "\\"/);
});

test.run();
