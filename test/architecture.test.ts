// The layering of src/ (README, Architecture): each folder imports only what it may.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/fixture.js';

const ALLOWED: Record<string, RegExp[]> = {
  pipeline: [/^\.\/[\w-]+\.js$/, /^yaml$/],
  report: [/^\.\/[\w-]+\.js$/, /^\.\.\/pipeline\//],
  sandbox: [/^\.\/[\w-]+\.js$/, /^node:/, /^\.\.\/pipeline\//],
  store: [/^\.\/[\w-]+\.js$/, /^node:/, /^ulid$/, /^\.\.\/(pipeline|report)\//],
  runner: [/^\.\/[\w-]+\.js$/, /^node:/, /^\.\.\/(pipeline|report|store|sandbox)\//, /^\.\.\/version\.js$/],
  web: [/^\.\/[\w-]+\.js$/, /^node:/, /^tar$/, /^\.\.\/(pipeline|report|store)\//],
  cli: [/^\.\/[\w-]+\.js$/, /^node:/, /^yargs(\/helpers)?$/, /^chalk$/, /^tar$/, /^\.\.\/(pipeline|report|store|sandbox|runner|web)\//, /^\.\.\/version\.js$/],
};

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

for (const [folder, allowed] of Object.entries(ALLOWED)) {
  test(`src/${folder} imports only what it may`, () => {
    const dir = path.join(ROOT, 'src', folder);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 0);
    for (const file of files) {
      for (const spec of importsOf(path.join(dir, file))) {
        assert.ok(allowed.some((re) => re.test(spec)), `src/${folder}/${file} imports "${spec}", which ${folder}/ may not`);
      }
    }
  });
}

test.run();
