#!/bin/sh
# test.sh: checks what greet.sh prints; exits 1 if any check fails.
set -u
fails=0

# check EXPECTED [ARG...]: runs greet.sh with the arguments and compares its output.
check() {
	expected=$1
	shift
	got=$(sh ./greet.sh "$@" 2>&1)
	what="greet.sh${*:+ $*}"
	if [ "$got" = "$expected" ]; then
		echo "ok    $what"
	else
		echo "FAIL  $what: expected '$expected', got '$got'"
		fails=$((fails + 1))
	fi
}

check 'Hello, world!'
check 'Hello, git!' git
check 'Hello, Ada Lovelace!' 'Ada Lovelace'

if [ "$fails" -gt 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
