#!/bin/sh
# bench/run.sh - throughput and latency of souk with wrk, written to
# bench/results.md. Not a test: figures vary with the machine, so the table
# gives each one as a ratio to the static file measured in the same run.
#
#   BENCH_SECONDS (default 10)  BENCH_CONNS (64)  BENCH_THREADS (2)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-64}
wthreads=${BENCH_THREADS:-2}
bin=build/souk
work=$(mktemp -d /tmp/souk-bench-XXXXXX)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

SOUK_DATA_DIR="$work/data" SOUK_LISTEN=127.0.0.1:0 SOUK_ACCESS_LOG=${BENCH_ACCESS_LOG:-true} \
    SOUK_ENV=test SOUK_TEST_ROUTES=1 "$bin" serve --migrate 2>"$work/server.log" >/dev/null &
pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "bench: server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"

run_wrk() { # name path [extra wrk args]
    name=$1; path=$2; shift 2
    wrk -t"$wthreads" -c"$conns" -d2s "$base$path" >/dev/null 2>&1 || true   # warm-up
    wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency "$@" "$base$path" >"$work/$name.wrk" 2>&1
    echo "$name $path" >>"$work/runs"
}

run_wrk static /static/css/souk.css
run_wrk healthz /healthz
run_wrk home /
run_wrk inline_lookup /_test/inline_lookup
# A slow query held during the run: the isolation figure.
( for _ in 1 2 3 4 5 6; do curl -s -o /dev/null "$base/_test/sleep?ms=2000"; done ) &
sleeper=$!
run_wrk home_during_slow_query /
kill "$sleeper" 2>/dev/null || true
wait "$sleeper" 2>/dev/null || true
# The design not chosen: the same 2 s call made on an event loop stalls every
# connection that loop holds.
( for _ in 1 2 3 4 5 6; do curl -s -o /dev/null "$base/_test/block?ms=2000"; done ) &
sleeper=$!
run_wrk healthz_during_loop_block /healthz
kill "$sleeper" 2>/dev/null || true
wait "$sleeper" 2>/dev/null || true

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

python3 bench/report.py "$work" "$secs" "$conns" "$wthreads" "$rss_kb" > bench/results.md
cat bench/results.md
