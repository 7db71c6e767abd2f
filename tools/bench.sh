#!/bin/sh
# bench.sh — ferry against nginx, same machine, same run, same load.
# Printed as ratios; a benchmark, never a test: nothing here fails on speed.
#
#   BENCH_SECONDS (5)  BENCH_ROUNDS (5)  BENCH_CONNS (50)  BENCH_THREADS (1)
set -eu
secs=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-5}
conns=${BENCH_CONNS:-50}
threads=${BENCH_THREADS:-1}
dir=$(mktemp -d /tmp/ferry-bench.XXXXXX)
ferry_pid=""; nginx_pid=""
cleanup() {
	[ -n "$ferry_pid" ] && kill "$ferry_pid" 2>/dev/null || true
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
	echo $((20000 + $$ % 20000)); }

# ferry
./ferry --bind 127.0.0.1 --port 0 --data-dir "$dir/data" --max-clients 256 --log-level warn >"$dir/ferry.out" 2>"$dir/ferry.err" &
ferry_pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$dir/ferry.out" 2>/dev/null && break; sleep 0.1; done
fport=$(sed -n 's/^ferry: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/ferry.out")
[ -n "$fport" ] || { echo "bench: ferry did not start" >&2; cat "$dir/ferry.err" >&2; exit 1; }

# nginx
nport=$(free_port)
mkdir -p "$dir/nginx"
sed -e "s#@DIR@#$dir/nginx#g" -e "s#@PORT@#$nport#g" tools/bench/nginx.conf.in >"$dir/nginx/nginx.conf"
nginx -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$nport/healthz" >/dev/null || { echo "bench: nginx did not start" >&2; exit 1; }

rps() { # url → requests/s
	wrk -t"$threads" -c"$conns" -d"${secs}s" "$1" >"$dir/wrk.out" 2>&1
	if grep -qE 'Socket errors|Non-2xx' "$dir/wrk.out"; then
		grep -E 'Socket errors|Non-2xx' "$dir/wrk.out" | sed 's/^/    /' >&2
	fi
	awk '/Requests\/sec/ {print $2}' "$dir/wrk.out"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Rounds alternate between the two servers so a passing load on the machine
# hits both alike; the medians are compared.
echo "== GET /healthz, keep-alive: wrk -t$threads -c$conns -d${secs}s, $rounds rounds, median"
: >"$dir/f.txt"; : >"$dir/n.txt"
for r in $(seq "$rounds"); do
	f=$(rps "http://127.0.0.1:$fport/healthz"); echo "$f" >>"$dir/f.txt"
	n=$(rps "http://127.0.0.1:$nport/healthz"); echo "$n" >>"$dir/n.txt"
	printf '  round %s: ferry %.0f req/s, nginx %.0f req/s\n' "$r" "$f" "$n"
done
f=$(median <"$dir/f.txt"); n=$(median <"$dir/n.txt")
awk -v f="$f" -v n="$n" 'BEGIN { printf "  median: ferry %.0f req/s, nginx %.0f req/s: ferry/nginx = %.2fx\n", f, n, f / n }'
