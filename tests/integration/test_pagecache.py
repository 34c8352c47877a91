"""test_pagecache.py - anonymous pages answered from memory (src/http/pagecache.h).

What a shopper and a merchant would check: a repeated page is the same page
(body, ETag, encoding, 304s), a page changes as soon as the merchant changes
the catalog through this server, and within a moment when the change comes
from elsewhere (`souk import` beside the server, or a second instance on the
same database). Requests with a cookie or credentials are never answered
from the cache. The X-Cache header says which path a response took."""

import gzip
import os
import time

from catalog_fixture import Api, store_server
from souk import check, eq, get, request, run_cli, test


def product(handle, title, price=1500):
    return {
        "title": title,
        "handle": handle,
        "status": "active",
        "vendor": "Acme",
        "body_html": "<p>%s</p>" % title,
        "variants": [{"price": price, "sku": "SKU-" + handle, "inventory_quantity": 5}],
    }


def settle():
    """Let the watcher see the last commit. On SQLite it cannot tell this
    server's own commits from others' (PRAGMA data_version), so it empties
    the cache once more within a tenth of a second of every write."""
    time.sleep(0.3)


def setup(t, env=None):
    s = store_server(t, env=env)
    api = Api(s.port)
    api.ok(api.post("/api/v1/products", product("lamp", "Brass Lamp")), 201, "create lamp")
    settle()
    return s, api


def xcache(r):
    return r.header("x-cache")


def title_in(r, title):
    return ("<h1>%s</h1>" % title) in r.text()


@test
def page_cache_answers_a_repeat_with_the_same_page(t):
    s, _ = setup(t)
    first = get(s.port, "/products/lamp")
    eq(first.status, 200, "first GET")
    eq(xcache(first), "miss", "first GET X-Cache")
    second = get(s.port, "/products/lamp")
    eq(second.status, 200, "second GET")
    eq(xcache(second), "hit", "second GET X-Cache")
    eq(second.body, first.body, "cached body")
    for h in ("etag", "content-type", "cache-control", "content-length", "x-content-type-options",
              "content-security-policy"):
        eq(second.header(h), first.header(h), "cached %s" % h)
    check(second.header("x-request-id") != first.header("x-request-id"), "each response has its own request id")
    # Conditional request answered from the cache.
    r = get(s.port, "/products/lamp", headers=[("If-None-Match", first.header("etag"))])
    eq(r.status, 304, "If-None-Match on a cached page")
    eq(xcache(r), "hit", "304 from the cache")
    eq(r.body, b"", "304 body")
    # HEAD from the cache: the GET's headers, no body.
    r = request(s.port, "HEAD", "/products/lamp")
    eq(r.status, 200, "HEAD")
    eq(xcache(r), "hit", "HEAD X-Cache")
    eq(r.header("content-length"), first.header("content-length"), "HEAD Content-Length")
    eq(r.body, b"", "HEAD body")


@test
def page_cache_keys_on_the_host(t):
    """Without store.base_url, pages link to the Host they were asked for: a
    request with a forged Host must not plant its links in other shoppers'
    pages."""
    s, _ = setup(t)
    good = [("Host", "shop.example.test")]
    evil = [("Host", "evil.example.test")]
    eq(xcache(get(s.port, "/products/lamp", headers=evil)), "miss", "forged Host, first")
    eq(xcache(get(s.port, "/products/lamp", headers=evil)), "hit", "forged Host, again")
    r = get(s.port, "/products/lamp", headers=good)
    eq(xcache(r), "miss", "the real Host is its own entry")
    check("evil.example.test" not in r.text(), "no forged origin in the real page")
    check('href="http://shop.example.test/products/lamp"' in r.text(), "canonical on the real Host")


@test
def page_cache_keeps_gzip_and_identity_apart(t):
    s, _ = setup(t)
    plain = get(s.port, "/products/lamp")
    gz1 = get(s.port, "/products/lamp", headers=[("Accept-Encoding", "gzip")])
    eq(xcache(gz1), "miss", "first gzip GET is its own entry")
    gz2 = get(s.port, "/products/lamp", headers=[("Accept-Encoding", "gzip")])
    eq(xcache(gz2), "hit", "second gzip GET")
    eq(gz2.header("content-encoding"), "gzip", "cached gzip encoding")
    eq(gzip.decompress(gz2.body), plain.body, "cached gzip body decompresses to the page")
    check(gz2.header("etag") != plain.header("etag"), "each encoding has its own ETag")
    again = get(s.port, "/products/lamp")
    eq(again.header("content-encoding"), None, "identity client gets no gzip")
    eq(again.body, plain.body, "identity body")
    # A 304 for the gzip entry does not claim an encoding.
    r = get(s.port, "/products/lamp", headers=[("Accept-Encoding", "gzip"),
                                                ("If-None-Match", gz2.header("etag"))])
    eq(r.status, 304, "gzip 304")
    eq(r.header("content-encoding"), None, "304 Content-Encoding")


@test
def page_cache_skips_cookies_credentials_and_errors(t):
    s, api = setup(t)
    get(s.port, "/products/lamp")
    r = get(s.port, "/products/lamp", headers=[("Cookie", "session=abc")])
    eq(r.status, 200, "GET with a cookie")
    eq(xcache(r), None, "a request with a cookie bypasses the cache")
    r = api.request("GET", "/api/v1/products/lamp")
    eq(r.status, 200, "admin GET")
    eq(xcache(r), None, "a request with credentials bypasses the cache")
    for _ in range(2):
        r = get(s.port, "/products/no-such-thing")
        eq(r.status, 404, "unknown product")
        eq(xcache(r), "miss", "a 404 is never stored")
    # Search pages are cached per query string.
    eq(xcache(get(s.port, "/search?q=lamp")), "miss", "search, first")
    eq(xcache(get(s.port, "/search?q=lamp")), "hit", "search, again")
    eq(xcache(get(s.port, "/search?q=lamp&sort=price-asc")), "miss", "another query string")
    # Public JSON too, and apart from the page.
    eq(xcache(get(s.port, "/api/v1/products/lamp")), "miss", "public JSON, first")
    eq(xcache(get(s.port, "/api/v1/products/lamp")), "hit", "public JSON, again")


@test
def page_cache_is_purged_by_catalog_writes(t):
    s, api = setup(t)
    api.ok(api.post("/api/v1/collections", {"title": "Lights", "handle": "lights", "featured": True}),
           201, "collection")
    api.ok(api.put("/api/v1/collections/lights/products/lamp"), 204, "place lamp")
    settle()
    pages = ["/products/lamp", "/collections/lights", "/", "/search?q=brass", "/api/v1/products/lamp",
             "/sitemap.xml"]
    for p in pages:
        get(s.port, p)
        eq(xcache(get(s.port, p)), "hit", "%s cached" % p)

    api.ok(api.patch("/api/v1/products/lamp", {"title": "Copper Lamp"}), 200, "rename")
    for p in pages[:4]:
        r = get(s.port, p)
        eq(xcache(r), "miss", "%s after the rename" % p)
        check("Copper Lamp" in r.text(), "%s shows the new title" % p)
    eq(get(s.port, "/api/v1/products/lamp").json()["title"], "Copper Lamp", "public JSON after rename")

    # A variant's price, through its own route.
    vid = api.get("/api/v1/products/lamp", auth=True).json()["variants"][0]["id"]
    get(s.port, "/products/lamp")
    api.ok(api.patch("/api/v1/products/lamp/variants/%s" % vid, {"price": 2995}), 200, "new price")
    check("$29.95" in get(s.port, "/products/lamp").text(), "product page shows the new price")

    api.ok(api.delete("/api/v1/products/lamp"), 204, "delete")
    eq(get(s.port, "/products/lamp").status, 404, "a deleted product is not served from the cache")


def csv_renaming_lamp(path, title):
    with open(path, "w") as f:
        f.write("Handle,Title,Body (HTML),Vendor,Status,Variant SKU,Variant Price,Variant Inventory Qty\n")
        f.write("lamp,%s,<p>%s</p>,Acme,active,SKU-lamp,15.00,5\n" % (title, title))


def wait_for_title(port, path, title, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = get(port, path)
        if title_in(r, title):
            return r
        time.sleep(0.05)
    return None


@test
def page_cache_sees_an_import_beside_the_server(t):
    s, _ = setup(t)
    get(s.port, "/products/lamp")
    r = get(s.port, "/products/lamp")
    check(xcache(r) == "hit" and title_in(r, "Brass Lamp"), "old page cached")
    csv = os.path.join(t.tmpdir(), "rename.csv")
    csv_renaming_lamp(csv, "Imported Lamp")
    env = {k: v for k, v in s.env.items() if k in ("SOUK_DATA_DIR", "DATABASE_URL")}
    run = run_cli(t, ["import", "shopify", csv], env)
    eq(run.rc, 0, "import exit code (%s)" % run.both)
    check(wait_for_title(s.port, "/products/lamp", "Imported Lamp") is not None,
          "the page shows the imported title within 5 s")


@test
def page_cache_sees_another_instance_write(t):
    a, _ = setup(t)
    # A second server on the same database, as a second instance behind a load balancer.
    b = t.server(env={k: v for k, v in a.env.items()
                      if k.startswith(("SOUK_", "DATABASE_URL"))}, static=False, root=a.root)
    api_b = Api(b.port)
    settle()
    get(a.port, "/products/lamp")
    r = get(a.port, "/products/lamp")
    check(xcache(r) == "hit" and title_in(r, "Brass Lamp"), "old page cached on A")
    api_b.ok(api_b.patch("/api/v1/products/lamp", {"title": "Lamp From B"}), 200, "rename on B")
    check(wait_for_title(a.port, "/products/lamp", "Lamp From B") is not None,
          "A shows B's change within 5 s")


@test
def page_cache_can_be_turned_off(t):
    s, _ = setup(t, env={"SOUK_PAGE_CACHE": "0"})
    for _ in range(2):
        r = get(s.port, "/products/lamp")
        eq(r.status, 200, "GET")
        eq(xcache(r), None, "no X-Cache with the cache off")
