"""test_catalog_api.py - the catalog's JSON API v1 as a merchant's tools and a
storefront client use it: products with their variants and images,
collections and their order, the admin token, validation, drafts, list
filters, sorts, pagination, facets and search, and description sanitizing.

Each test runs its own server on an empty database (catalog_fixture)."""

import re

import catalog_fixture as cf
import htmltree
from catalog_fixture import TOKEN, Api, build_catalog, error_fields, problem, qs, store_server
from souk import check, eq, test

ID_RE = {
    "product": re.compile(r"^prod_[a-z0-9]{8,}$"),
    "variant": re.compile(r"^var_[a-z0-9]{8,}$"),
    "image": re.compile(r"^img_[a-z0-9]{8,}$"),
    "collection": re.compile(r"^coll_[a-z0-9]{8,}$"),
}
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def shirt_spec(title="Linen Shirt", sku="LIN-1", **extra):
    spec = {
        "title": title, "vendor": "Loom & Co", "product_type": "Shirt", "status": "active",
        "tags": ["linen", "Summer"], "options": ["Size"],
        "body_html": "<p>Breathes <em>well</em>.</p>",
        "seo_title": "Linen shirt, breathable", "seo_description": "A shirt of linen.",
        "variants": [
            {"sku": sku + "-S", "options": ["S"], "price": 4500, "compare_at_price": 5000, "cost": 2000,
             "weight_grams": 250, "weight_unit": "g", "barcode": "0123456789012", "inventory_quantity": 4},
            {"sku": sku + "-M", "options": ["M"], "price": 4700, "inventory_quantity": 0,
             "inventory_policy": "continue", "requires_shipping": True, "taxable": False},
        ],
        "images": [{"src": "https://img.example.com/linen.jpg", "alt": "Linen shirt", "width": 1200, "height": 900}],
    }
    spec.update(extra)
    return spec


def list_all(api, path, auth=False, page=100):
    """Every product of a list endpoint, following offset; returns (items, total)."""
    items, offset, total = [], 0, None
    sep = "&" if "?" in path else "?"
    while True:
        j = api.ok(api.get("%s%slimit=%d&offset=%d" % (path, sep, page, offset), auth=auth), 200, path)
        total = j["total"] if total is None else total
        eq(j["total"], total, "%s: total changed between pages" % path)
        items += j["products"]
        offset += page
        if not j["products"] or offset >= total:
            return items, total


def handles(items):
    return [p["handle"] for p in items]


# ---------------------------------------------------------------- auth


@test
def test_api_admin_token_required(t):
    s = store_server(t)
    api = Api(s.port)
    p = api.ok(api.post("/api/v1/products", shirt_spec()), 201, "create with the token")
    c = api.ok(api.post("/api/v1/collections", {"title": "Linen"}), 201, "create a collection")
    v = p["variants"][0]["id"]
    im = p["images"][0]["id"]
    writes = [
        ("POST", "/api/v1/products", shirt_spec("Other", "OTH")),
        ("PATCH", "/api/v1/products/%s" % p["id"], {"title": "Hijacked"}),
        ("DELETE", "/api/v1/products/%s" % p["id"], None),
        ("POST", "/api/v1/products/%s/variants" % p["id"], {"options": ["L"], "price": 1}),
        ("PATCH", "/api/v1/products/%s/variants/%s" % (p["id"], v), {"price": 1}),
        ("DELETE", "/api/v1/products/%s/variants/%s" % (p["id"], v), None),
        ("POST", "/api/v1/products/%s/images" % p["id"], {"src": "https://img.example.com/x.jpg"}),
        ("PATCH", "/api/v1/products/%s/images/%s" % (p["id"], im), {"alt": "Hijacked"}),
        ("DELETE", "/api/v1/products/%s/images/%s" % (p["id"], im), None),
        ("POST", "/api/v1/collections", {"title": "Hijacked"}),
        ("PATCH", "/api/v1/collections/%s" % c["id"], {"title": "Hijacked"}),
        ("DELETE", "/api/v1/collections/%s" % c["id"], None),
        ("PUT", "/api/v1/collections/%s/products/%s" % (c["id"], p["id"]), {"position": 1}),
        ("DELETE", "/api/v1/collections/%s/products/%s" % (c["id"], p["id"]), None),
    ]
    bad_auth = [
        None,
        "Bearer " + TOKEN[:-1] + ("x" if TOKEN[-1] != "x" else "y"),
        "Bearer " + TOKEN[:-1],
        "Bearer " + TOKEN + "x",
        "Bearer ",
        "Basic " + TOKEN,
        TOKEN,
    ]
    anon = Api(s.port, token=None)
    for method, path, body in writes:
        for auth in bad_auth:
            hdrs = [("Authorization", auth)] if auth is not None else []
            r = anon.request(method, path, body, auth=False, headers=hdrs)
            what = "%s %s with Authorization %r" % (method, path, auth and auth[:12] + "...")
            problem(r, 401, what)
            check("bearer" in (r.header("www-authenticate") or "").lower(),
                  "%s: WWW-Authenticate %r" % (what, r.header("www-authenticate")))
    # Nothing changed.
    j = api.ok(api.get("/api/v1/products/%s" % p["id"]), 200, "GET after refused writes")
    eq(j, api.ok(api.get("/api/v1/products/%s" % p["id"], auth=True), 200, "GET with token"), "anonymous and admin view")
    eq(j["title"], p["title"], "title after refused writes")
    eq([x["id"] for x in j["variants"]], [x["id"] for x in p["variants"]], "variants after refused writes")
    eq(j["images"], p["images"], "images after refused writes")
    jl = api.ok(api.get("/api/v1/products"), 200, "list")
    eq(jl["total"], 1, "products after refused writes")
    jc = api.ok(api.get("/api/v1/collections/%s" % c["id"]), 200, "collection after refused writes")
    eq((jc["title"], jc["product_count"]), ("Linen", 0), "collection after refused writes")
    # Reading drafts needs the token too.
    problem(anon.get("/api/v1/products?status=any"), 401, "status=any without the token")
    problem(anon.get("/api/v1/products?status=any", headers=[("Authorization", "Bearer nope")]), 401,
            "status=any with a wrong token")

    # A store with no token configured: the admin API is off (403), reads work.
    s2 = store_server(t, token=None)
    api2 = Api(s2.port, token=TOKEN)
    for method, path, body in writes:
        r = api2.request(method, path, body)
        problem(r, 403, "%s %s on a store without an admin token" % (method, path))
    eq(api2.ok(api2.get("/api/v1/products"), 200, "list without token configured")["total"], 0, "total")
    eq(api2.ok(api2.get("/api/v1/collections"), 200, "collections without token configured")["collections"], [],
       "collections")


# ---------------------------------------------------------------- products


@test
def test_api_product_crud(t):
    s = store_server(t)
    api = Api(s.port)
    spec = shirt_spec()
    r = api.post("/api/v1/products", spec)
    p = api.ok(r, 201, "create")
    check(ID_RE["product"].match(p["id"]), "product id %r" % p["id"])
    eq(r.header("location"), "/api/v1/products/%s" % p["id"], "Location")
    eq(r.header("cache-control"), "no-store", "Cache-Control of a write")
    eq(p["handle"], "linen-shirt", "generated handle")
    for k in ("title", "vendor", "product_type", "status", "seo_title", "seo_description", "options"):
        eq(p[k], spec[k], "created %s" % k)
    eq(p["tags"], ["linen", "Summer"], "tags (alphabetical, ASCII case ignored)")
    eq(p["body_html"], "<p>Breathes <em>well</em>.</p>", "safe HTML kept as given")
    eq((p["price_min"], p["price_max"], p["currency"], p["available"]), (4500, 4700, "USD", True), "derived fields")
    check(ISO_RE.match(p["created_at"]) and ISO_RE.match(p["updated_at"]), "times %r %r" % (p["created_at"], p["updated_at"]))
    eq(len(p["variants"]), 2, "variants")
    for i, (got, want) in enumerate(zip(p["variants"], spec["variants"])):
        check(ID_RE["variant"].match(got["id"]), "variant id %r" % got["id"])
        eq(got["position"], i + 1, "variant position")
        for k, v in want.items():
            eq(got[k], v, "variants[%d].%s" % (i, k))
    v1 = p["variants"][1]
    eq((v1["compare_at_price"], v1["cost"], v1["barcode"], v1["weight_unit"]), (None, None, None, "kg"),
       "defaults of a variant")
    eq(len(p["images"]), 1, "images")
    im = p["images"][0]
    check(ID_RE["image"].match(im["id"]), "image id %r" % im["id"])
    eq((im["src"], im["alt"], im["width"], im["height"], im["variant_id"], im["position"]),
       ("https://img.example.com/linen.jpg", "Linen shirt", 1200, 900, None, 1), "image")

    # Visible by id and by handle, anonymously, and in the list.
    eq(api.ok(api.get("/api/v1/products/%s" % p["id"]), 200, "GET by id"), p, "GET by id")
    eq(api.ok(api.get("/api/v1/products/linen-shirt"), 200, "GET by handle"), p, "GET by handle")
    j = api.ok(api.get("/api/v1/products"), 200, "list")
    eq((j["total"], handles(j["products"])), (1, ["linen-shirt"]), "list after create")
    summary = j["products"][0]
    for k in ("id", "handle", "title", "vendor", "product_type", "status", "price_min", "price_max", "currency",
              "available", "created_at", "updated_at"):
        eq(summary[k], p[k], "summary %s" % k)
    eq(summary["image"]["src"], im["src"], "summary image")

    # A second product of the same title gets its own handle.
    p2 = api.ok(api.post("/api/v1/products", shirt_spec(sku="LIN-2")), 201, "create a namesake")
    check(p2["handle"] != p["handle"] and p2["handle"].startswith("linen-shirt"), "namesake handle %r" % p2["handle"])

    # PATCH: the members given change, the rest stay; the handle stays put
    # when the title changes.
    r = api.patch("/api/v1/products/%s" % p["id"], {"title": "Linen Shirt II", "vendor": "Weaver",
                                                     "tags": ["linen", "sale"]})
    q = api.ok(r, 200, "PATCH")
    eq((q["title"], q["vendor"], q["tags"], q["handle"]), ("Linen Shirt II", "Weaver", ["linen", "sale"], "linen-shirt"),
       "patched fields")
    for k in ("variants", "images", "options", "body_html", "seo_title", "product_type", "created_at", "id"):
        eq(q[k], p[k], "%s after a PATCH that did not name it" % k)
    check(q["updated_at"] >= p["updated_at"], "updated_at went back: %r < %r" % (q["updated_at"], p["updated_at"]))
    eq(api.ok(api.get("/api/v1/products/%s" % p["id"]), 200, "GET after PATCH"), q, "GET after PATCH")

    # PATCH variants as a full list: one kept by id (changed), one new, one gone.
    keep = p["variants"][0]["id"]
    q = api.ok(api.patch("/api/v1/products/%s" % p["id"], {"variants": [
        {"id": keep, "price": 4400},
        {"sku": "LIN-1-L", "options": ["L"], "price": 4900, "inventory_quantity": 1},
    ]}), 200, "PATCH variants")
    eq([v["id"] for v in q["variants"]][0], keep, "the kept variant keeps its id")
    check(q["variants"][1]["id"] not in (keep, p["variants"][1]["id"]), "the new variant got a new id")
    eq([(v["sku"], v["price"], v["options"]) for v in q["variants"]],
       [("LIN-1-S", 4400, ["S"]), ("LIN-1-L", 4900, ["L"])], "variants after the PATCH")
    eq(q["variants"][0]["barcode"], "0123456789012", "unlisted fields of a kept variant stay")
    eq((q["price_min"], q["price_max"]), (4400, 4900), "derived prices follow")
    eq(api.ok(api.get("/api/v1/products/%s" % p["id"]), 200, "GET")["variants"], q["variants"], "variants on GET")

    # An explicit handle change is taken; the old handle no longer answers.
    q = api.ok(api.patch("/api/v1/products/%s" % p["id"], {"handle": "linen-shirt-two"}), 200, "PATCH handle")
    eq(q["handle"], "linen-shirt-two", "new handle")
    eq(api.get("/api/v1/products/linen-shirt-two").status, 200, "GET by the new handle")
    problem(api.get("/api/v1/products/linen-shirt"), 404, "GET by the old handle")

    # Status: archive hides it from anonymous reads.
    q = api.ok(api.patch("/api/v1/products/%s" % p["id"], {"status": "archived"}), 200, "archive")
    eq(q["status"], "archived", "status")
    problem(api.get("/api/v1/products/%s" % p["id"]), 404, "anonymous GET of an archived product")
    eq(api.ok(api.get("/api/v1/products/%s" % p["id"], auth=True), 200, "admin GET")["status"], "archived", "status")

    # DELETE.
    api.ok(api.delete("/api/v1/products/%s" % p["id"]), 204, "DELETE")
    problem(api.get("/api/v1/products/%s" % p["id"], auth=True), 404, "GET after DELETE")
    problem(api.delete("/api/v1/products/%s" % p["id"]), 404, "DELETE again")
    problem(api.patch("/api/v1/products/%s" % p["id"], {"title": "x"}), 404, "PATCH after DELETE")
    problem(api.get("/api/v1/products/prod_doesnotexist0000"), 404, "GET of an unknown id")
    j = api.ok(api.get("/api/v1/products"), 200, "list after DELETE")
    eq((j["total"], handles(j["products"])), (1, [p2["handle"]]), "list after DELETE")
    # Its SKUs are free again.
    api.ok(api.post("/api/v1/products", shirt_spec("Reborn Shirt", sku="LIN-1")), 201, "reuse a deleted product's SKUs")


@test
def test_api_variants_and_images(t):
    s = store_server(t)
    api = Api(s.port)
    p = api.ok(api.post("/api/v1/products", shirt_spec()), 201, "create")
    base = "/api/v1/products/%s" % p["id"]

    r = api.post(base + "/variants", {"sku": "LIN-1-L", "options": ["L"], "price": 4900, "inventory_quantity": 2})
    q = api.ok(r, 201, "POST variant")
    eq(len(q["variants"]), 3, "variants after POST")
    nv = q["variants"][-1]
    check(ID_RE["variant"].match(nv["id"]), "new variant id")
    eq((nv["sku"], nv["options"], nv["price"], nv["position"]), ("LIN-1-L", ["L"], 4900, 3), "the new variant is last")
    eq(q["price_max"], 4900, "price_max follows")
    eq(api.ok(api.get(base), 200, "GET")["variants"], q["variants"], "GET after POST variant")

    # A variant that repeats another's options, or another's SKU.
    p422 = problem(api.post(base + "/variants", {"options": ["s"], "price": 1}), 422, "duplicate option values")
    check(p422.get("errors"), "422 without errors: %r" % p422)
    pd = problem(api.post(base + "/variants", {"sku": "LIN-1-S", "options": ["XL"], "price": 1}), 422,
                 "a new variant repeating a SKU of the same product")
    check(any((f or "").endswith("sku") for f in error_fields(pd)), "422 does not name the sku: %r" % pd)
    api.ok(api.post("/api/v1/products", shirt_spec("Other Shirt", sku="OTH")), 201, "another product")
    p409 = problem(api.post(base + "/variants", {"sku": "OTH-S", "options": ["XL"], "price": 1}), 409,
                   "a new variant with another product's SKU")
    check(any((f or "").endswith("sku") for f in error_fields(p409)), "409 does not name the sku: %r" % p409)
    problem(api.post(base + "/variants", {"options": ["XL"], "price": "12"}), 422, "a price as a string")
    problem(api.post("/api/v1/products/prod_nope000000000/variants", {"options": ["XL"], "price": 1}), 404,
            "POST variant on an unknown product")

    q = api.ok(api.patch(base + "/variants/%s" % nv["id"], {"price": 5100, "inventory_quantity": 0}), 200, "PATCH variant")
    got = [v for v in q["variants"] if v["id"] == nv["id"]][0]
    eq((got["price"], got["inventory_quantity"], got["sku"]), (5100, 0, "LIN-1-L"), "patched variant")
    eq(q["price_max"], 5100, "price_max follows the PATCH")
    eq(api.ok(api.get(base), 200, "GET")["variants"], q["variants"], "GET after PATCH variant")
    problem(api.patch(base + "/variants/var_nope0000000000", {"price": 1}), 404, "PATCH an unknown variant")
    pv = problem(api.patch(base + "/variants/%s" % nv["id"], {"inventory_policy": "never", "weight_unit": "stone"}),
                 422, "PATCH variant with bad fields")
    for f in ("inventory_policy", "weight_unit"):
        check(any(f in (x or "") for x in error_fields(pv)), "422 does not name %s: %r" % (f, pv))

    q = api.ok(api.delete(base + "/variants/%s" % nv["id"]), 200, "DELETE variant")
    eq([v["id"] for v in q["variants"]], [v["id"] for v in p["variants"]], "variants after DELETE")
    eq([v["position"] for v in q["variants"]], [1, 2], "positions close up")
    problem(api.delete(base + "/variants/%s" % nv["id"]), 404, "DELETE the variant again")
    api.ok(api.delete(base + "/variants/%s" % p["variants"][1]["id"]), 200, "DELETE the second")
    problem(api.delete(base + "/variants/%s" % p["variants"][0]["id"]), 409, "DELETE the last variant")
    eq(len(api.ok(api.get(base), 200, "GET")["variants"]), 1, "the last variant stays")

    # Images.
    r = api.post(base + "/images", {"src": "products/linen-back.jpg", "alt": "Back", "variant_id": p["variants"][0]["id"]})
    q = api.ok(r, 201, "POST image")
    eq(len(q["images"]), 2, "images after POST")
    ni = q["images"][-1]
    check(ID_RE["image"].match(ni["id"]), "image id")
    eq((ni["src"], ni["alt"], ni["variant_id"], ni["position"]),
       ("products/linen-back.jpg", "Back", p["variants"][0]["id"], 2), "the new image is last")
    q = api.ok(api.patch(base + "/images/%s" % ni["id"], {"alt": "The back", "variant_id": None, "width": 640,
                                                          "height": 480}), 200, "PATCH image")
    got = q["images"][-1]
    eq((got["alt"], got["variant_id"], got["width"], got["height"], got["src"]),
       ("The back", None, 640, 480, "products/linen-back.jpg"), "patched image")
    eq(api.ok(api.get(base), 200, "GET")["images"], q["images"], "GET after PATCH image")
    pi = problem(api.post(base + "/images", {"src": "../../etc/passwd"}), 422, "image src outside the media store")
    check(any("src" in (f or "") for f in error_fields(pi)), "422 does not name src: %r" % pi)
    problem(api.post(base + "/images", {"src": "javascript:alert(1)"}), 422, "javascript: image src")
    problem(api.patch(base + "/images/img_nope000000000", {"alt": "x"}), 404, "PATCH an unknown image")
    q = api.ok(api.delete(base + "/images/%s" % p["images"][0]["id"]), 200, "DELETE image")
    eq([(im["id"], im["position"]) for im in q["images"]], [(ni["id"], 1)], "images after DELETE")
    problem(api.delete(base + "/images/%s" % p["images"][0]["id"]), 404, "DELETE the image again")
    eq(api.ok(api.get(base), 200, "GET")["images"], q["images"], "GET after DELETE image")


@test
def test_api_validation_errors(t):
    s = store_server(t)
    api = Api(s.port)
    # Several bad fields at once: each is named.
    body = {"title": "", "handle": "Bad Handle!", "variants": [{"price": -5, "options": []}],
            "images": [{"src": "../x"}]}
    p = problem(api.post("/api/v1/products", body), 422, "create with bad fields")
    fields = error_fields(p)
    for f in ("title", "handle", "variants[0].price", "images[0].src"):
        check(f in fields, "422 does not name %s: %r" % (f, p.get("errors")))
    for e in p["errors"]:
        check(isinstance(e.get("message"), str) and e["message"], "error without a message: %r" % e)
    # Wrong JSON types, several at once.
    body = {"title": 7, "status": "bogus", "tags": "x", "variants": [{"price": "10", "sku": 3}]}
    p = problem(api.post("/api/v1/products", body), 422, "create with wrong types")
    fields = error_fields(p)
    for f in ("title", "status", "tags", "variants[0].price", "variants[0].sku"):
        check(f in fields, "422 does not name %s: %r" % (f, p.get("errors")))
    p = problem(api.post("/api/v1/products", {"title": "No variants"}), 422, "create without variants")
    check("variants" in error_fields(p), "422 does not name variants: %r" % p)
    p = problem(api.post("/api/v1/products", [1, 2]), 422, "a JSON array as the body")
    check(p.get("errors"), "no errors: %r" % p)
    problem(api.post("/api/v1/products", "{\"title\": "), 400, "malformed JSON")
    problem(api.post("/api/v1/products", '{"title":"x"}', headers=[("Content-Type", "text/plain")]), 415,
            "a body that is not application/json")
    eq(api.ok(api.get("/api/v1/products?status=any", auth=True), 200, "list")["total"], 0,
       "nothing written by refused creates")

    # 409: a SKU or an explicit handle that is taken.
    a = api.ok(api.post("/api/v1/products", shirt_spec("First Shirt", "DUP")), 201, "create")
    p = problem(api.post("/api/v1/products", shirt_spec("Second Shirt", "DUP")), 409, "duplicate SKU")
    check(any(f and f.startswith("variants[") and f.endswith("sku") for f in error_fields(p)),
          "409 does not name the sku: %r" % p)
    p = problem(api.post("/api/v1/products", shirt_spec("Second Shirt", "OTHER", handle="first-shirt")), 409,
                "taken handle")
    eq(error_fields(p), ["handle"], "409 fields")
    b = api.ok(api.post("/api/v1/products", shirt_spec("Second Shirt", "OTHER")), 201, "create the second")
    problem(api.patch("/api/v1/products/%s" % b["id"], {"handle": "first-shirt"}), 409, "PATCH to a taken handle")
    problem(api.patch("/api/v1/products/%s/variants/%s" % (b["id"], b["variants"][0]["id"]), {"sku": "DUP-S"}), 409,
            "PATCH a variant to a taken SKU")
    pv = problem(api.patch("/api/v1/products/%s" % b["id"], {"variants": [{"id": a["variants"][0]["id"], "price": 1}]}),
                 422, "PATCH naming another product's variant")
    check(any("variants[0]" in (f or "") for f in error_fields(pv)), "422 does not name the variant: %r" % pv)
    # Nothing of the refused writes stuck.
    j = api.ok(api.get("/api/v1/products/%s" % b["id"]), 200, "GET")
    eq((j["handle"], [v["sku"] for v in j["variants"]], [v["price"] for v in j["variants"]]),
       (b["handle"], [v["sku"] for v in b["variants"]], [v["price"] for v in b["variants"]]),
       "the second product after refused PATCHes")
    eq(api.ok(api.get("/api/v1/products?status=any", auth=True), 200, "list")["total"], 2, "products")

    # Collections.
    p = problem(api.post("/api/v1/collections", {"title": "", "featured": "yes", "position": -3}), 422,
                "collection with bad fields")
    fields = error_fields(p)
    for f in ("featured", "position"):
        check(f in fields, "422 does not name %s: %r" % (f, p.get("errors")))
    p = problem(api.post("/api/v1/collections", {"title": ""}), 422, "collection without a title")
    check("title" in error_fields(p), "422 does not name title: %r" % p)
    api.ok(api.post("/api/v1/collections", {"title": "Shirts"}), 201, "create collection")
    p = problem(api.post("/api/v1/collections", {"title": "More shirts", "handle": "shirts"}), 409, "taken handle")
    eq(error_fields(p), ["handle"], "409 fields")
    p = problem(api.post("/api/v1/collections", {"title": "Orphan", "parent_id": "no-such-parent"}), 422,
                "unknown parent")
    eq(error_fields(p), ["parent_id"], "422 for an unknown parent names the member the client sent")
    # Errors name the members the client sent (options, not option_names).
    p = problem(api.post("/api/v1/products", shirt_spec("Twice", "TWICE", options=["Size", "size"])), 422,
                "option names repeated")
    check(any((f or "").startswith("options") for f in error_fields(p)),
          "422 for repeated option names does not name options: %r" % p.get("errors"))
    # A wrong type and a value out of range in one body: both are named.
    p = problem(api.post("/api/v1/products", {"title": "", "status": "bogus", "variants": [{"price": -1}]}), 422,
                "a type error and range errors at once")
    fields = error_fields(p)
    for f in ("status", "title", "variants[0].price"):
        check(f in fields, "422 does not name %s when another field has the wrong type: %r" % (f, p.get("errors")))


# ---------------------------------------------------------------- collections


@test
def test_api_collections(t):
    s = store_server(t)
    api = Api(s.port)
    cat = build_catalog(api, with_collections=False)
    c = api.ok(api.post("/api/v1/collections", {"title": "Summer Picks", "featured": True,
                                                "body_html": "<p>Sun.</p>"}), 201, "create")
    check(ID_RE["collection"].match(c["id"]), "collection id %r" % c["id"])
    eq((c["handle"], c["title"], c["featured"], c["published"], c["parent_id"], c["product_count"], c["body_html"]),
       ("summer-picks", "Summer Picks", True, True, None, 0, "<p>Sun.</p>"), "created collection")
    kid = api.ok(api.post("/api/v1/collections", {"title": "Summer Hats", "parent_id": "summer-picks"}), 201,
                 "create a child by the parent's handle")
    eq(kid["parent_id"], c["id"], "parent_id is the parent's id")
    other = api.ok(api.post("/api/v1/collections", {"title": "Autumn"}), 201, "create")
    eq(api.ok(api.get("/api/v1/collections/%s" % c["id"]), 200, "GET by id"), c, "GET by id")
    eq(api.ok(api.get("/api/v1/collections/summer-picks"), 200, "GET by handle")["id"], c["id"], "GET by handle")
    lst = api.ok(api.get("/api/v1/collections"), 200, "list")["collections"]
    eq([x["handle"] for x in lst], ["summer-picks", "summer-hats", "autumn"], "list: parents before children")

    c = api.ok(api.patch("/api/v1/collections/%s" % c["id"], {"title": "Summer Favourites", "seo_title": "Sun"}), 200,
               "PATCH")
    eq((c["title"], c["seo_title"], c["handle"], c["featured"]), ("Summer Favourites", "Sun", "summer-picks", True),
       "patched collection")
    eq(api.ok(api.get("/api/v1/collections/%s" % c["id"]), 200, "GET")["title"], "Summer Favourites", "GET after PATCH")

    # Manual order.
    base = "/api/v1/collections/%s/products" % c["id"]
    keys = ["p00", "p01", "p02", "p03", "p04"]
    for k in keys:
        api.ok(api.put("%s/%s" % (base, cat[k].id)), 204, "put %s" % k)

    def order():
        return handles(api.ok(api.get(base + "?sort=manual"), 200, "collection products")["products"])

    want = [cat[k].handle for k in keys]
    eq(order(), want, "order of placement")
    eq(handles(api.ok(api.get("/api/v1/products?collection=%s" % c["handle"]), 200, "?collection=")["products"]),
       want, "GET /products?collection= in manual order")
    api.ok(api.put("%s/%s" % (base, cat["p04"].handle), {"position": 1}), 204, "move p04 to 1")
    want = [want[4]] + want[:4]
    eq(order(), want, "after moving the last to position 1")
    api.ok(api.put("%s/%s" % (base, cat["p04"].id), {"position": 3}), 204, "move p04 to 3")
    want = [want[1], want[2], want[0], want[3], want[4]]
    eq(order(), want, "after moving the first to position 3")
    api.ok(api.put("%s/%s" % (base, cat["p00"].id), {"position": 99}), 204, "move p00 past the end")
    want = [h for h in want if h != cat["p00"].handle] + [cat["p00"].handle]
    eq(order(), want, "after moving to a position past the end")
    api.ok(api.put("%s/%s" % (base, cat["p05"].id), {"position": 2}), 204, "insert p05 at 2")
    want = want[:1] + [cat["p05"].handle] + want[1:]
    eq(order(), want, "after inserting at position 2")
    eq(api.ok(api.get("/api/v1/collections/%s" % c["id"]), 200, "GET")["product_count"], 6, "product_count")
    p = problem(api.put("%s/%s" % (base, cat["p00"].id), {"position": -1}), 422, "negative position")
    eq(error_fields(p), ["position"], "422 fields")
    problem(api.put("%s/%s" % (base, cat["p00"].id), {"position": "first"}), 422, "position as a string")
    problem(api.put("%s/prod_nope000000000" % base), 404, "put an unknown product")
    problem(api.put("/api/v1/collections/coll_nope000000000/products/%s" % cat["p00"].id), 404,
            "put in an unknown collection")
    eq(order(), want, "order after refused placements")

    api.ok(api.delete("%s/%s" % (base, cat["p03"].id)), 204, "remove p03")
    want = [h for h in want if h != cat["p03"].handle]
    eq(order(), want, "after removing one")
    problem(api.delete("%s/%s" % (base, cat["p03"].id)), 404, "remove it again")
    eq(api.ok(api.get("/api/v1/products/%s" % cat["p03"].id), 200, "GET")["id"], cat["p03"].id,
       "a removed product still exists")
    # A draft in a collection is not listed anonymously.
    api.ok(api.put("%s/%s" % (base, cat["draft"].id), {"position": 1}), 204, "put the draft")
    eq(order(), want, "anonymous order with a draft placed first")
    eq(api.ok(api.get("/api/v1/collections/%s" % c["id"]), 200, "GET")["product_count"], len(want),
       "product_count counts active products")

    # The collection's own order is the default (docs/openapi.yaml: "in its
    # order by default"; the storefront's default too).
    eq(handles(api.ok(api.get(base), 200, "collection products")["products"]), want,
       "GET %s without sort: the collection's order" % base)

    # Unpublished: gone for anonymous readers, there for the admin.
    api.ok(api.patch("/api/v1/collections/%s" % other["id"], {"published": False}), 200, "unpublish")
    problem(api.get("/api/v1/collections/%s" % other["id"]), 404, "anonymous GET of an unpublished collection")
    problem(api.get("/api/v1/collections/%s/products" % other["id"]), 404, "its products, anonymously")
    eq(api.ok(api.get("/api/v1/collections/%s" % other["id"], auth=True), 200, "admin GET")["published"], False,
       "published")
    eq([x["handle"] for x in api.ok(api.get("/api/v1/collections"), 200, "list")["collections"]],
       ["summer-picks", "summer-hats"], "anonymous list")
    eq(len(api.ok(api.get("/api/v1/collections", auth=True), 200, "list")["collections"]), 3, "admin list")

    # Delete: the products stay, the child moves to the top level.
    api.ok(api.delete("/api/v1/collections/%s" % c["id"]), 204, "DELETE")
    problem(api.get("/api/v1/collections/%s" % c["id"], auth=True), 404, "GET after DELETE")
    problem(api.get(base), 404, "products of a deleted collection")
    problem(api.delete("/api/v1/collections/%s" % c["id"]), 404, "DELETE again")
    problem(api.patch("/api/v1/collections/%s" % c["id"], {"title": "x"}), 404, "PATCH after DELETE")
    eq(api.ok(api.get("/api/v1/collections/%s" % kid["id"]), 200, "child")["parent_id"], None,
       "the child's parent after DELETE")
    eq(api.ok(api.get("/api/v1/products"), 200, "list")["total"], len(cat.active()), "products after DELETE")


# ---------------------------------------------------------------- drafts


@test
def test_api_drafts_hidden(t):
    s = store_server(t)
    api = Api(s.port)
    cat = build_catalog(api)
    active = {it.handle for it in cat.active()}
    for key in ("draft", "archived"):
        it = cat[key]
        problem(api.get("/api/v1/products/%s" % it.id), 404, "anonymous GET of the %s by id" % key)
        problem(api.get("/api/v1/products/%s" % it.handle), 404, "anonymous GET of the %s by handle" % key)
        problem(api.get("/api/v1/products/%s" % it.id, headers=[("Authorization", "Bearer wrong")]), 404,
                "GET of the %s with a wrong token" % key)
        r = api.get("/api/v1/products/%s" % it.id, auth=True)
        j = api.ok(r, 200, "admin GET of the %s" % key)
        eq(j["status"], it.status, "status")
        eq(r.header("cache-control"), "private, no-store", "Cache-Control of an admin read")
    items, total = list_all(api, "/api/v1/products")
    eq(total, len(active), "anonymous total")
    eq(set(handles(items)), active, "anonymous list")
    items, total = list_all(api, "/api/v1/products?status=any", auth=True)
    eq(total, len(cat.items), "admin total with status=any")
    eq(set(handles(items)), {it.handle for it in cat.items.values()}, "admin list")
    eq({p["handle"]: p["status"] for p in items if p["status"] != "active"},
       {cat["draft"].handle: "draft", cat["archived"].handle: "archived"}, "statuses in the admin list")
    # With the token but without status=any: still the shop's view.
    eq(api.ok(api.get("/api/v1/products?limit=100", auth=True), 200, "admin list")["total"], len(active),
       "admin list without status=any")
    p = problem(api.get("/api/v1/products?status=draft", auth=True), 400, "status=draft")
    eq(error_fields(p), ["status"], "400 fields")
    # Not in collections, searches or facets either.
    items, total = list_all(api, "/api/v1/collections/everything/products")
    eq(set(handles(items)), {cat[k].handle for k in cat.members["all"] if cat[k].active}, "collection list")
    for q in ("secret", "lamp", "DRAFT-LAMP", "archived vase"):
        j = api.ok(api.get("/api/v1/products?" + qs([("q", q)])), 200, "search %r" % q)
        eq(j["total"], 0, "anonymous search for %r finds %r" % (q, handles(j["products"])))
    j = api.ok(api.get("/api/v1/products?" + qs([("q", "secret lamp"), ("status", "any")]), auth=True), 200,
               "admin search")
    eq(handles(j["products"]), [cat["draft"].handle], "admin search for the draft")
    j = api.ok(api.get("/api/v1/products?facets=true&limit=1"), 200, "facets")
    for name, facet in (("vendors", "vendors"), ("types", "types"), ("tags", "tags")):
        values = {f["value"] for f in j["facets"][facet]}
        check("Lamp" not in values and "Vase" not in values and "secretdraft" not in values and "retired" not in values,
              "draft or archived values in the %s facet: %r" % (name, values))
    lst = api.ok(api.get("/api/v1/collections"), 200, "collections")["collections"]
    check("hidden-stash" not in [c["handle"] for c in lst], "an unpublished collection listed anonymously")
    eq({c["handle"]: c["product_count"] for c in lst}["everything"], len(active),
       "product_count of everything (active products only)")


# ---------------------------------------------------------------- listing


def check_list(api, cat, path, pool, what, **f):
    """GET path (a list with filters f written in its query) and compare it
    and its facets with the model."""
    j = api.ok(api.get(path), 200, what)
    hits, facets = cat.expect(pool, **f)
    eq(set(handles(j["products"])), {it.handle for it in hits}, "%s: products" % what)
    eq(j["total"], len(hits), "%s: total" % what)
    if "facets" in j:
        got = j["facets"]
        for k in ("vendors", "types", "tags"):
            eq({x["value"]: x["count"] for x in got[k]}, facets[k], "%s: facet %s" % (what, k))
            counts = [(-x["count"], x["value"]) for x in got[k]]
            eq(counts, sorted(counts), "%s: facet %s ordered by count, then value" % (what, k))
        eq(got["available"], facets["available"], "%s: available count" % what)
        eq((got["price"]["min"], got["price"]["max"]), facets["price"], "%s: price range" % what)
    return j


@test
def test_api_list_filters_and_facets(t):
    s = store_server(t)
    api = Api(s.port)
    cat = build_catalog(api)
    pool = cat.active()
    cases = [
        ([], {}),
        ([("vendor", "Acme")], {"vendors": ["Acme"]}),
        ([("vendor", "Acme"), ("vendor", "Dune")], {"vendors": ["Acme", "Dune"]}),
        ([("type", "Mug")], {"types": ["Mug"]}),
        ([("type", "Mug"), ("type", "Toy")], {"types": ["Mug", "Toy"]}),
        ([("tag", "sale")], {"tags": ["sale"]}),
        ([("tag", "sale"), ("tag", "gift")], {"tags": ["sale", "gift"]}),
        ([("price_min", "2000"), ("price_max", "4000")], {"price_min": 2000, "price_max": 4000}),
        ([("price_min", "2005")], {"price_min": 2005}),  # inclusive bounds, on a product's lowest price
        ([("price_max", "2005")], {"price_max": 2005}),
        ([("available", "true")], {"available": True}),
        ([("vendor", "Cedar"), ("type", "Poster"), ("available", "true")],
         {"vendors": ["Cedar"], "types": ["Poster"], "available": True}),
        ([("vendor", "Acme"), ("vendor", "Borealis"), ("tag", "sale"), ("price_max", "6000")],
         {"vendors": ["Acme", "Borealis"], "tags": ["sale"], "price_max": 6000}),
        ([("vendor", "Nobody")], {"vendors": ["Nobody"]}),
    ]
    for params, f in cases:
        path = "/api/v1/products?" + qs(params + [("facets", "true"), ("limit", "100")])
        check_list(api, cat, path, pool, "GET %s" % path, **f)
    # The same inside a collection, both ways of asking.
    cpool = [it for it in cat.in_collection("shirts") if it.active]
    for params, f in cases[:3] + cases[10:12]:
        for base in ("/api/v1/collections/shirts/products?", "/api/v1/products?collection=shirts&"):
            path = base + qs(params + [("facets", "true"), ("limit", "100")])
            check_list(api, cat, path, cpool, "GET %s" % path, **f)

    # The rule of facets, spelled out: choosing a vendor does not change the
    # vendor counts, and narrows the others.
    allf = api.ok(api.get("/api/v1/products?facets=true&limit=1"), 200, "facets")["facets"]
    acme = api.ok(api.get("/api/v1/products?facets=true&limit=1&vendor=Acme"), 200, "facets")["facets"]
    eq(acme["vendors"], allf["vendors"], "vendor counts with a vendor chosen")
    check(acme["types"] != allf["types"], "type counts not narrowed by the vendor: %r" % acme["types"])
    sale = api.ok(api.get("/api/v1/products?facets=true&limit=1&tag=sale"), 200, "facets")["facets"]
    eq(sale["tags"], allf["tags"], "tag counts with a tag chosen")
    avail = api.ok(api.get("/api/v1/products?facets=true&limit=1&available=true"), 200, "facets")["facets"]
    eq(avail["available"], allf["available"], "the in-stock count with available chosen")
    priced = api.ok(api.get("/api/v1/products?facets=true&limit=1&price_min=3000"), 200, "facets")["facets"]
    eq(priced["price"], allf["price"], "the price range with a price filter")
    # No facets unless asked.
    check("facets" not in api.ok(api.get("/api/v1/products"), 200, "list"), "facets without facets=true")
    r = api.get("/api/v1/products")
    eq(r.header("cache-control"), "public, max-age=60", "Cache-Control of an anonymous list")
    check(r.header("etag"), "no ETag on an anonymous list")


@test
def test_api_sorts_and_pagination(t):
    s = store_server(t)
    api = Api(s.port)
    cat = build_catalog(api)
    pool = cat.active()
    by_handle = {it.handle: it for it in pool}

    def listed(path):
        j = api.ok(api.get(path), 200, path)
        eq(j["total"], len(pool), "%s: total" % path)
        return j["products"]

    for sort, key, rev in (("price-asc", lambda p: p["price_min"], False),
                           ("price-desc", lambda p: p["price_min"], True),
                           ("title-asc", lambda p: p["title"].casefold(), False),
                           ("title-desc", lambda p: p["title"].casefold(), True)):
        got = listed("/api/v1/products?limit=100&sort=" + sort)
        eq(handles(got), handles(sorted(got, key=key, reverse=rev)), "sort=%s order" % sort)
        eq(set(handles(got)), set(by_handle), "sort=%s members" % sort)
    want = [it.handle for it in sorted(pool, key=lambda it: it.price_min)]
    eq(handles(listed("/api/v1/products?limit=100&sort=price-asc")), want, "price-asc against the model")
    want = [it.handle for it in sorted(pool, key=lambda it: it.title.casefold())]
    eq(handles(listed("/api/v1/products?limit=100&sort=title-asc")), want, "title-asc against the model")
    for path in ("/api/v1/products?limit=100&sort=newest", "/api/v1/products?limit=100"):
        got = listed(path)
        times = [p["created_at"] for p in got]
        eq(times, sorted(times, reverse=True), "%s: created_at descending" % path)
        eq(got[0]["handle"], cat["gone"].handle, "%s: the newest active product first" % path)
    # Manual order in a collection, also under the other sorts.
    j = api.ok(api.get("/api/v1/collections/shirts/products?limit=100&sort=manual"), 200, "collection")
    eq(handles(j["products"]), [it.handle for it in cat.in_collection("shirts")], "collection sort=manual")
    j = api.ok(api.get("/api/v1/collections/shirts/products?limit=100&sort=price-desc"), 200, "collection")
    eq(handles(j["products"]),
       [it.handle for it in sorted(cat.in_collection("shirts"), key=lambda it: -it.price_min)],
       "collection sort=price-desc")

    # Pagination: pages of 7 add up to the whole, in order, without repeats.
    full = handles(listed("/api/v1/products?limit=100&sort=title-asc"))
    seen = []
    for offset in range(0, len(pool) + 7, 7):
        j = api.ok(api.get("/api/v1/products?sort=title-asc&limit=7&offset=%d" % offset), 200, "page")
        eq((j["limit"], j["offset"], j["total"]), (7, offset, len(pool)), "limit, offset, total echoed")
        eq(handles(j["products"]), full[offset:offset + 7], "page at offset %d" % offset)
        seen += handles(j["products"])
    eq(seen, full, "pages together")
    j = api.ok(api.get("/api/v1/products"), 200, "default page")
    eq((j["limit"], j["offset"], len(j["products"])), (24, 0, 24), "default limit")
    j = api.ok(api.get("/api/v1/products?offset=10000"), 200, "the deepest offset")
    eq((j["products"], j["total"]), ([], len(pool)), "past the end")
    j = api.ok(api.get("/api/v1/products?limit=100&offset=0"), 200, "limit 100")
    eq(len(j["products"]), len(pool), "limit 100")

    for params, field in ((("limit", "0"),), "limit"), ((("limit", "101"),), "limit"), ((("limit", "ten"),), "limit"), \
            ((("limit", "-1"),), "limit"), ((("offset", "10001"),), "offset"), ((("offset", "-1"),), "offset"), \
            ((("offset", "1e3"),), "offset"), ((("sort", "bogus"),), "sort"), ((("sort", "PRICE-ASC"),), "sort"), \
            ((("price_min", "-1"),), "price_min"), ((("price_max", "9.99"),), "price_max"), \
            ((("available", "maybe"),), "available"), ((("facets", "lots"),), "facets"):
        path = "/api/v1/products?" + qs(list(params))
        p = problem(api.get(path), 400, "GET %s" % path)
        eq(error_fields(p), [field], "GET %s: the parameter named" % path)
        p = problem(api.get("/api/v1/collections/shirts/products?" + qs(list(params))), 400,
                    "collection products with %s" % path)
        eq(error_fields(p), [field], "collection products with %s: the parameter named" % path)
    problem(api.get("/api/v1/collections/no-such/products"), 404, "products of an unknown collection")
    problem(api.get("/api/v1/products?collection=no-such"), 404, "?collection= unknown")
    j = api.ok(api.get("/api/v1/collections/shirts/products?limit=100"), 200, "collection")
    eq(handles(j["products"]), [it.handle for it in cat.in_collection("shirts")],
       "GET /api/v1/collections/shirts/products without sort: the collection's own order")


@test
def test_api_search(t):
    s = store_server(t)
    api = Api(s.port)
    cat = build_catalog(api)

    def search(q, extra=()):
        path = "/api/v1/products?" + qs([("q", q)] + list(extra))
        return api.ok(api.get(path), 200, "GET %s" % path)

    j = search("zephyr")
    eq(handles(j["products"]), [cat["kite"].handle, cat["windsock"].handle],
       "a title match above a description-only match (the latter is newer)")
    j = search("ZEPHYR")
    eq(handles(j["products"])[:1], [cat["kite"].handle], "case is ignored")
    for sku, key in (("CE-1014", "p02"), ("TEE-L-WHT", "tee"), ("toy-sock-1", "windsock")):
        j = search(sku)
        check(j["products"] and j["products"][0]["handle"] == cat[key].handle,
              "the exact SKU %r: %r" % (sku, handles(j["products"])))
        eq(j["total"], 1, "the exact SKU %r finds one product: %r" % (sku, handles(j["products"])))
    j = search("walnu")
    eq(handles(j["products"]), [cat["p22"].handle], "a prefix of the last word")
    j = search("cobalt pos")
    eq(handles(j["products"]), [cat["p02"].handle], "words, the last a prefix")
    j = search("cobalt mug")
    eq(j["total"], 0, "every word must match: %r" % handles(j["products"]))
    j = search("mugs")
    eq({p["handle"] for p in j["products"]}, {it.handle for it in cat.active() if it.type == "Mug"},
       "a plural finds the singular")
    j = search("mug", [("vendor", "Acme"), ("limit", "100")])
    eq({p["handle"] for p in j["products"]},
       {it.handle for it in cat.active() if it.type == "Mug" and it.vendor == "Acme"}, "search with a filter")
    j = search("mug", [("facets", "true"), ("vendor", "Acme")])
    hits, facets = cat.expect([it for it in cat.active() if it.type == "Mug"], vendors=["Acme"])
    eq({x["value"]: x["count"] for x in j["facets"]["vendors"]}, facets["vendors"], "vendor facet of a search")
    j = search("tee", [("sort", "price-desc")])
    check(cat["tee"].handle in handles(j["products"]), "search then sort")

    hostile = ['"', "(", ")", "AND", "OR", "NOT", "*", ":", "title:zephyr", "zephyr*", '"zephyr', "zephyr)",
               "NEAR(zephyr kite)", "-zephyr", "^", "'", "\\", "%", "_", "%_%", "; DROP TABLE products; --",
               "' OR '1'='1", "a AND", "zephyr OR", "{}", "[", "!", "&", "|", "<->", "zephyr & kite", "kite:*",
               "\u00e9t\u00e9", "\U0001F600", "z" * 256, "  ", "--", "..", "/", "ab-", "a" * 60 + " " + "b" * 60]
    for q in hostile:
        j = search(q)
        check(isinstance(j["products"], list) and isinstance(j["total"], int), "search %r: %r" % (q, j))
    for q in ("zephyr*", '"zephyr', "zephyr)", "-zephyr", "(zephyr", "zephyr:"):
        j = search(q)
        check(cat["kite"].handle in handles(j["products"]),
              "syntax characters are words, not syntax: %r finds %r" % (q, handles(j["products"])))
    p = problem(api.get("/api/v1/products?" + qs([("q", "z" * 257)])), 400, "a query over 256 bytes")
    eq(error_fields(p), ["q"], "400 names q")
    # Still serving.
    eq(api.get("/api/v1/products/%s" % cat["kite"].handle).status, 200, "GET after hostile searches")


# ---------------------------------------------------------------- sanitizing


def unsafe_markup(html):
    """What in html could run script: a list of findings."""
    low = html.lower()
    out = []
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg", "<form", "<style"):
        if bad in low:
            out.append(bad)
    doc = htmltree.parse(html)
    for e in doc.iter():
        for k, v in e.attr_list:
            if k.startswith("on"):
                out.append("attribute %s" % k)
            if v and "javascript:" in "".join(v.lower().split()):
                out.append("%s=%r" % (k, v))
    return out


@test
def test_api_description_sanitized(t):
    s = store_server(t)
    api = Api(s.port)
    spec = shirt_spec(body_html=cf.HOSTILE_HTML, title='Bold <b>Shirt</b> & "Co" </script>',
                      seo_description='<script>alert("seo")</script> plain')
    p = api.ok(api.post("/api/v1/products", spec), 201, "create with a hostile description")
    for where, j in (("POST answer", p), ("GET", api.ok(api.get("/api/v1/products/%s" % p["id"]), 200, "GET"))):
        bad = unsafe_markup(j["body_html"])
        check(not bad, "%s: body_html keeps %r: %r" % (where, bad, j["body_html"]))
        check("<b>bold</b>" in j["body_html"] and "Safe" in j["body_html"],
              "%s: the safe markup is lost: %r" % (where, j["body_html"]))
    eq(p["title"], spec["title"], "a title is text, kept as given")

    # The product page: the description region carries no script; the
    # title is text.
    r = api.get("/products/%s" % p["handle"])
    doc = htmltree.page(r, 200, "product page")
    region = doc.one("div", cls="description")
    start = r.body.decode().index('<div class="rte description">')
    end = r.body.decode().index("</div>", start)
    raw = r.body.decode()[start:end]
    bad = unsafe_markup(raw)
    check(not bad, "the product page's description keeps %r: %r" % (bad, raw))
    check("Safe" in region.text(), "the description text is missing: %r" % raw)
    eq(doc.one("h1").text(), spec["title"], "the title shown as text")
    scripts = doc.find_all("script")
    for sc in scripts:
        check(sc.get("type") in ("application/ld+json", "application/json") or (sc.get("src") and not sc.children),
              "an unexpected script on the product page: %r %r" % (sc.attrs, sc.text()[:200]))
    body = r.body.decode()
    check("<b>Shirt</b>" not in body.split("<main", 1)[1].split('<div class="rte description">')[0],
          "the title's markup reached the page as markup")
    check("alert(\"seo\")</script>" not in body and "<script>alert" not in body,
          "script markup from the SEO description in the page")

    # A PATCH is sanitized too.
    q = api.ok(api.patch("/api/v1/products/%s" % p["id"],
                         {"body_html": '<div><a href="jav&#x09;ascript:alert(1)">t</a><img src="x" onerror="y"></div>'}),
               200, "PATCH a hostile description")
    bad = unsafe_markup(q["body_html"])
    check(not bad, "PATCHed body_html keeps %r: %r" % (bad, q["body_html"]))
    # And a collection's description.
    c = api.ok(api.post("/api/v1/collections", {"title": "Sly", "body_html": cf.HOSTILE_HTML}), 201, "collection")
    bad = unsafe_markup(c["body_html"])
    check(not bad, "collection body_html keeps %r: %r" % (bad, c["body_html"]))
    r = api.get("/collections/sly")
    doc = htmltree.page(r, 200, "collection page")
    rte = doc.one("div", cls="rte")
    start = r.body.decode().index('<div class="rte">')
    raw = r.body.decode()[start:r.body.decode().index("</div>", start)]
    bad = unsafe_markup(raw)
    check(not bad, "the collection page's description keeps %r: %r" % (bad, raw))
    check("Safe" in rte.text(), "collection description text missing")
