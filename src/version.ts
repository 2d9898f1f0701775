// The version recorded in every run, from the package.json of the installation this file runs from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs from dist/src/version.js (tsc) or from a chunk of the bundled CLI in
// dist/src/cli/: the nearest package.json above it named git-ci is the installation's.
function readVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'git-ci') return pkg.version ?? 'unknown';
    } catch {
      // none here, or unreadable: look further up
    }
  }
  return 'unknown';
}

export const GIT_CI_VERSION = readVersion();
