#!/bin/sh
# load.sh DATA_DIR [SOUK_BINARY] - fill an empty store with the demo catalog.
#
# Used by `make run`, so that a newcomer sees a store with products in it:
#   1. if the store has products already, do nothing (so it never touches a
#      real catalog, and a second `make run` costs a fraction of a second);
#   2. otherwise write the demo with demo/generate.py into a temporary
#      directory, copy its images into DATA_DIR/media/demo, and import its
#      catalog with `souk import shopify`;
#   3. create the collections: Shopify's product CSV has none, so a souk
#      server is started for the purpose on a free loopback port with a
#      one-time admin token, and the collections are made through the admin
#      API (POST /api/v1/collections, PUT /api/v1/collections/ID/products/PID),
#      then that server is stopped.
# A load cut short is finished by the next run (the marker file
# DATA_DIR/.demo-loading says one is under way; every step is idempotent).
#
# The store is the one souk is configured for (SOUK_*, DATABASE_URL, ...),
# with --data-dir DATA_DIR. SOUK_DEMO=0 skips the demo. Needs python3.
set -eu

usage="usage: sh demo/load.sh DATA_DIR [SOUK_BINARY]"
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
    echo "$usage" >&2
    exit 2
fi
data_dir=$1
souk=${2:-./build/souk}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
marker="$data_dir/.demo-loading"

if [ "${SOUK_DEMO:-1}" = 0 ]; then
    exit 0
fi
if [ ! -x "$souk" ]; then
    echo "demo: $souk is not an executable; build it first (make build/souk)" >&2
    exit 1
fi
if ! command -v python3 >/dev/null; then
    echo "demo: python3 is needed to load the demo store; skipped" >&2
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/souk-demo.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The schema first (make run has done it; a direct call may not have).
if ! "$souk" --data-dir "$data_dir" migrate 2>"$tmp/migrate.log"; then
    cat "$tmp/migrate.log" >&2
    exit 1
fi

# Does the store have a product? The first data row of an export tells; head
# closes the pipe after it, so even a big catalog answers at once.
if [ ! -e "$marker" ]; then
    rows=$("$souk" --data-dir "$data_dir" export shopify - 2>/dev/null | head -n 2 | wc -l)
    if [ "$rows" -ge 2 ]; then
        exit 0
    fi
fi

start=$(date +%s)
if [ -e "$marker" ]; then
    echo "demo: finishing the demo catalog's load that was cut short" >&2
else
    echo "demo: the store is empty: loading the demo catalog (SOUK_DEMO=0 skips this)" >&2
fi
: >"$marker"
python3 "$here/generate.py" "$tmp/demo"

mkdir -p "$data_dir/media/demo"
cp -R "$tmp/demo/media/demo/." "$data_dir/media/demo/"

if ! "$souk" --data-dir "$data_dir" import shopify "$tmp/demo/catalog.csv" >"$tmp/import.out" 2>"$tmp/import.log"; then
    cat "$tmp/import.log" "$tmp/import.out" >&2
    echo "demo: the import failed; run 'sh demo/load.sh $data_dir $souk' again when fixed" >&2
    exit 1
fi
echo "demo: products: $(cat "$tmp/import.out")" >&2

# A private server for the admin API: loopback, a free port, one thread, a
# token that dies with it.
token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
SOUK_ADMIN_TOKEN=$token SOUK_ACCESS_LOG=false \
    SOUK_STATIC_DIR="${SOUK_STATIC_DIR:-$root/static}" \
    SOUK_TEMPLATES_DIR="${SOUK_TEMPLATES_DIR:-$root/templates}" \
    "$souk" --data-dir "$data_dir" serve --listen 127.0.0.1:0 --threads 1 2>"$tmp/serve.log" &
pid=$!
port=""
i=0
while [ -z "$port" ]; do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$tmp/serve.log" | head -n 1)
    [ -n "$port" ] && break
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
        cat "$tmp/serve.log" >&2
        echo "demo: the server for loading collections did not start" >&2
        exit 1
    fi
    sleep 0.1
done

DEMO_TOKEN=$token python3 - "$tmp/demo/collections.json" "$port" <<'EOF'
# Create or update each collection (parents first), then place its products
# in order. Re-running gives the same result.
import http.client
import json
import os
import sys
import urllib.parse

path, port = sys.argv[1], int(sys.argv[2])
token = os.environ["DEMO_TOKEN"]
conn = None


def call(method, url, body=None):
    global conn
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    for attempt in (1, 2):
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, url, body=data, headers=headers)
            r = conn.getresponse()
            return r.status, r.read()
        except (ConnectionError, http.client.HTTPException):
            conn = None
            if attempt == 2:
                raise


def fail(what, status, body):
    sys.exit("demo: %s: HTTP %d %s" % (what, status, body.decode("utf-8", "replace")[:400]))


q = lambda s: urllib.parse.quote(s, safe="")
cols = json.load(open(path, encoding="utf-8"))["collections"]
placed = 0
for c in cols:
    fields = {"title": c["title"], "body_html": c["body_html"], "parent_id": c["parent"],
              "featured": c["featured"], "published": True}
    st, body = call("POST", "/api/v1/collections", dict(fields, handle=c["handle"]))
    if st == 409:  # there already: bring it up to date
        st, body = call("PATCH", "/api/v1/collections/" + q(c["handle"]), fields)
        if st != 200:
            fail("updating collection " + c["handle"], st, body)
    elif st != 201:
        fail("creating collection " + c["handle"], st, body)
    for pos, handle in enumerate(c["products"], 1):
        st, body = call("PUT", "/api/v1/collections/%s/products/%s" % (q(c["handle"]), q(handle)),
                        {"position": pos})
        if st != 204:
            fail("placing %s in %s" % (handle, c["handle"]), st, body)
        placed += 1
print("demo: collections: %d, with %d product placements" % (len(cols), placed), file=sys.stderr)
EOF

kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""
rm -f "$marker"
echo "demo: loaded in $(($(date +%s) - start)) s; images in $data_dir/media/demo" >&2
