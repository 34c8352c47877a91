#!/bin/sh
# bench/instructions.sh - instructions the server executes per request
# (valgrind's callgrind), page cache off, on a generated 10,000-product store
# with a 500-product collection, as bench/run.sh builds it. On a shared
# machine CPU time per request drifts by a quarter between runs; instruction
# counts do not, so this is how two builds are compared.
#
#   bench/instructions.sh [BINARY]     (default build/souk; `make bench-instructions`)
#
# Each route: the server under callgrind answers A requests, then a fresh one
# answers A + 100; the difference over 100 leaves start-up and first-request
# work (template loading, statement preparation) out.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "${1:-$top/build/souk}")" && pwd)/$(basename "${1:-$top/build/souk}")
work=$(mktemp -d /tmp/souk-ir-XXXXXX)
token=bench-admin-token-0123456789abcdef0123
port=""
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

serve() { # [wrapper...] -> sets pid, port
    SOUK_PAGE_CACHE=0 SOUK_DATA_DIR="$work/cat" SOUK_LISTEN=127.0.0.1:0 SOUK_ENV=test \
        SOUK_ACCESS_LOG=0 SOUK_ADMIN_TOKEN=$token SOUK_TEMPLATES_DIR="$top/templates" \
        SOUK_STATIC_DIR="$top/static" "$@" "$bin" serve 2>"$work/serve.log" >/dev/null &
    pid=$!
    port=""
    for _ in $(seq 1 300); do
        port=$(grep -ao 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "instructions: server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
}

stop() {
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

python3 "$top/bench/gen_shopify_csv.py" 10000 --out "$work/10k.csv"
"$bin" --data-dir "$work/cat" migrate 2>/dev/null
"$bin" --data-dir "$work/cat" import shopify "$work/10k.csv" >/dev/null 2>&1
serve
curl -s -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/collections" \
    -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"title":"Bench","handle":"bench","featured":true}'
for i in $(seq 1 500); do
    curl -s -o /dev/null -X PUT -H "authorization: Bearer $token" \
        "http://127.0.0.1:$port/api/v1/collections/bench/products/product-$(printf %07d $((i * 20)))"
done
stop

count() { # path requests -> instructions of the whole run
    serve valgrind --tool=callgrind --callgrind-out-file="$work/cg.out"
    # Both runs must include the catalog mirror's whole first snapshot: made
    # in the background, it may otherwise end before one run's last request
    # and after the other's, and requests before it read the database.
    for _ in $(seq 1 600); do
        grep -aq 'catalog mirror: ' "$work/serve.log" && break
        sleep 0.1
    done
    grep -aq 'catalog mirror: ' "$work/serve.log" || { echo "instructions: no mirror snapshot" >&2; exit 1; }
    for _ in $(seq 1 "$2"); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1")
        [ "$code" = 200 ] || { echo "instructions: $1 answered $code" >&2; exit 1; }
    done
    stop
    awk '/^summary:/ {print $2}' "$work/cg.out"
}

echo "instructions per request, page cache off, $(basename "$bin"), 10,000 products"
for path in /products/product-0005000 /collections/bench "/search?q=classic+shirt"; do
    a=$(count "$path" 20)
    b=$(count "$path" 120)
    printf '%-28s %10d\n' "$path" $(((b - a) / 100))
done
