import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineCounter, parseDocument, type Node } from 'yaml';
import type { ParseContext } from '../../src/pipeline/parse-context.js';
import { parseStringList, type StringListItem } from '../../src/pipeline/parse-string-list.js';

// Parses `value` as the value of a key on line 1 and reads it as a list of lower-case words.
function readWords(value: string): { values: string[]; errors: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(`key: ${value}\n`, { lineCounter: lines });
  const ctx: ParseContext = { doc, lines, errors: [], warnings: [] };
  const node = doc.get('key', true) as Node | undefined;
  const item: StringListItem = {
    noun: 'word',
    check: (text) => (/^[a-z]+\/?$/.test(text) ? null : `expected lower-case letters, got ${JSON.stringify(text)}`),
    normalize: (text) => text.replace(/\/$/, ''),
  };
  const values = parseStringList(ctx, 'key', node, 1, item);
  return { values, errors: ctx.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`) };
}

test('one string or a list of strings, normalised', () => {
  assert.equal(readWords('abc'), { values: ['abc'], errors: [] });
  assert.equal(readWords('[a, b/, c]'), { values: ['a', 'b', 'c'], errors: [] });
  assert.equal(readWords('[]'), { values: [], errors: [] });
});

test('bad items are reported with their index and left out', () => {
  assert.equal(readWords('[a, B, 3, a/]'), {
    values: ['a'],
    errors: [
      '1: key[1]: expected lower-case letters, got "B"',
      '1: key[2]: expected a word, got a number (write "3" in quotes if it is meant as text)',
      '1: key[3]: duplicate word "a"',
    ],
  });
});

test('a value that is neither a string nor a list', () => {
  assert.equal(readWords('{ a: 1 }').errors, ['1: key: expected a word or a list of words, got a mapping']);
  assert.equal(readWords('false').errors, ['1: key: expected a word or a list of words, got a boolean (write "false" in quotes if it is meant as text)']);
  assert.equal(readWords('B').errors, ['1: key: expected lower-case letters, got "B"']);
});

test.run();
