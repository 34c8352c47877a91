"""test_mirror.py - the catalog mirror in a running server
(src/shop/catalog_mirror.h), with the page cache off so that every request
reaches it: listings and searches are answered from it once it has caught
up, and a page right after a write shows the write, never what the mirror
held before. The server says how many searches it answered from the
mirror when it stops; PostgreSQL has no mirror."""

import re
import time

from catalog_fixture import Api, store_server
from souk import check, eq, get, test


def product(handle, title, vendor):
    return {
        "title": title,
        "handle": handle,
        "status": "active",
        "vendor": vendor,
        "body_html": "<p>%s</p>" % title,
        "variants": [{"price": 1500, "sku": "SKU-" + handle, "inventory_quantity": 5}],
    }


def mirror_line(s):
    for line in s.log_lines():
        m = re.search(r"catalog mirror: (\d+) snapshots .* (\d+) searches answered from it, "
                      r"(\d+) found it behind", line)
        if m:
            return tuple(int(v) for v in m.groups())
    return None


@test
def mirror_answers_listings_and_never_an_older_catalog(t):
    s = store_server(t, env={"SOUK_PAGE_CACHE": "0"})
    api = Api(s.port)
    for h, title, vendor in (("lamp", "Brass Lamp", "Acme"), ("vase", "Glass Vase", "Globex")):
        api.ok(api.post("/api/v1/products", product(h, title, vendor)), 201, "create " + h)
    api.ok(api.post("/api/v1/collections", {"title": "Home", "handle": "home-goods"}), 201,
           "collection")
    for h in ("lamp", "vase"):
        api.ok(api.put("/api/v1/collections/home-goods/products/" + h), 204, "place " + h)
    # Until the mirror catches up a listing reads the database; either way
    # the page is right.
    deadline = time.time() + 5
    while time.time() < deadline:
        r = get(s.port, "/collections/home-goods?vendor=Acme")
        eq(r.status, 200, "filtered collection")
        check("Brass Lamp" in r.text() and "Glass Vase" not in r.text(), "the Acme filter")
        time.sleep(0.05)
    # A write, then at once the listings that it changes.
    api.ok(api.patch("/api/v1/products/vase", {"vendor": "Acme"}), 200, "vase becomes Acme")
    r = get(s.port, "/collections/home-goods?vendor=Acme")
    check("Glass Vase" in r.text(), "the vase is listed under Acme right after the write")
    r = get(s.port, "/search?q=vase&vendor=Globex")
    check("Glass Vase" not in r.text(), "and no longer under Globex")
    api.ok(api.delete("/api/v1/collections/home-goods/products/lamp"), 204, "take the lamp out")
    r = get(s.port, "/collections/home-goods")
    check("Brass Lamp" not in r.text(), "a product taken out of a collection is gone at once")
    s.stop()
    got = mirror_line(s)
    if t.backend == "postgres":
        eq(got, None, "no mirror on PostgreSQL")
        return
    check(got is not None, "the server reports its mirror when it stops:\n" + s.stderr_tail())
    snapshots, answered, behind = got
    check(answered > 0, "listings were answered from the mirror (%d)" % answered)
    check(behind > 0, "some found it behind a write and read the database (%d)" % behind)
    check(snapshots >= 2, "it made new snapshots after the writes (%d)" % snapshots)


@test
def mirror_can_be_turned_off(t):
    s = store_server(t, env={"SOUK_PAGE_CACHE": "0", "SOUK_CATALOG_MIRROR": "false"})
    eq(get(s.port, "/search?q=anything").status, 200, "search without a mirror")
    s.stop()
    eq(mirror_line(s), None, "no mirror when server.catalog_mirror is false")
