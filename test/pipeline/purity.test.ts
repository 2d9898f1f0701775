// src/pipeline/ must stay pure: it may import only `yaml` and its own files, never Node I/O.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// Compiled to dist/test/pipeline/, so the sources are three levels up.
const SOURCE_DIR = fileURLToPath(new URL('../../../src/pipeline/', import.meta.url));
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

test('the import scanner sees every import form', () => {
  const sample = "import { a } from 'yaml';\nimport type { B } from './b.js';\nexport { c } from './c.js';\nconst d = await import('node:fs');\nimport 'side';\n";
  assert.equal(importsOf(sample), ['yaml', './b.js', './c.js', 'node:fs', 'side']);
});

test('src/pipeline imports only yaml and its own files', () => {
  const files = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length > 5, `no sources found in ${SOURCE_DIR}`);
  for (const file of files) {
    const source = readFileSync(SOURCE_DIR + file, 'utf8');
    for (const specifier of importsOf(source)) {
      assert.ok(specifier === 'yaml' || /^\.\/[a-z0-9-]+\.js$/.test(specifier), `${file} imports ${specifier}`);
    }
    assert.not.match(source, /\bprocess\.|\brequire\(/, `${file} touches process or require`);
  }
});

test.run();
