#!/bin/sh
# deps.sh build|test|bench — make sure the Debian packages a step needs are
# installed. As root it installs what is missing with apt-get; otherwise it
# prints the exact command to run and fails, so nothing half-works.
set -eu
what=${1:-build}

# Packages whose presence is a file (libraries and headers) are checked with
# dpkg; tools are checked on PATH so a Node.js from elsewhere also counts.
build_pkgs="libbearssl-dev libutf8proc-dev uthash-dev"
build_tools="cc:gcc make:make"
test_pkgs="libclang-rt-14-dev"
test_tools="clang:clang valgrind:valgrind curl:curl node:nodejs npm:npm"
bench_tools="nginx:nginx-light wrk:wrk"

missing=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need_pkgs() { for p in "$@"; do have_pkg "$p" || missing="$missing $p"; done; }
need_tools() {
	for pair in "$@"; do
		cmd=${pair%%:*}; pkg=${pair#*:}
		command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
	done
}

need_pkgs $build_pkgs
need_tools $build_tools
case $what in
test) need_pkgs $test_pkgs; need_tools $test_tools ;;
bench) need_pkgs $test_pkgs; need_tools $test_tools $bench_tools ;;
build) ;;
*) echo "deps.sh: unknown step '$what' (build, test or bench)" >&2; exit 2 ;;
esac

[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "ferry: missing Debian packages:$missing" >&2
	echo "ferry: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "ferry: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$cmd >/dev/null 2>&1 || { apt-get update -qq && $cmd; }
