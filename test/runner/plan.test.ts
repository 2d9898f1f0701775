// Which jobs a run leaves out before it starts: --job selection (with what the jobs need) and if: conditions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePipeline } from '../../src/pipeline/parse.js';
import { parseCondition } from '../../src/pipeline/condition.js';
import { formatCondition, jobsLeftOut, runFacts } from '../../src/runner/plan.js';
import type { Pipeline } from '../../src/pipeline/types.js';

function pipeline(text: string): Pipeline {
  const r = parsePipeline(text);
  if (!r.pipeline) throw new Error(JSON.stringify(r.errors));
  return r.pipeline;
}

const file = pipeline(`jobs:
  build: { run: make }
  test: { run: make test, needs: [build] }
  lint: { run: make lint }
  package: { run: make dist, needs: [test], if: 'branch == "main"' }
  release: { run: make release, needs: [package], if: 'tag =~ "v*" || event == "manual"' }
`);

test('runFacts: branch, tag and event of a run', () => {
  assert.equal(runFacts({ ref: 'refs/heads/feature/x', trigger: 'push' }), { branch: 'feature/x', tag: null, event: 'push' });
  assert.equal(runFacts({ ref: 'refs/tags/v1.2', trigger: 'push' }), { branch: null, tag: 'v1.2', event: 'push' });
  assert.equal(runFacts({ ref: 'refs/heads/main', trigger: 'retry' }), { branch: 'main', tag: null, event: 'manual' });
});

test('--job keeps the named jobs and everything they need; the rest are left out, with why', () => {
  const r = jobsLeftOut(file, { ref: 'refs/heads/main', trigger: 'manual', jobs: ['test'] });
  assert.equal([...r.skips!.keys()], ['lint', 'package', 'release']);
  assert.match(r.skips!.get('lint')!, 'not selected (run with --job test)');
});

test('--job naming a job the pipeline lacks is an error that lists the jobs', () => {
  const r = jobsLeftOut(file, { ref: 'refs/heads/main', trigger: 'manual', jobs: ['tset'] });
  assert.is(r.error, 'no job named tset in this commit\'s pipeline; its jobs: build, test, lint, package, release');
});

test('a false if: leaves the job out with the condition and the facts it was checked against', () => {
  const feature = jobsLeftOut(file, { ref: 'refs/heads/feature/x', trigger: 'push' });
  assert.equal([...feature.skips!.keys()], ['package', 'release']);
  assert.is(feature.skips!.get('package'), 'if: branch == "main" is false (branch feature/x, event push)');
  const main = jobsLeftOut(file, { ref: 'refs/heads/main', trigger: 'push' });
  assert.equal([...main.skips!.keys()], ['release']);
  const manual = jobsLeftOut(file, { ref: 'refs/heads/main', trigger: 'manual' });
  assert.equal([...manual.skips!.keys()], []);
});

test('formatCondition writes a condition back with the parentheses its grouping needs', () => {
  for (const text of ['branch == "main"', '!tag', 'branch =~ "a*" && !tag', '(branch == "a" || tag) && event == "push"', 'branch == "a" || tag && event != "local"']) {
    const parsed = parseCondition(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
    const again = formatCondition(parsed.condition);
    const reparsed = parseCondition(again);
    if (!reparsed.ok) throw new Error(`${again}: ${reparsed.message}`);
    assert.equal(reparsed.condition, parsed.condition, `${text} -> ${again}`);
  }
});

test.run();
