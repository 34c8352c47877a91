#!/bin/sh
# tests/run.sh BUILD_DIR - run every test suite against BUILD_DIR/souk and
# BUILD_DIR/unit: unit tests, then the integration tests once against SQLite
# and once against a throwaway PostgreSQL this script starts and stops.
# Ends with the total "N passed, N failed"; exits non-zero on any failure.
set -u
B=${1:-build/san}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}

work=$(mktemp -d /tmp/souk-test-XXXXXX)
pgdir="$work/pg"
pg_started=0
cleanup() {
    [ "$pg_started" = 1 ] && sh scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

passed=0
failed=0
# Add a suite's "NAME: N passed, N failed" line to the totals; a suite that
# printed no such line counts as one failure.
tally() {
    line=$(grep -E '^[][a-z_.-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "tests/run.sh: $2 printed no result line" >&2
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
    passed=$((passed + p))
    failed=$((failed + f))
}

echo "== PostgreSQL (throwaway cluster)"
if url=$(sh scripts/pg-test.sh start "$pgdir"); then
    pg_started=1
    export SOUK_TEST_DATABASE_URL="$url"
else
    echo "tests/run.sh: could not start PostgreSQL; its tests count as failed" >&2
    failed=$((failed + 1))
fi

echo "== unit tests ($B/unit)"
"$B/unit" 2>&1 | tee "$work/unit.out"
tally "$work/unit.out" unit

for backend in sqlite postgres; do
    if [ "$backend" = postgres ] && [ "$pg_started" != 1 ]; then
        continue
    fi
    echo "== integration tests against $backend ($B/souk)"
    "$PY" tests/integration/run.py --binary "$B/souk" --backend "$backend" 2>&1 |
        tee "$work/int-$backend.out"
    tally "$work/int-$backend.out" "integration ($backend)"
done

echo "== OpenAPI check (tests/openapi)"
if (cd tests/openapi && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.out" 2>&1; then
    for backend in sqlite postgres; do
        if [ "$backend" = postgres ] && [ "$pg_started" != 1 ]; then
            continue
        fi
        node tests/openapi/check.mjs --binary "$B/souk" --backend "$backend" 2>&1 |
            tee "$work/openapi-$backend.out"
        tally "$work/openapi-$backend.out" "openapi ($backend)"
    done
else
    cat "$work/npm.out" >&2
    echo "tests/run.sh: npm ci in tests/openapi failed; the OpenAPI check counts as failed" >&2
    failed=$((failed + 1))
fi

echo "== browser tests (headless Chromium)"
if ! (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm-browser.out" 2>&1; then
    cat "$work/npm-browser.out" >&2
    echo "tests/run.sh: npm ci in tests/browser failed" >&2
fi
for backend in sqlite postgres; do
    if [ "$backend" = postgres ] && [ "$pg_started" != 1 ]; then
        continue
    fi
    echo "== browser tests against $backend ($B/souk)"
    node tests/browser/run.mjs --binary "$B/souk" --backend "$backend" 2>&1 |
        tee "$work/browser-$backend.out"
    tally "$work/browser-$backend.out" "browser ($backend)"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
