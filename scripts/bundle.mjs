// Bundles the compiled CLI (dist/src/cli/main.js, from tsc) into dist/src/cli/git-ci.mjs with
// esbuild. Measured here: node's ESM loader spent ~70-80 ms more resolving and linking the CLI's
// ~100 modules and its dependencies' before any command ran; the bundle loads in a few files.
// Modules a command loads lazily (the runner, the server, the sandbox probe) stay lazy: they
// become chunks next to the entry, loaded only when used. The chunks live in the same folder as
// main.js so paths a module computes from its own import.meta.url (the runner's entry, the
// package root, the report worker) point at the same files from the bundle as from tsc's output.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'src', 'cli');

// Chunks of an earlier bundle would pile up (their names carry a content hash).
for (const name of readdirSync(outdir)) if (name.endsWith('.mjs')) rmSync(path.join(outdir, name));

await build({
  entryPoints: { 'git-ci': path.join(outdir, 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  // Dependencies written as CommonJS call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __gitCiRequire } from 'node:module'; const require = __gitCiRequire(import.meta.url);" },
  logLevel: 'warning',
});
