// npm run bench: every benchmark in one run, each printing medians and ratios measured side by side.
import { benchPushOverhead } from './push-overhead.js';
import { benchLatency } from './latency.js';
import { benchJobOverhead } from './job-overhead.js';
import { benchWorkspace } from './workspace.js';
import { benchSandbox } from './sandbox.js';
import { benchRange } from './range.js';
import { benchStorage } from './storage.js';
import { benchScale } from './scale.js';
import { benchDashboard } from './dashboard.js';

const all: Record<string, () => Promise<void>> = {
  workspace: benchWorkspace,
  push: benchPushOverhead,
  latency: benchLatency,
  jobs: benchJobOverhead,
  sandbox: benchSandbox,
  range: benchRange,
  storage: benchStorage,
  scale: benchScale,
  dashboard: benchDashboard,
};

const chosen = process.argv.slice(2);
for (const name of chosen) if (!all[name]) throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(all).join(', ')}`);
console.log(`git-ci benchmarks (${chosen.length ? chosen.join(', ') : 'all'}); machines are noisy: read the ratios`);
for (const [name, fn] of Object.entries(all)) if (chosen.length === 0 || chosen.includes(name)) await fn();
