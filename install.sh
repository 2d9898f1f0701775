#!/bin/sh
# install.sh: sets git-ci up from this folder (dependencies, build, `git-ci` on PATH) and,
# with --demo, arms a throwaway bare repository, pushes a sample project to it and shows
# the result. Safe to run again: each step says when there was nothing to do.
set -eu

usage() {
	cat <<'EOF'
Usage: ./install.sh [--demo] [--no-link]

Sets up git-ci from this folder:
  1. checks for node >= 20, npm and git >= 2.30
  2. installs dependencies (npm ci) when node_modules is missing or out of date
  3. builds (npm run build)
  4. links git-ci into /usr/local/bin (when writable) or ~/.local/bin,
     so that `git ci ...` works

Options:
  --demo     afterwards, arm a bare repository in a new temporary folder, push a
             small project with a 3-job pipeline to it, wait for the CI result and
             show it (exits non-zero if the demo run did not pass)
  --no-link  skip step 4 (leave PATH alone)
  -h, --help show this help
EOF
}

step() { printf '\n==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
warn() { printf '    warning: %s\n' "$*" >&2; }
die() {
	printf 'install.sh: error: %s\n' "$1" >&2
	shift
	for line in "$@"; do printf '    %s\n' "$line" >&2; done
	exit 1
}

demo=false
link=true
for arg in "$@"; do
	case $arg in
	--demo) demo=true ;;
	--no-link) link=false ;;
	-h | --help) usage; exit 0 ;;
	*)
		printf 'install.sh: unknown option: %s (see ./install.sh --help)\n' "$arg" >&2
		exit 2
		;;
	esac
done

root=$(cd "$(dirname "$0")" && pwd -P)
cd "$root"
cli=$root/dist/src/cli/git-ci.mjs

# --- 1. prerequisites ------------------------------------------------------------------
step "Checking prerequisites"

command -v node >/dev/null 2>&1 ||
	die "node was not found on PATH; git-ci needs Node.js 20 or newer." \
		"Install it from https://nodejs.org/ or with your package manager" \
		"(Debian/Ubuntu: https://github.com/nodesource/distributions), then run ./install.sh again."
node_version=$(node -v 2>/dev/null || true)
node_major=${node_version#v}
node_major=${node_major%%.*}
case $node_major in
'' | *[!0-9]*) die "could not read the node version (node -v printed \"$node_version\")." ;;
esac
[ "$node_major" -ge 20 ] ||
	die "node $node_version is too old; git-ci needs Node.js 20 or newer." \
		"Upgrade it (https://nodejs.org/, nvm, or your package manager), then run ./install.sh again."
say "node $node_version"

command -v npm >/dev/null 2>&1 ||
	die "npm was not found on PATH; it comes with Node.js, but some distributions package it apart." \
		"Debian/Ubuntu: apt-get install npm (or install Node.js from https://nodejs.org/), then run ./install.sh again."
say "npm $(npm -v 2>/dev/null || echo '(version unknown)')"

command -v git >/dev/null 2>&1 ||
	die "git was not found on PATH; git-ci needs git 2.30 or newer." \
		"Debian/Ubuntu: apt-get install git; Fedora: dnf install git; macOS: xcode-select --install"
git_version=$(git --version 2>/dev/null || true) # "git version 2.39.5" (maybe with a suffix)
git_number=${git_version#git version }
git_number=${git_number%% *}
git_major=${git_number%%.*}
git_minor=${git_number#*.}
git_minor=${git_minor%%.*}
case $git_major.$git_minor in
*[!0-9.]* | .* | *.) die "could not read the git version (git --version printed \"$git_version\")." ;;
esac
if [ "$git_major" -lt 2 ] || { [ "$git_major" -eq 2 ] && [ "$git_minor" -lt 30 ]; }; then
	die "git $git_number is too old; git-ci needs git 2.30 or newer." \
		"Upgrade it with your package manager or from https://git-scm.com/downloads, then run ./install.sh again."
fi
say "git $git_number"

# --- sandbox tools ---------------------------------------------------------------------
# Jobs run in namespaces made by bubblewrap when it is there (else unshare, which shares the
# file system). Install it when we can; otherwise say how, and git ci doctor will too.
step "Checking the sandbox tools"
if command -v bwrap >/dev/null 2>&1; then
	say "bubblewrap: $(bwrap --version 2>/dev/null)"
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	say "bubblewrap is missing: apt-get install -y bubblewrap"
	if (DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null 2>&1; then
		say "installed $(bwrap --version 2>/dev/null)"
	else
		warn "could not install bubblewrap; jobs fall back to unshare (see: git ci doctor)"
	fi
else
	warn "bubblewrap (bwrap) is not installed: jobs fall back to unshare, which does not hide the file system."
	warn "install it (e.g. sudo apt-get install bubblewrap), then check with: git ci doctor"
fi
for tool in prlimit setpriv unshare; do
	command -v "$tool" >/dev/null 2>&1 || warn "$tool is missing (package util-linux): that sandbox layer is off"
done

# --- 2. dependencies -------------------------------------------------------------------
step "Dependencies"
[ -f package-lock.json ] || die "package-lock.json is missing from $root; this does not look like a complete git-ci checkout."
if [ ! -d node_modules ]; then
	say "node_modules is missing: running npm ci"
	npm ci --no-audit --no-fund --no-update-notifier
elif [ ! -f node_modules/.package-lock.json ] || [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
	say "package-lock.json is newer than node_modules: running npm ci"
	npm ci --no-audit --no-fund --no-update-notifier
else
	say "node_modules is up to date with package-lock.json (npm ci skipped)"
fi

# --- 3. build --------------------------------------------------------------------------
step "Building (npm run build: tsc -p ., then the CLI bundle with esbuild)"
npm run --silent --no-update-notifier build || die "the build failed (see the compiler messages above)."
[ -f "$cli" ] || die "the build finished but $cli is missing."
chmod +x "$cli"
say "built $cli"

# --- 4. git-ci on PATH -----------------------------------------------------------------
if [ "$link" = true ]; then
	step "Putting git-ci on PATH"
	if [ -d /usr/local/bin ] && [ -w /usr/local/bin ]; then
		bindir=/usr/local/bin
	else
		[ -n "${HOME:-}" ] || die "/usr/local/bin is not writable and HOME is not set, so there is nowhere to link git-ci." \
			"Run as root, set HOME, or use --no-link and call node $cli directly."
		bindir=$HOME/.local/bin
		mkdir -p "$bindir"
	fi
	target=$bindir/git-ci
	if [ -L "$target" ] && [ "$(readlink "$target")" = "$cli" ]; then
		say "$target already points to $cli"
	elif [ -L "$target" ]; then
		old=$(readlink "$target")
		rm -f "$target"
		ln -s "$cli" "$target"
		say "$target now points to $cli (it pointed to $old)"
	elif [ -e "$target" ]; then
		die "$target exists and is not a symlink; install.sh will not overwrite it." \
			"Remove it (rm $target) and run ./install.sh again, or use --no-link."
	else
		ln -s "$cli" "$target"
		say "linked $target -> $cli"
	fi
	case ":${PATH:-}:" in
	*":$bindir:"*)
		found=$(command -v git-ci 2>/dev/null || true)
		if [ -n "$found" ] && [ "$found" != "$target" ]; then
			warn "another git-ci comes first on PATH: $found; \`git ci\` runs that one."
		fi
		;;
	*)
		warn "$bindir is not on your PATH, so \`git ci\` will not find git-ci yet."
		warn "add this line to ~/.profile (or ~/.bashrc, ~/.zshrc), then open a new shell:"
		# shellcheck disable=SC2016 # the user's shell expands it, not this one
		warn '  export PATH="$HOME/.local/bin:$PATH"'
		;;
	esac
	say "check: $target --version prints $("$target" --version 2>&1 | head -n 1 || true)"
else
	step "Putting git-ci on PATH: skipped (--no-link)"
	say "run it as: node $cli <command>"
fi

if [ "$demo" = false ]; then
	if [ "$link" = true ]; then gci='git ci'; else gci="node $cli"; fi
	printf '\ngit-ci is installed. Arm a repository with: %s install /srv/git/app.git [--init]\n' "$gci"
	printf 'Try the demo with: ./install.sh --demo    Docs: %s/README.md\n' "$root"
	exit 0
fi

# --- demo ------------------------------------------------------------------------------
gitci() { node "$cli" "$@"; }
# The demo's own git identity and settings, whatever the user's global config says.
democommit() {
	git -C "$work" -c user.name='git-ci demo' -c user.email='demo@git-ci.invalid' \
		-c commit.gpgsign=false "$@"
}

step "Demo: a bare repository armed with git-ci"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/git-ci-demo.XXXXXX")
bare=$tmp/demo.git
work=$tmp/work
say "temporary folder: $tmp"
install_out=$(gitci install "$bare" --init 2>&1) || {
	printf '%s\n' "$install_out" | sed '/^$/d; /^Push a commit/d; s/^/    /'
	die "git ci install $bare --init failed (output above)."
}
printf '%s\n' "$install_out" | sed '/^$/d; /^Push a commit/d; s/^/    /'
git -C "$bare" symbolic-ref HEAD refs/heads/main
git -C "$bare" config ci.runnerIdle 2s
say "set ci.runnerIdle=2s (the runner exits 2 s after its last run)"

step "Demo: clone it, add the sample project (templates/demo), commit"
# git clone -q still warns that the repository is empty, which is the point here.
clone_out=$(git clone -q "$bare" "$work" 2>&1) || {
	printf '%s\n' "$clone_out" | sed 's/^/    /'
	die "git clone $bare failed (output above)."
}
git -C "$work" symbolic-ref HEAD refs/heads/main
cp -R "$root/templates/demo/." "$work/"
democommit add -A
democommit commit -q -m 'Add the demo project and its pipeline'
sha=$(git -C "$work" rev-parse HEAD)
git -C "$work" log --stat --format='    %h %s' -1 | sed '/^$/d'

step "Demo: git push origin main"
push_out=$(git -C "$work" push origin main 2>&1) || {
	printf '%s\n' "$push_out" | sed 's/^/    /'
	die "git push failed (output above)."
}
printf '%s\n' "$push_out" | sed 's/^/    /'
case $push_out in
*"git-ci: queued run"*) ;;
*) die "the push did not print 'remote: git-ci: queued run ...': the post-receive hook of $bare did not queue a run." \
	"Check $bare/hooks/post-receive and that core.hooksPath is not set in your git config." ;;
esac

step "Demo: waiting for the run (git ci status --wait --timeout 120 --repo $bare ${sha%"${sha#???????}"})"
started=$(date +%s)
wait_rc=0
gitci status --wait --timeout 120 --repo "$bare" "$sha" >/dev/null 2>&1 || wait_rc=$?
say "done after about $(($(date +%s) - started)) s (exit $wait_rc)"

step "Demo: the result as a git note (git -C $bare log --notes=ci -1 main)"
git -C "$bare" log --notes=ci -1 main | sed 's/^/    /'

step "Demo: git ci status --repo $bare ${sha%"${sha#???????}"}"
status_rc=0
gitci status --repo "$bare" "$sha" || status_rc=$?

if [ "$status_rc" -ne 0 ]; then
	step "Demo: the run did not pass (git ci status exit $status_rc)"
	if [ "$status_rc" -eq 1 ]; then
		say "job logs (git ci logs --repo $bare $sha):"
		gitci logs --repo "$bare" "$sha" 2>&1 | sed 's/^/    /' || true
	fi
	say "runner log ($bare/ci/runner.log, last 20 lines):"
	tail -n 20 "$bare/ci/runner.log" 2>/dev/null | sed 's/^/    /' || true
	printf '\nThe demo did not pass; the repositories are kept in %s for a look (rm -rf %s to remove).\n' "$tmp" "$tmp" >&2
	exit "$status_rc"
fi

step "Demo: a second push that changes only README.md: lint's inputs did not change, so it comes from the cache"
printf '# demo\nThis project greets people.\n' >"$work/README.md"
democommit add README.md
democommit commit -q -m 'Add a README'
sha2=$(git -C "$work" rev-parse HEAD)
git -C "$work" push -q origin main 2>/dev/null || die "the second git push failed."
gitci status --wait --timeout 120 --repo "$bare" "$sha2" >/dev/null 2>&1 || true
status_rc=0
gitci status --repo "$bare" "$sha2" || status_rc=$?
[ "$status_rc" -eq 0 ] || die "the second run did not pass (git ci status exit $status_rc); see git ci show --repo $bare $sha2"

step "Demo: build's artifacts (git ci artifacts --repo $bare ${sha2%"${sha2#???????}"} build)"
gitci artifacts --repo "$bare" "$sha2" build | sed 's/^/    /'

cat <<EOF

The demo passed. What next:
  $tmp/demo.git   the armed bare repository: results live here
  $tmp/work       a clone to edit, commit and push from

  cd $tmp/demo.git
  git ci log                  commits with their CI state
  git ci show                 the newest run of HEAD: jobs, exit codes, times
  git ci logs HEAD test       the test job's log (without a job name: every job)
  git ci artifacts HEAD build -o out    the files build kept
  git ci run HEAD~1..HEAD --no-cache    run commits again by hand, cache or not
  git log --notes=ci          the results in plain git
  git log refs/notes/ci       the audit trail: one notes commit per recorded run
  git ci serve                the dashboard, on http://127.0.0.1:8080 (Ctrl-C stops it)
  git ci clone $tmp/demo.git $tmp/copy    a clone that carries the CI history

  Make it fail: edit $tmp/work/greet.sh, commit and push from the clone, then
  in $tmp/demo.git run: git ci logs --follow <the run id the push printed>

  Remove the demo when done: rm -rf $tmp
EOF
if ! command -v git-ci >/dev/null 2>&1; then
	echo
	if [ "$link" = true ]; then
		echo "  $bindir is not on PATH yet, so 'git ci' is not found: see the warning above."
	else
		echo "  git-ci is not on PATH (--no-link), so 'git ci' is not found: run ./install.sh without --no-link,"
	fi
	echo "  or use 'node $cli' wherever the lines above say 'git ci'."
fi
