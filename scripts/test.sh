#!/bin/sh
# npm test: installs what it lacks, type-checks and builds, runs every test (uvu), and ends
# with the line "N passed, N failed".
set -e
cd "$(dirname "$0")/.."
command -v git >/dev/null 2>&1 || { echo "npm test: git is required (apt-get install -y git)" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "npm test: installing dependencies (npm ci)"
	npm ci --no-audit --no-fund
fi
echo "npm test: type-check and build (tsc, then the CLI bundle)"
rm -rf dist
node_modules/.bin/tsc -p .
node scripts/bundle.mjs
exec node scripts/run-tests.mjs "$@"
