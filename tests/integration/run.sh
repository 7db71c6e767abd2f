#!/bin/sh
# End-to-end tests: drive the real ferry binary over sockets on 127.0.0.1 with
# independently written clients (the ws package, curl, raw node:net sockets).
#
# Run from the repository root:   sh tests/integration/run.sh [FILE.test.mjs ...]
#
# Environment (passed on to the tests):
#   FERRY_BIN   binary under test (default ./ferry)
#   FERRY_WRAP  command prefix, e.g. "valgrind -q --error-exitcode=99"
#   FERRY_SLOW  1 multiplies every timeout by 10 (for valgrind)
#   FERRY_RSS   1 includes rss.test.mjs (release pass only: not with FERRY_WRAP or a sanitized binary)
# Exits non-zero when any test fails.

set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1

FERRY_BIN=${FERRY_BIN:-./ferry}
FERRY_WRAP=${FERRY_WRAP:-}
FERRY_SLOW=${FERRY_SLOW:-0}
FERRY_RSS=${FERRY_RSS:-0}
export FERRY_BIN FERRY_WRAP FERRY_SLOW FERRY_RSS

if [ ! -x "$FERRY_BIN" ]; then
	echo "run.sh: $FERRY_BIN is not an executable (build it with make ferry, or set FERRY_BIN)" >&2
	exit 1
fi
if ! command -v node >/dev/null 2>&1; then
	echo "run.sh: node is not installed" >&2
	exit 1
fi
if ! command -v curl >/dev/null 2>&1; then
	echo "run.sh: curl is not installed" >&2
	exit 1
fi

if [ ! -f tests/node_modules/ws/package.json ]; then
	(cd tests && npm ci --no-audit --no-fund) || {
		echo "run.sh: npm ci failed in tests/" >&2
		exit 1
	}
fi

if [ "$#" -gt 0 ]; then
	files="$*"
else
	files=""
	for f in tests/integration/*.test.mjs; do
		[ "$f" = tests/integration/rss.test.mjs ] && continue
		files="$files $f"
	done
	if [ "$FERRY_RSS" = 1 ] && [ -z "$FERRY_WRAP" ] && ! grep -q __asan_init "$FERRY_BIN" 2>/dev/null; then
		files="$files tests/integration/rss.test.mjs"
	elif [ "$FERRY_RSS" = 1 ]; then
		echo "run.sh: rss.test.mjs skipped: the binary is wrapped or sanitized, so RSS would measure the tool"
	else
		echo "run.sh: rss.test.mjs runs only in the release pass (FERRY_RSS=1)"
	fi
fi

slow=1
[ "$FERRY_SLOW" = 1 ] && slow=10

# shellcheck disable=SC2086 # word splitting of $files is intended
exec node --test --test-concurrency=2 --test-reporter=spec --test-timeout=$((60000 * slow)) $files
