// The pipelines we ship (the commented template and the demo's) are valid, so a user who copies one starts green.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePipeline } from '../../src/pipeline/parse.js';
import { formatProblem } from '../../src/pipeline/format-problem.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

for (const file of ['templates/git-ci.yml', 'templates/demo/.git-ci.yml']) {
  test(`${file} is a valid pipeline, without warnings`, () => {
    const r = parsePipeline(readFileSync(path.join(ROOT, file), 'utf8'));
    assert.equal(r.errors.map((p) => formatProblem(p)), []);
    assert.equal(r.warnings.map((p) => formatProblem(p)), []);
    assert.ok((r.pipeline?.jobs.length ?? 0) >= 3);
  });
}

test.run();
