#!/bin/sh
# run.sh NAME SECONDS — replay a harness's regression cases, then fuzz it.
#
# tests/fuzz/regress/NAME/ holds inputs that once crashed or hung a harness:
# each is replayed first and must pass. tests/fuzz/corpus/NAME/ is the seed
# corpus (kept small, in git); the growing working corpus lives in
# build/fuzz/corpus/NAME. A crash is written to build/fuzz/crash/NAME/ and
# fails the run: copy it into regress/ once fixed.
set -eu
name=$1
seconds=$2
bin=build/fuzz/bin/$name
[ -x "$bin" ] || { echo "fuzz: $bin not built" >&2; exit 1; }
work=build/fuzz/corpus/$name
crash=build/fuzz/crash/$name
mkdir -p "$work" "$crash"
if [ -d tests/fuzz/corpus/$name ]; then
	cp -n tests/fuzz/corpus/$name/* "$work"/ 2>/dev/null || true
fi
if [ -d tests/fuzz/regress/$name ] && [ -n "$(ls tests/fuzz/regress/$name)" ]; then
	echo "== $name: replaying $(ls tests/fuzz/regress/$name | wc -l) regression cases"
	"$bin" -runs=0 tests/fuzz/regress/$name/* >/dev/null 2>build/fuzz/$name.regress.log ||
		{ cat build/fuzz/$name.regress.log >&2; exit 1; }
fi
echo "== $name: fuzzing for ${seconds}s"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$crash/" "$work" >build/fuzz/$name.log 2>&1 ||
	{ tail -n 60 build/fuzz/$name.log >&2; echo "fuzz: $name failed; inputs in $crash" >&2; exit 1; }
grep -E '^stat::number_of_executed_units|^Done' build/fuzz/$name.log | tr '\n' ' '; echo
