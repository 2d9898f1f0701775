#!/bin/sh
# npm run bench [-- name...]: builds, then runs the benchmarks in bench/ (they print ratios).
set -e
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
node_modules/.bin/tsc -p .
exec node dist/bench/main.js "$@"
