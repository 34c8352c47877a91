#!/bin/sh
# bench/run.sh - throughput and latency of souk with wrk, written to
# bench/results.md. Not a test: figures vary with the machine, so each rate is
# also given as a ratio to the static file measured in the same run.
#
# Parts:
#   foundation  an empty store, page cache off (it measures the worker path):
#               static file, /healthz, the home page, and the
#               database-concurrency comparison (docs/ARCHITECTURE.md)
#   catalog     10,000 generated products (30,000 variants), as a store runs
#               by default (page cache on): product page, the product pages
#               of all 10,000 handles in random order, collection page,
#               search, JSON product, static asset
#   uncached    the same store with the page cache off: what every first
#               visit, cache miss and request right after a write costs;
#               plus searches of 576 different texts in random order
# BENCH_MILLION=1 adds the 1,000,000-product import and product/search runs,
# with the page cache on and off.
#
#   BENCH_SECONDS (default 20)  BENCH_CONNS (64)  BENCH_THREADS (2)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${BENCH_SECONDS:-20}
conns=${BENCH_CONNS:-64}
wthreads=${BENCH_THREADS:-2}
bin=$top/build/souk
work=$(mktemp -d /tmp/souk-bench-XXXXXX)
token=bench-admin-token-0123456789abcdef0123
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

start_server() { # data_dir [page_cache] -> sets pid, base
    SOUK_PAGE_CACHE="${2:-32M}" SOUK_DATA_DIR="$1" SOUK_LISTEN=127.0.0.1:0 SOUK_ENV=test SOUK_TEST_ROUTES=1 \
        SOUK_ADMIN_TOKEN=$token SOUK_TEMPLATES_DIR="$top/templates" SOUK_STATIC_DIR="$top/static" \
        "$bin" serve --migrate 2>"$1.log" >/dev/null &
    pid=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(grep -ao 'listening on http://127.0.0.1:[0-9]*' "$1.log" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench: server did not start" >&2; cat "$1.log" >&2; exit 1; }
    base="http://127.0.0.1:$port"
}

stop_server() { # part -> appends "part peak-RSS-kB" to $work/rss
    # Not in a $(...) subshell: only this shell can wait for the server, and
    # the next one must not start while this one still writes its log.
    rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    # RSS counts a file page once per mapping of it, and every SQLite
    # connection maps the database file: PSS (read now, at the end of the
    # part) counts each page once, and anonymous memory is the private part.
    pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
    anon_kb=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status")
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    echo "$1 $rss_kb $pss_kb $anon_kb" >>"$work/rss"
}

run_wrk() { # part name path [wrk script]
    part=$1; name=$2; path=$3
    script=${4:+-s $4}
    # $script is empty or two words: unquoted on purpose.
    wrk -t"$wthreads" -c"$conns" -d3s $script "$base$path" >/dev/null 2>&1 || true   # warm-up
    wrk -t"$wthreads" -c"$conns" -d"${secs}s" --latency $script "$base$path" \
        >"$work/$part.$name.wrk" 2>&1
    echo "$part $name $path" >>"$work/runs"
}

# A wrk script asking for the product pages of handles 1..$1 in random order;
# run_wrk's path then only names the run.
product_mix() { # count -> path of the script
    printf '%s\n' 'math.randomseed(42)' 'request = function()' \
        "  return wrk.format(\"GET\", string.format(\"/products/product-%07d\", math.random(1, $1)))" \
        'end' >"$work/mix$1.lua"
    echo "$work/mix$1.lua"
}

# A wrk script searching 576 different texts (words of gen_shopify_csv.py's
# titles, vendors and tags, two or three at a time) in random order, as a
# store's long tail of searches comes: each text's matches are intersected
# afresh from its words' postings, which the catalog mirror keeps.
search_mix() { # -> path of the script
    cat >"$work/search_mix.lua" <<'LUA'
math.randomseed(42)
local adj = {"classic", "organic", "vintage", "modern", "rugged", "soft", "bold", "light"}
local noun = {"shirt", "mug", "backpack", "scarf", "lamp", "notebook", "candle", "sneaker"}
local vendor = {"acme", "northwind", "globex", "initech", "umbrella", "hooli"}
local tag = {"new", "sale", "summer", "winter", "gift", "eco", "bestseller", "limited"}
local q = {}
for _, a in ipairs(adj) do
  for _, n in ipairs(noun) do
    q[#q + 1] = a .. "+" .. n
    for _, v in ipairs(vendor) do q[#q + 1] = a .. "+" .. n .. "+" .. v end
  end
  for _, t in ipairs(tag) do q[#q + 1] = a .. "+" .. t end
end
for _, n in ipairs(noun) do
  for _, t in ipairs(tag) do q[#q + 1] = n .. "+" .. t end
end
request = function()
  return wrk.format("GET", "/search?q=" .. q[math.random(1, #q)])
end
LUA
    echo "$work/search_mix.lua"
}

# ---- foundation: an empty store ----
start_server "$work/empty" 0
run_wrk foundation static /static/css/souk.css
run_wrk foundation healthz /healthz
run_wrk foundation home /
run_wrk foundation inline_lookup /_test/inline_lookup
( for _ in $(seq 1 $((secs / 2 + 3))); do curl -s -o /dev/null "$base/_test/sleep?ms=2000"; done ) &
sleeper=$!
run_wrk foundation home_during_slow_query /
kill "$sleeper" 2>/dev/null || true; wait "$sleeper" 2>/dev/null || true
( for _ in $(seq 1 $((secs / 2 + 3))); do curl -s -o /dev/null "$base/_test/block?ms=2000"; done ) &
sleeper=$!
run_wrk foundation healthz_during_loop_block /healthz
kill "$sleeper" 2>/dev/null || true; wait "$sleeper" 2>/dev/null || true
stop_server foundation

# ---- catalog: 10,000 products ----
python3 bench/gen_shopify_csv.py 10000 --out "$work/10k.csv"
"$bin" --data-dir "$work/cat" migrate 2>/dev/null
t0=$(date +%s.%N)
"$bin" --data-dir "$work/cat" import shopify "$work/10k.csv" >/dev/null 2>"$work/import10k.log"
t1=$(date +%s.%N)
echo "10000 $(echo "$t1 - $t0" | bc)" >>"$work/imports"
start_server "$work/cat"
# A collection of 500 products, placed through the admin API.
curl -s -o /dev/null -X POST "$base/api/v1/collections" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"title":"Bench","handle":"bench","featured":true}'
for i in $(seq 1 500); do
    printf 'PUT /api/v1/collections/bench/products/product-%07d\n' "$((i * 20))"
done | while read -r m p; do
    curl -s -o /dev/null -X "$m" "$base$p" -H "authorization: Bearer $token"
done
run_wrk catalog static /static/css/souk.css
run_wrk catalog product /products/product-0005000
run_wrk catalog product_mix / "$(product_mix 10000)"
run_wrk catalog collection /collections/bench
run_wrk catalog search "/search?q=classic+shirt"
run_wrk catalog api_product /api/v1/products/product-0005000
stop_server catalog
start_server "$work/cat" 0
run_wrk uncached static /static/css/souk.css
run_wrk uncached product /products/product-0005000
run_wrk uncached product_mix / "$(product_mix 10000)"
run_wrk uncached collection /collections/bench
run_wrk uncached search "/search?q=classic+shirt"
run_wrk uncached search_mix / "$(search_mix)"
run_wrk uncached api_product /api/v1/products/product-0005000
stop_server uncached

# ---- optional: 1,000,000 products ----
if [ "${BENCH_MILLION:-0}" = 1 ]; then
    python3 bench/gen_shopify_csv.py 1000000 --out "$work/1m.csv"
    "$bin" --data-dir "$work/big" migrate 2>/dev/null
    t0=$(date +%s.%N)
    "$bin" --data-dir "$work/big" import shopify "$work/1m.csv" >/dev/null 2>"$work/import1m.log"
    t1=$(date +%s.%N)
    echo "1000000 $(echo "$t1 - $t0" | bc)" >>"$work/imports"
    rm -f "$work/1m.csv"
    start_server "$work/big"
    run_wrk million static /static/css/souk.css
    run_wrk million product /products/product-0500000
    run_wrk million search "/search?q=classic+shirt"
    stop_server million
    start_server "$work/big" 0
    run_wrk million_uncached static /static/css/souk.css
    run_wrk million_uncached product /products/product-0500000
    run_wrk million_uncached product_mix / "$(product_mix 1000000)"
    run_wrk million_uncached search "/search?q=classic+shirt"
    run_wrk million_uncached search_mix / "$(search_mix)"
    stop_server million_uncached
fi

python3 bench/report.py "$work" "$secs" "$conns" "$wthreads" > bench/results.md
cat bench/results.md
