// Runs the uvu suites in dist/test and prints the closing line "N passed, N failed".
import { spawn } from 'node:child_process';

const pattern = process.argv[2] ?? '.test.js$';
const child = spawn(process.execPath, ['node_modules/uvu/bin.js', 'dist/test', pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
  if (out.length > 1 << 20) out = out.slice(-(1 << 16));
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    console.log('\nthe test runner ended without a summary');
    console.log('0 passed, 1 failed');
    process.exit(code || 1);
  }
  const failed = total - passed - skipped;
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? (failed > 0 ? 1 : 0));
});
