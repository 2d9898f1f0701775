#!/bin/sh
# greet.sh [NAME]: prints a greeting. The whole of the demo project git-ci builds.
set -eu
name=${1:-world}
printf 'Hello, %s!\n' "$name"
