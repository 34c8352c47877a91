"""catalog_fixture.py - a store with a catalog, for the catalog API and
storefront tests: a server with an admin token on a database of its own, a
small JSON API client, and a catalog of about thirty products built through
the admin API, with a model of it in Python so that tests can compute what
every filter, sort and facet must answer.

Only the standard library."""

import json
import os
import shutil
import subprocess
from urllib.parse import quote, urlencode

from souk import Conn, TestFailure, check, eq

TOKEN = "it-admin-token-0123456789abcdefghijklmnopqrstuv"
AUTH = ("Authorization", "Bearer " + TOKEN)


# ---------------------------------------------------------------- the server


def _psql():
    for p in (shutil.which("psql"), "/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"):
        if p and os.access(p, os.X_OK):
            return p
    raise TestFailure("psql not found: needed to give a PostgreSQL test a schema of its own")


def fresh_database_env(t):
    """Environment that gives a server an empty database of its own: on
    SQLite its temporary data directory already is one; on PostgreSQL a new
    schema (the run's database is shared by every test) put first on the
    search_path."""
    if t.backend != "postgres":
        return {}
    schema = "souk_it_%s" % os.urandom(6).hex()
    p = subprocess.run(
        [_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", t.db_url, "-c", "CREATE SCHEMA %s" % schema],
        capture_output=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    if p.returncode != 0:
        raise TestFailure("CREATE SCHEMA %s failed: %s" % (schema, p.stderr.decode("utf-8", "replace")))
    sep = "&" if "?" in t.db_url else "?"
    return {"DATABASE_URL": t.db_url + sep + "options=-csearch_path%%3D%s" % schema}


def store_server(t, token=TOKEN, env=None, **kw):
    """A server with the admin token (None: none configured) on an empty database."""
    e = fresh_database_env(t)
    e["SOUK_ADMIN_TOKEN"] = token
    e["SOUK_STORE_NAME"] = "Souk Test Store"
    e["SOUK_CURRENCY"] = "USD"
    if env:
        e.update(env)
    return t.server(env=e, **kw)


# ---------------------------------------------------------------- the client


class Api:
    """Requests on one keep-alive connection (reopened when the server closes
    it). Methods take a path and return souk.Response."""

    def __init__(self, port, token=TOKEN):
        self.port = port
        self.token = token
        self.conn = None

    def request(self, method, path, body=None, auth=True, headers=None):
        hdrs = list(headers or [])
        if auth and self.token:
            hdrs.append(("Authorization", "Bearer " + self.token))
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if not any(k.lower() == "content-type" for k, _ in hdrs):
                hdrs.append(("Content-Type", "application/json"))
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = Conn(self.port, timeout=20.0)
            try:
                r = self.conn.request(method, path, hdrs, data)
            except (ConnectionError, OSError):
                self.close()
                if attempt:
                    raise
                continue
            if (r.header("connection") or "").lower() == "close":
                self.close()
            return r

    def get(self, path, auth=False, headers=None):
        return self.request("GET", path, auth=auth, headers=headers)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def ok(self, r, status, what):
        """r has status and a JSON body (unless 204); returns the JSON."""
        if r.status != status:
            raise TestFailure("%s: status %d, want %d: %s" % (what, r.status, status, r.body[:600]))
        if status == 204:
            eq(r.body, b"", "%s: body of a 204" % what)
            return None
        ct = r.header("content-type") or ""
        check(ct.startswith("application/json"), "%s: content-type %r" % (what, ct))
        try:
            return r.json()
        except ValueError:
            raise TestFailure("%s: body is not JSON: %r" % (what, r.body[:300]))

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def problem(r, status, what=""):
    """r is an application/problem+json answer with status; returns it."""
    if r.status != status:
        raise TestFailure("%sstatus %d, want %d: %s" % (what and what + ": ", r.status, status, r.body[:600]))
    ct = r.header("content-type") or ""
    check(ct.startswith("application/problem+json"), "%scontent-type %r, want application/problem+json"
          % (what and what + ": ", ct))
    try:
        p = r.json()
    except ValueError:
        raise TestFailure("%sproblem body is not JSON: %r" % (what and what + ": ", r.body[:300]))
    for k in ("type", "title", "status", "detail", "request_id"):
        check(k in p, "%sproblem lacks %r: %r" % (what and what + ": ", k, p))
    eq(p["status"], status, "%sproblem status" % (what and what + ": "))
    return p


def error_fields(p):
    return [e.get("field") for e in p.get("errors") or []]


def qs(params):
    """A query string from a list of pairs (repeated keys allowed)."""
    return urlencode(params, quote_via=quote)


# ---------------------------------------------------------------- the catalog

COLORS = [
    "Amber", "Birch", "Cobalt", "Dusk", "Ebony", "Fern", "Garnet", "Hazel", "Indigo", "Jade",
    "Kelp", "Lilac", "Maple", "Nutmeg", "Olive", "Pearl", "Quartz", "Russet", "Sage", "Teal",
    "Umber", "Violet", "Walnut", "Xenon", "Yarrow", "Zinc", "Coral", "Slate",
]
VENDORS = ["Acme", "Borealis", "Cedar", "Dune", "Ember"]
TYPES = ["Shirt", "Mug", "Poster"]
TYPE_TAG = {"Shirt": "cotton", "Mug": "ceramic", "Poster": "paper"}

# A description full of things that must never reach a page as markup.
HOSTILE_HTML = (
    '<p>Safe <b>bold</b> text.</p><script>alert(1)</script>'
    '<img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'
    '<p onclick="alert(2)" style="background:url(javascript:alert(3))">click</p>'
    '<iframe src="https://evil.example/"></iframe><svg onload=alert(4)></svg>'
    '<a href=" JaVaScRiPt:alert(5)">y</a><form action="https://evil.example/"><input name=a></form>'
)


class Item:
    """What the fixture knows of one product."""

    def __init__(self, key, spec):
        self.key = key
        self.spec = spec
        self.title = spec["title"]
        self.vendor = spec.get("vendor", "")
        self.type = spec.get("product_type", "")
        self.tags = sorted(set(spec.get("tags", [])))
        self.status = spec.get("status", "active")
        vs = spec["variants"]
        self.price_min = min(v["price"] for v in vs)
        self.price_max = max(v["price"] for v in vs)
        self.available = any(v.get("inventory_quantity", 0) > 0 or v.get("inventory_policy") == "continue"
                             for v in vs)
        self.id = None
        self.handle = None
        self.json = None
        self.collections = []

    @property
    def active(self):
        return self.status == "active"

    def __repr__(self):
        return "<%s %s>" % (self.key, self.handle)


def product_specs():
    """key -> spec (the POST body), in creation order."""
    specs = {}
    # Two products for search ranking: the word in a title, and the word only
    # in a description (created later, so newer: relevance, not age, must
    # put the title match first).
    specs["kite"] = {
        "title": "Zephyr Kite", "vendor": "Ember", "product_type": "Toy", "status": "active",
        "body_html": "<p>Flies well on a windy day.</p>", "tags": ["outdoor"],
        "variants": [{"sku": "TOY-KITE-1", "price": 3105, "inventory_quantity": 4}],
    }
    specs["windsock"] = {
        "title": "Plain Windsock", "vendor": "Ember", "product_type": "Toy", "status": "active",
        "body_html": "<p>Catches every zephyr that passes.</p>", "tags": ["outdoor"],
        "variants": [{"sku": "TOY-SOCK-1", "price": 3205, "inventory_quantity": 4}],
    }
    for i, color in enumerate(COLORS):
        vendor = VENDORS[i % len(VENDORS)]
        ptype = TYPES[i % len(TYPES)]
        tags = [TYPE_TAG[ptype]]
        if i % 4 == 0:
            tags.append("sale")
        if i % 5 == 2:
            tags.append("gift")
        qty = 0 if i % 6 == 5 else 10 + i
        v = {"sku": "%s-%d" % (vendor[:2].upper(), 1000 + 7 * i), "price": 1005 + 250 * i,
             "inventory_quantity": qty}
        if i == 11:
            v["inventory_policy"] = "continue"  # none in stock, but sells on backorder
        if i % 9 == 3:
            v["compare_at_price"] = v["price"] + 500
        src = ("products/%s.jpg" % color.lower()) if i % 2 == 0 else \
            ("https://img.example.com/%s-%s.jpg" % (color.lower(), ptype.lower()))
        specs["p%02d" % i] = {
            "title": "%s %s" % (color, ptype), "vendor": vendor, "product_type": ptype,
            "status": "active", "tags": tags,
            "body_html": "<p>A %s %s by %s, number %d.</p>" % (color.lower(), ptype.lower(), vendor, i),
            "variants": [v],
            "images": [{"src": src, "alt": "%s %s photo" % (color, ptype)}],
        }
    specs["tee"] = {
        "title": "Variant Tee", "vendor": "Acme", "product_type": "Shirt", "status": "active",
        "tags": ["cotton", "tee"], "options": ["Size", "Color"],
        "body_html": "<p>A tee in three sizes.</p>",
        "seo_description": "The variant tee: small, medium and large.",
        "variants": [
            {"sku": "TEE-S-BLK", "options": ["S", "Black"], "price": 2000, "inventory_quantity": 5},
            {"sku": "TEE-M-BLK", "options": ["M", "Black"], "price": 2200, "inventory_quantity": 0},
            {"sku": "TEE-L-WHT", "options": ["L", "White"], "price": 2400, "compare_at_price": 3000,
             "inventory_quantity": 3},
        ],
        "images": [{"src": "https://img.example.com/tee.jpg", "alt": "The tee", "width": 800, "height": 800},
                   {"src": "https://img.example.com/tee-white.jpg", "alt": "The white tee"}],
    }
    specs["gone"] = {
        "title": "Gone Poster", "vendor": "Dune", "product_type": "Poster", "status": "active",
        "tags": ["paper"], "body_html": "<p>Everyone wanted one.</p>",
        "variants": [{"sku": "GONE-1", "price": 999, "inventory_quantity": 0}],
    }
    specs["draft"] = {
        "title": "Secret Draft Lamp", "vendor": "Acme", "product_type": "Lamp", "status": "draft",
        "tags": ["secretdraft"], "body_html": "<p>Not yet.</p>",
        "variants": [{"sku": "DRAFT-LAMP", "price": 4005, "inventory_quantity": 9}],
    }
    specs["archived"] = {
        "title": "Old Archived Vase", "vendor": "Acme", "product_type": "Vase", "status": "archived",
        "tags": ["retired"], "body_html": "<p>No more.</p>",
        "variants": [{"sku": "OLD-VASE", "price": 4105, "inventory_quantity": 9}],
    }
    return specs


class Catalog:
    def __init__(self, api):
        self.api = api
        self.items = {}  # key -> Item
        self.collections = {}  # key -> collection JSON
        self.members = {}  # collection key -> [item keys] in manual order

    def __getitem__(self, key):
        return self.items[key]

    def active(self):
        return [it for it in self.items.values() if it.active]

    def by_handle(self, handle):
        for it in self.items.values():
            if it.handle == handle:
                return it
        return None

    def in_collection(self, ckey):
        return [self.items[k] for k in self.members[ckey]]

    # -- the model of a listing: what a query must answer

    @staticmethod
    def matches(it, vendors=(), types=(), tags=(), price_min=None, price_max=None, available=False,
                skip=None):
        if vendors and skip != "vendor" and it.vendor not in vendors:
            return False
        if types and skip != "type" and it.type not in types:
            return False
        if tags and skip != "tag" and not (set(tags) & set(it.tags)):
            return False
        if skip != "price":
            if price_min is not None and it.price_min < price_min:
                return False
            if price_max is not None and it.price_min > price_max:
                return False
        if available and skip != "available" and not it.available:
            return False
        return True

    def expect(self, pool, **f):
        """(matching items, facets) for filters f over pool, by the rule that
        a facet's own filter does not narrow its own counts."""
        hits = [it for it in pool if self.matches(it, **f)]

        def counts(attr, skip):
            out = {}
            for it in pool:
                if not self.matches(it, skip=skip, **f):
                    continue
                values = it.tags if attr == "tags" else [getattr(it, attr)]
                for v in values:
                    if v:
                        out[v] = out.get(v, 0) + 1
            return out

        price_pool = [it for it in pool if self.matches(it, skip="price", **f)]
        facets = {
            "vendors": counts("vendor", "vendor"),
            "types": counts("type", "type"),
            "tags": counts("tags", "tag"),
            "available": sum(1 for it in pool if self.matches(it, skip="available", **f) and it.available),
            "price": (min((it.price_min for it in price_pool), default=0),
                      max((it.price_min for it in price_pool), default=0)),
        }
        return hits, facets


def build_catalog(api, with_collections=True):
    """Create the catalog through the admin API; returns a Catalog. Every
    write is checked to be answered with what was sent."""
    cat = Catalog(api)
    for key, spec in product_specs().items():
        r = api.post("/api/v1/products", spec)
        j = api.ok(r, 201, "create product %s" % key)
        it = Item(key, spec)
        it.id, it.handle, it.json = j["id"], j["handle"], j
        eq(j["title"], spec["title"], "title of created %s" % key)
        eq(j["status"], it.status, "status of created %s" % key)
        eq((j["price_min"], j["price_max"]), (it.price_min, it.price_max), "prices of created %s" % key)
        eq(j["available"], it.available, "available of created %s" % key)
        cat.items[key] = it
    # Link the tee's white picture to its white variant (a second save: the
    # variant needs its id first).
    tee = cat["tee"]
    white = [v for v in tee.json["variants"] if v["sku"] == "TEE-L-WHT"][0]
    img = [im for im in tee.json["images"] if im["src"].endswith("tee-white.jpg")][0]
    j = api.ok(api.patch("/api/v1/products/%s/images/%s" % (tee.id, img["id"]), {"variant_id": white["id"]}),
               200, "link the tee's image to a variant")
    tee.json = j
    if not with_collections:
        return cat

    def collection(key, body):
        j = api.ok(api.post("/api/v1/collections", body), 201, "create collection %s" % key)
        cat.collections[key] = j
        cat.members[key] = []
        return j

    def place(ckey, pkey):
        r = api.put("/api/v1/collections/%s/products/%s" % (cat.collections[ckey]["id"], cat[pkey].id))
        api.ok(r, 204, "put %s in %s" % (pkey, ckey))
        cat.members[ckey].append(pkey)
        cat[pkey].collections.append(ckey)

    collection("shirts", {"title": "Shirts", "featured": True, "body_html": "<p>Every shirt we make.</p>"})
    collection("kids", {"title": "Kids Shirts", "parent_id": cat.collections["shirts"]["id"],
                        "seo_description": "Shirts for small people."})
    collection("home", {"title": "Home Goods", "featured": True})
    collection("all", {"title": "Everything", "handle": "everything"})
    collection("hidden", {"title": "Hidden Stash", "published": False, "featured": True})
    regular = ["p%02d" % i for i in range(len(COLORS))]
    for k in ["tee"] + [k for k in regular if cat[k].type == "Shirt"]:
        place("shirts", k)
    for k in [k for k in regular if cat[k].type == "Shirt"][:3]:
        place("kids", k)
    for k in [k for k in regular if cat[k].type != "Shirt"] + ["gone"]:
        place("home", k)
    for k in cat.items:
        place("all", k)  # the draft and the archived product too: lists must hide them
    for k in ("p01", "draft"):
        place("hidden", k)
    return cat
