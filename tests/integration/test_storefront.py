"""test_storefront.py - the shopper's pages as a browser and a search engine
see them: home, collection (facets, sorting, pagination), search, product
(variant picker, sold out), 404s, SEO (title, description, canonical, Open
Graph, JSON-LD, sitemap.xml, robots.txt), HTTP caching, and bad input on
listing pages.

The catalog is built through the admin API (catalog_fixture); pages are
parsed with html.parser (htmltree)."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

import htmltree
from catalog_fixture import Api, build_catalog, qs, store_server
from htmltree import link_href, meta, page
from souk import TestFailure, check, eq, test

HOST = "shop.example.test:8080"
ORIGIN = "http://" + HOST
STORE = "Souk Test Store"


def money(minor):
    return "$%d.%02d" % (minor // 100, minor % 100)


def cards(doc):
    """[(handle, title, price text, sold out?)] of the product cards in order."""
    out = []
    for li in doc.find_all("li", cls="card"):
        a = li.find("a")
        href = a.get("href") or ""
        check(href.startswith("/products/"), "card link %r" % href)
        price = li.find("span", cls="price")
        out.append((href[len("/products/"):], li.find("span", cls="card-title").norm_text(),
                    price.norm_text() if price else "", li.find("span", cls="badge") is not None))
    return out


def card_handles(doc):
    return [c[0] for c in cards(doc)]


def facet_boxes(doc):
    """{param: {value: (count, checked)}} from the filter form's checkboxes."""
    out = {}
    form = doc.one("form", cls="filters")
    for label in form.find_all("label"):
        box = label.find("input", type_="checkbox")
        if box is None or box.get("name") == "available":
            continue
        cnt = label.find("span", cls="count")
        m = re.match(r"^\((\d+)\)$", cnt.norm_text() if cnt else "")
        check(m, "facet %s=%s has no count: %r" % (box.get("name"), box.get("value"), label.norm_text()))
        out.setdefault(box.get("name"), {})[box.get("value")] = (int(m.group(1)), "checked" in box.attrs)
    return out


def shown(facets, total, chosen=None):
    """The facet lists a shopper is offered: a list whose one value every
    result has, none chosen, offers no choice and is left out."""
    out = {}
    for key, vals in facets.items():
        if key not in ("vendors", "types", "tags"):
            continue
        if len(vals) == 1 and not (chosen or {}).get(key) and list(vals.values())[0] >= total:
            vals = {}
        out[key] = vals
    return out


def facet_legends(doc):
    return [fs.one("legend").norm_text() for fs in doc.one("form", cls="filters").find_all("fieldset")]


def sort_select(doc):
    sel = doc.one("select", id="sort")
    return [(o.get("value"), "selected" in o.attrs) for o in sel.find_all("option")]


def get(api, path, host=None, headers=None):
    hdrs = list(headers or [])
    if host:
        hdrs.append(("Host", host))
    return api.request("GET", path, auth=False, headers=hdrs)


def params_of(url):
    return sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def setup(t):
    s = store_server(t)
    api = Api(s.port)
    return s, api, build_catalog(api)


def cacheable(r, what):
    cc = r.header("cache-control") or ""
    check("public" in cc and re.search(r"max-age=[1-9]\d*", cc), "%s: Cache-Control %r" % (what, cc))
    check(r.header("etag"), "%s: no ETag" % what)


# ---------------------------------------------------------------- pages


@test
def test_storefront_home(t):
    s, api, cat = setup(t)
    r = get(api, "/")
    doc = page(r, 200, "home")
    cacheable(r, "home")
    eq(doc.one("title").text(), STORE, "home <title>")
    sections = {}
    for sec in doc.find_all("section", cls="featured"):
        h2 = sec.one("h2")
        a = h2.find("a")
        sections[a.get("href") if a else h2.norm_text()] = card_handles(sec)

    def leading(got, want, what):
        """got is the first few (at least 4, or all) of want, in want's order."""
        check(got is not None, "%s: not on the home page (sections %r)" % (what, list(sections)))
        check(len(got) >= min(4, len(want)), "%s: only %d products shown" % (what, len(got)))
        eq(got, want[:len(got)], what)

    leading(sections.get("/collections/shirts"), [it.handle for it in cat.in_collection("shirts") if it.active],
            "the featured Shirts collection, in its order")
    # The header names the store; the hero does not repeat it but leads with
    # the first featured collection: its title, description and a link. The
    # page's h1 (the store) is for screen readers and search engines.
    h1 = doc.one("h1")
    eq((h1.norm_text(), h1.classes), (STORE, ["visually-hidden"]), "the h1")
    hero = doc.one("section", cls="hero")
    eq(hero.one("h2").norm_text(), "Shirts", "the hero's heading")
    eq(hero.one("p", cls="lede").norm_text(), "Every shirt we make.", "the hero's text")
    eq([(a.get("href"), a.norm_text()) for a in hero.one("p", cls="cta").find_all("a")],
       [("/collections/shirts", "Shop all of Shirts")], "the hero's link")
    main = doc.one("main")
    check(STORE not in main.norm_text().replace(STORE, "", 1), "the store's name repeated in the page body")
    eq(doc.find_all("section", cls="featured")[0], hero, "the hero is the first section")
    leading(sections.get("/collections/home-goods"), [it.handle for it in cat.in_collection("home") if it.active],
            "the featured Home Goods collection, in its order")
    check("/collections/hidden-stash" not in sections, "an unpublished collection is featured on the home page")
    check("/collections/everything" not in sections, "a collection that is not featured is on the home page")
    order = {k: i for i, k in enumerate(cat.items)}  # creation order: ties in created_at go to the later id
    newest = [it.handle for it in sorted(cat.active(), key=lambda it: (it.json["created_at"], order[it.key]),
                                         reverse=True)]
    leading(sections.get("New arrivals"), newest, "New arrivals: the newest active products")
    body = r.body.decode()
    for key in ("draft", "archived"):
        check(cat[key].handle not in body and cat[key].title not in body, "the %s product on the home page" % key)
    nav = doc.one("nav", aria_label="Collections")
    eq([a.get("href") for a in nav.find_all("a")],
       ["/collections/shirts", "/collections/home-goods", "/collections/everything"],
       "navigation: top-level published collections")
    # A card shows a shopper the price, and "Sold out" when it is.
    gone = [c for c in cards(doc) if c[0] == cat["gone"].handle]
    check(gone and gone[0][3], "the sold-out Gone Poster card has no Sold out badge: %r" % gone)
    amber = [c for c in cards(doc) if c[0] == cat["p00"].handle][0]
    check(money(1005) in amber[2] and not amber[3], "Amber Shirt card: %r" % (amber,))
    # A struck-out price belongs to the price shown beside it: the tee's
    # "From $20.00" is not "was $30.00" (that is the large one's).
    tee = [c for c in cards(doc) if c[0] == cat["tee"].handle][0]
    eq(tee[2], "From " + money(2000), "Variant Tee card price")
    dusk = [c for c in cards(doc) if c[0] == cat["p03"].handle][0]
    eq(dusk[2], "%s %s" % (money(cat["p03"].price_min), money(cat["p03"].price_min + 500)),
       "Dusk Shirt card: its price and the compare-at price")


@test
def test_storefront_collection_page(t):
    s, api, cat = setup(t)
    r = get(api, "/collections/shirts")
    doc = page(r, 200, "collection")
    cacheable(r, "collection page")
    eq(doc.one("h1").norm_text(), "Shirts", "h1")
    pool = [it for it in cat.in_collection("shirts") if it.active]
    eq(card_handles(doc), [it.handle for it in pool], "the collection's products in its order, nothing else")
    check(re.search(r"\b%d products\b" % len(pool), doc.one("p", cls="total").norm_text()),
          "total: %r" % doc.one("p", cls="total").norm_text())
    check(doc.find("div", cls="rte") and "Every shirt" in doc.find("div", cls="rte").text(), "collection description")
    eq([a.get("href") for a in doc.one("ul", cls="subcollections").find_all("a")], ["/collections/kids-shirts"],
       "subcollections")
    check(meta(doc, name="robots") is None, "an unfiltered collection page is noindex")
    check(doc.find("nav", cls="pagination") is None, "pagination on a page of one page")
    # Facets: checkboxes with counts, by the model. Every shirt is a Shirt:
    # a Type list would offer nothing to choose, so there is none.
    hits, facets = cat.expect(pool)
    eq(len(facets["types"]), 1, "fixture: one type among the shirts")
    facets = shown(facets, len(hits))
    boxes = facet_boxes(doc)
    eq({v: c for v, (c, _) in boxes.get("vendor", {}).items()}, facets["vendors"], "vendor checkboxes")
    eq({v: c for v, (c, _) in boxes.get("type", {}).items()}, {}, "type checkboxes")
    eq({v: c for v, (c, _) in boxes.get("tag", {}).items()}, facets["tags"], "tag checkboxes")
    eq(facet_legends(doc), ["Brand", "Tag", "Price", "Availability"], "the filter groups")
    check(not any(ch for vals in boxes.values() for _, ch in vals.values()), "a checkbox checked with no filter")
    avail = doc.one("input", type_="checkbox", name="available")
    check("checked" not in avail.attrs, "available checked")
    form = doc.one("form", cls="filters")
    eq((form.get("method"), form.get("action")), ("get", "/collections/shirts"), "the filter form")
    # Sorting.
    opts = sort_select(doc)
    eq({v for v, _ in opts}, {"manual", "price-asc", "price-desc", "newest", "title-asc", "title-desc"},
       "sort options")
    eq([v for v, sel in opts if sel], ["manual"], "the selected sort by default")
    doc = page(get(api, "/collections/shirts?sort=price-desc"), 200, "sorted collection")
    eq(card_handles(doc), [it.handle for it in sorted(pool, key=lambda it: -it.price_min)], "sort=price-desc")
    eq([v for v, sel in sort_select(doc) if sel], ["price-desc"], "the selected sort")

    # Filters: vendors OR'd, the chosen ones checked, the facet rule.
    path = "/collections/everything?" + qs([("vendor", "Acme"), ("vendor", "Dune"), ("type", "Shirt")])
    doc = page(get(api, path), 200, path)
    allpool = [it for it in cat.in_collection("all") if it.active]
    hits, facets = cat.expect(allpool, vendors=["Acme", "Dune"], types=["Shirt"])
    eq(set(card_handles(doc)), {it.handle for it in hits}, "%s: products" % path)
    facets = shown(facets, len(hits), {"vendors": ["Acme", "Dune"], "types": ["Shirt"]})
    boxes = facet_boxes(doc)
    eq({v: c for v, (c, _) in boxes["vendor"].items()}, facets["vendors"], "%s: vendor counts" % path)
    eq({v: c for v, (c, _) in boxes["type"].items()}, facets["types"], "%s: type counts" % path)
    eq({v: c for v, (c, _) in boxes.get("tag", {}).items()}, facets["tags"], "%s: tag counts" % path)
    eq({v for v, (_, ch) in boxes["vendor"].items() if ch}, {"Acme", "Dune"}, "checked vendors")
    eq({v for v, (_, ch) in boxes["type"].items() if ch}, {"Shirt"}, "checked types")
    eq(meta(doc, name="robots"), "noindex", "a filtered page is noindex")
    eq(link_href(doc, "canonical"), "http://127.0.0.1/collections/everything", "canonical of a filtered page")
    # Prices in the storefront are in major units.
    path = "/collections/everything?price_min=20&price_max=40.5"
    doc = page(get(api, path), 200, path)
    hits, _ = cat.expect(allpool, price_min=2000, price_max=4050)
    eq(set(card_handles(doc)), {it.handle for it in hits}, "%s: products" % path)
    price_min = doc.one("input", name="price_min")
    eq(price_min.get("value"), "20", "the price_min field keeps its value")

    # Pagination keeps the filters: 28 available products, 24 a page.
    path = "/collections/everything?available=1&sort=price-asc"
    hits, _ = cat.expect(allpool, available=True)
    want = [it.handle for it in sorted(hits, key=lambda it: it.price_min)]
    check(len(want) > 24, "fixture: %d available products, want more than a page" % len(want))
    doc = page(get(api, path), 200, path)
    eq(card_handles(doc), want[:24], "page 1")
    check(link_href(doc, "prev") is None, "rel=prev on page 1")
    nxt = link_href(doc, "next")
    check(nxt, "no rel=next on page 1")
    eq(urlsplit(nxt).path, "/collections/everything", "rel=next path")
    eq(params_of(nxt), [("available", "1"), ("page", "2"), ("sort", "price-asc")], "rel=next keeps the filters")
    check("Page 1 of 2" in doc.one("nav", cls="pagination").norm_text(), "page label")
    doc = page(get(api, nxt), 200, nxt)
    eq(card_handles(doc), want[24:], "page 2")
    check(link_href(doc, "next") is None, "rel=next on the last page")
    prev = link_href(doc, "prev")
    check(prev, "no rel=prev on page 2")
    eq([p for p in params_of(prev) if p != ("page", "1")], [("available", "1"), ("sort", "price-asc")],
       "rel=prev keeps the filters")
    doc = page(get(api, prev), 200, prev)
    eq(card_handles(doc), want[:24], "back on page 1")
    # A page past the end is empty, not an error.
    doc = page(get(api, "/collections/shirts?page=3"), 200, "page past the end")
    eq(card_handles(doc), [], "page past the end")

    # Nested: the child's breadcrumb names the parent.
    doc = page(get(api, "/collections/kids-shirts"), 200, "kids")
    crumbs = [a.get("href") for a in doc.one("nav", cls="crumbs").find_all("a")]
    eq(crumbs, ["/", "/collections/shirts"], "breadcrumb of a nested collection")
    eq(card_handles(doc), [it.handle for it in cat.in_collection("kids")], "kids products")
    # Unknown and unpublished collections.
    for path in ("/collections/no-such", "/collections/hidden-stash", "/collections/%s" % cat.collections["hidden"]["id"]):
        r = get(api, path)
        doc = page(r, 404, path)
        eq(meta(doc, name="robots"), "noindex", "%s: noindex" % path)
        check(b"Secret Draft" not in r.body and b"Hidden Stash" not in r.body, "%s shows hidden things" % path)

    # An unpublished parent is not in the breadcrumb (it would be a 404).
    api.ok(api.patch("/api/v1/collections/shirts", {"published": False}), 200, "unpublish Shirts")
    r = get(api, "/collections/kids-shirts")
    doc = page(r, 200, "a child of an unpublished collection")
    crumbs = [a.get("href") for a in doc.one("nav", cls="crumbs").find_all("a")]
    eq(crumbs, ["/"], "breadcrumb under an unpublished parent")
    page(get(api, "/collections/shirts"), 404, "the unpublished parent")


@test
def test_storefront_search_page(t):
    s, api, cat = setup(t)
    r = get(api, "/search?q=zephyr")
    doc = page(r, 200, "search")
    cacheable(r, "search page")
    eq(card_handles(doc), [cat["kite"].handle, cat["windsock"].handle], "search results by relevance")
    check("zephyr" in doc.one("h1").text(), "the query in the heading: %r" % doc.one("h1").text())
    eq(meta(doc, name="robots"), "noindex", "search pages are noindex")
    eq(doc.one("input", id="site-search").get("value"), "zephyr", "the search box keeps the query")
    opts = sort_select(doc)
    eq([v for v, sel in opts if sel], ["relevance"], "relevance is the sort of a search")
    check("manual" not in [v for v, _ in opts], "manual sort offered on the search page")
    check(("q", "zephyr") in [(i.get("name"), i.get("value")) for i in doc.one("form", cls="filters").find_all("input")],
          "the filter form keeps the query")
    doc = page(get(api, "/search?" + qs([("q", "CE-1014")])), 200, "SKU search")
    eq(card_handles(doc), [cat["p02"].handle], "search by SKU")
    doc = page(get(api, "/search?q=walnu"), 200, "prefix search")
    eq(card_handles(doc), [cat["p22"].handle], "search by a prefix")
    doc = page(get(api, "/search?q=mug&vendor=Acme"), 200, "search with a filter")
    eq(set(card_handles(doc)), {it.handle for it in cat.active() if it.type == "Mug" and it.vendor == "Acme"},
       "search with a vendor filter")
    for key in ("draft", "archived"):
        doc = page(get(api, "/search?" + qs([("q", cat[key].title)])), 200, "search for the %s" % key)
        eq(card_handles(doc), [], "search finds the %s product" % key)
    # No query: every active product, paginated, newest first.
    doc = page(get(api, "/search"), 200, "empty search")
    total = len(cat.active())
    check(re.search(r"\b%d products\b" % total, doc.one("p", cls="total").norm_text()), "total of an empty search")
    eq(len(card_handles(doc)), 24, "a full first page")
    eq(params_of(link_href(doc, "next")), [("page", "2")], "rel=next of an empty search")
    # Pagination of a search keeps the query.
    doc = page(get(api, "/search?q=number&vendor=Acme&vendor=Borealis&vendor=Cedar&vendor=Dune&vendor=Ember"), 200,
               "a search of two pages")
    hits = [it for it in cat.active() if it.key.startswith("p")]
    check(re.search(r"\b%d products\b" % len(hits), doc.one("p", cls="total").norm_text()),
          "total of q=number: %r" % doc.one("p", cls="total").norm_text())
    nxt = link_href(doc, "next")
    eq(params_of(nxt or ""), sorted([("page", "2"), ("q", "number")] + [("vendor", v) for v in
                                                                        ("Acme", "Borealis", "Cedar", "Dune", "Ember")]),
       "rel=next of a search keeps q and the filters")
    first = card_handles(doc)
    doc = page(get(api, nxt), 200, nxt)
    eq(sorted(first + card_handles(doc)), sorted(it.handle for it in hits), "the two pages of q=number")
    doc = page(get(api, "/search?tag=cotton"), 200, "tag link")
    eq(set(card_handles(doc)), {it.handle for it in cat.active() if "cotton" in it.tags}, "search?tag=cotton")
    # Hostile queries are words, and what is echoed is escaped.
    for q in ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '"', "(", "AND", "*", ":", "NEAR(",
              "'; --", "\\", "%", "\u00e9t\u00e9", "a" * 256]:
        r = get(api, "/search?" + qs([("q", q)]))
        doc = page(r, 200, "search %r" % q)
        eq(doc.one("input", id="site-search").get("value"), q, "the search box shows %r as typed" % q)
        body = r.body.decode()
        check("<script>alert" not in body and "<img src=x" not in body, "search %r: markup echoed: %r" % (q, body[:300]))
    r = get(api, "/search?" + qs([("q", "a" * 257)]))
    page(r, 400, "a query over 256 bytes")


@test
def test_storefront_facet_disclosure(t):
    """A facet list offering no choice is left out; a long one shows ten
    values and folds the rest into a <details> that works without JavaScript,
    open when a folded value is chosen."""
    s = store_server(t)
    api = Api(s.port)
    for i in range(1, 13):
        api.ok(api.post("/api/v1/products", {
            "title": "Quokka Print %02d" % i, "vendor": "Solo", "product_type": "Print", "status": "active",
            "tags": ["quokka", "q%02d" % i],
            "variants": [{"sku": "QP-%02d" % i, "price": 1000 + i, "inventory_quantity": 3}],
        }), 201, "create print %d" % i)

    def tag_set(doc):
        fs = [f for f in doc.one("form", cls="filters").find_all("fieldset") if f.one("legend").norm_text() == "Tag"]
        eq(len(fs), 1, "Tag fieldsets")
        details = fs[0].find_all("details")
        folded = [b.get("value") for d in details for b in d.find_all("input", type_="checkbox")]
        every = [b.get("value") for b in fs[0].find_all("input", type_="checkbox")]
        return every[:len(every) - len(folded)], folded, details

    doc = page(get(api, "/search?q=quokka"), 200, "search")
    # One vendor and one type among twelve prints: nothing to choose.
    eq(facet_legends(doc), ["Tag", "Price", "Availability"], "the filter groups")
    top, folded, details = tag_set(doc)
    eq(top, ["quokka"] + ["q%02d" % i for i in range(1, 10)], "the ten tags shown, by count then name")
    eq(folded, ["q10", "q11", "q12"], "the tags folded away")
    eq(len(details), 1, "disclosures")
    check("open" not in details[0].attrs, "the disclosure is open with nothing chosen in it")
    eq(details[0].one("summary").norm_text(), "3 more tag options", "the disclosure's summary")
    check(facet_boxes(doc)["tag"]["q12"] == (1, False), "q12 and its count, in the disclosure")

    # A folded tag chosen: the disclosure opens, the box is ticked; the
    # single vendor is still no choice (one value, every result has it).
    doc = page(get(api, "/search?q=quokka&tag=q12"), 200, "search with a folded tag")
    eq(card_handles(doc), ["quokka-print-12"], "the chosen tag's product")
    top, folded, details = tag_set(doc)
    eq(folded, ["q10", "q11", "q12"], "the tags folded away")
    check("open" in details[0].attrs, "the disclosure holding the chosen tag is closed")
    eq(facet_boxes(doc)["tag"]["q12"], (1, True), "the chosen tag's box")
    eq(facet_legends(doc), ["Tag", "Price", "Availability"], "the filter groups with a tag chosen")

    # A chosen value keeps its list, though it is the only one.
    doc = page(get(api, "/search?q=quokka&vendor=Solo"), 200, "search with the one vendor")
    eq(facet_legends(doc), ["Brand", "Tag", "Price", "Availability"], "the filter groups with the vendor chosen")
    eq(facet_boxes(doc)["vendor"], {"Solo": (12, True)}, "the chosen vendor's box")
    # One value that not every result has still narrows: it is offered.
    api.ok(api.post("/api/v1/products", {
        "title": "Quokka Poster", "status": "active", "tags": ["quokka"],
        "variants": [{"sku": "QP-POSTER", "price": 900, "inventory_quantity": 1}],
    }), 201, "create a product without vendor or type")
    doc = page(get(api, "/search?q=quokka"), 200, "search")
    eq(facet_legends(doc), ["Brand", "Type", "Tag", "Price", "Availability"], "the filter groups")
    eq(facet_boxes(doc)["vendor"], {"Solo": (12, False)}, "the one vendor, which 12 of 13 have")


@test
def test_storefront_product_page(t):
    s, api, cat = setup(t)
    tee = cat["tee"]
    vs = {v["sku"]: v for v in tee.json["variants"]}

    def shown(path):
        r = get(api, path)
        doc = page(r, 200, path)
        cacheable(r, path)
        amount = doc.one("span", id="price-amount").norm_text()
        av = doc.one("p", id="availability")
        compare = doc.one("s", id="compare-at")
        selects = {sel.get("name"): [o.get("value") for o in sel.find_all("option") if "selected" in o.attrs]
                   for sel in doc.find_all("select")}
        return doc, {
            "price": amount, "availability": av.norm_text(), "data": av.get("data-available"),
            "compare": None if "hidden" in compare.attrs else compare.norm_text(),
            "selected": selects, "sku": doc.one("p", id="sku").norm_text(),
        }

    doc, got = shown("/products/variant-tee")
    eq(doc.one("h1").norm_text(), "Variant Tee", "h1")
    eq(doc.one("p", cls="vendor").norm_text(), "Acme", "vendor")
    eq(got, {"price": money(2000), "availability": "In stock", "data": "true", "compare": None,
             "selected": {"option1": ["S"], "option2": ["Black"]}, "sku": "SKU TEE-S-BLK"}, "the first variant")
    eq([o.get("value") for o in doc.one("select", name="option1").find_all("option")], ["S", "M", "L"], "sizes")
    form = doc.one("form", cls="variant-picker")
    eq((form.get("method"), form.get("action")), ("get", "/products/variant-tee"), "the picker works without JS")
    data = json.loads(doc.one("script", id="variants-data").text())
    eq([(v["id"], v["price"], v["available"]) for v in data],
       [(vs[k]["id"], money(vs[k]["price"]), vs[k]["inventory_quantity"] > 0) for k in ("TEE-S-BLK", "TEE-M-BLK", "TEE-L-WHT")],
       "the variants for the script")

    _, got = shown("/products/variant-tee?option1=M&option2=Black")
    eq(got, {"price": money(2200), "availability": "Sold out", "data": "false", "compare": None,
             "selected": {"option1": ["M"], "option2": ["Black"]}, "sku": "SKU TEE-M-BLK"}, "?option1=M&option2=Black")
    doc, got = shown("/products/variant-tee?variant=%s" % vs["TEE-L-WHT"]["id"])
    eq(got, {"price": money(2400), "availability": "In stock", "data": "true", "compare": money(3000),
             "selected": {"option1": ["L"], "option2": ["White"]}, "sku": "SKU TEE-L-WHT"}, "?variant=ID")
    check(doc.one("img", id="main-image").get("src").endswith("/tee-white.jpg"), "the chosen variant's image")
    _, got = shown("/products/variant-tee?variant=%s" % vs["TEE-M-BLK"]["id"])
    eq((got["price"], got["availability"]), (money(2200), "Sold out"), "?variant= a sold-out one")
    _, got = shown("/products/variant-tee?option1=L")
    eq(got["price"], money(2400), "?option1=L alone")
    r = get(api, "/products/variant-tee?variant=%3Cscript%3Ealert(1)%3C/script%3E&option1=%22%3E%3Cb%3E")
    doc = page(r, 200, "unknown variant and option")
    check(b"<script>alert" not in r.body and b'"><b>' not in r.body, "request markup echoed")
    eq(doc.one("span", id="price-amount").norm_text(), money(2000), "an unknown variant falls back to the first")

    _, got = shown("/products/%s" % cat["gone"].handle)
    eq((got["price"], got["availability"], got["data"]), (money(999), "Sold out", "false"), "a sold-out product")
    _, got = shown("/products/%s" % cat["p11"].handle)
    eq((got["availability"], got["data"]), ("In stock", "true"), "none in stock but sold on backorder")
    doc, _ = shown("/products/%s" % cat["p03"].handle)
    eq(doc.one("s", id="compare-at").norm_text(), money(cat["p03"].price_min + 500), "compare-at price")
    crumbs = [a.get("href") for a in doc.one("nav", cls="crumbs").find_all("a")]
    check(len(crumbs) == 2 and crumbs[1].startswith("/collections/"), "breadcrumb to a collection: %r" % crumbs)
    tags = [a.get("href") for a in doc.one("ul", cls="tags").find_all("a")]
    eq(tags, ["/search?tag=%s" % tg for tg in cat["p03"].tags], "tag links")

    # 404s: unknown, draft, archived; HTML, noindex, not cached.
    for what, path in (("unknown", "/products/no-such-thing"), ("draft", "/products/%s" % cat["draft"].handle),
                       ("draft by id", "/products/%s" % cat["draft"].id),
                       ("archived", "/products/%s" % cat["archived"].handle)):
        r = get(api, path)
        doc = page(r, 404, "%s product" % what)
        eq(meta(doc, name="robots"), "noindex", "%s product: noindex" % what)
        eq(r.header("cache-control"), "no-store", "%s product: Cache-Control" % what)
        check(r.header("etag") is None, "%s product: an ETag on a 404" % what)
        check(b"Secret Draft" not in r.body and b"Archived Vase" not in r.body and b"DRAFT-LAMP" not in r.body,
              "%s product: the 404 shows the product" % what)
        check(doc.find("script", type_="application/ld+json") is None, "%s product: JSON-LD on a 404" % what)
    # Once published, the draft has a page.
    api.ok(api.patch("/api/v1/products/%s" % cat["draft"].id, {"status": "active"}), 200, "publish the draft")
    doc, got = shown("/products/%s" % cat["draft"].handle)
    eq((doc.one("h1").norm_text(), got["price"]), ("Secret Draft Lamp", money(4005)), "the published draft")
    # The breadcrumb never leads to a collection shoppers cannot see.
    lonely = api.ok(api.post("/api/v1/products", {"title": "Lonely Vase", "status": "active",
                                                  "variants": [{"price": 100, "inventory_quantity": 1}]}), 201, "create")
    api.ok(api.put("/api/v1/collections/hidden-stash/products/%s" % lonely["id"]), 204, "put it in the hidden one")
    r = get(api, "/products/lonely-vase")
    doc = page(r, 200, "a product only in an unpublished collection")
    crumbs = [a.get("href") for a in doc.one("nav", cls="crumbs").find_all("a")]
    check("/collections/hidden-stash" not in crumbs and b"Hidden Stash" not in r.body,
          "the product page links to the unpublished collection Hidden Stash: breadcrumb %r" % crumbs)


@test
def test_storefront_seo(t):
    s, api, cat = setup(t)
    tee = cat["tee"]
    r = get(api, "/products/variant-tee", host=HOST)
    doc = page(r, 200, "product")
    eq(doc.one("title").text(), "Variant Tee – " + STORE, "<title>")
    eq(meta(doc, name="description"), "The variant tee: small, medium and large.", "meta description")
    eq(len([e for e in doc.find_all("link") if e.get("rel") == "canonical"]), 1, "one canonical link")
    eq(link_href(doc, "canonical"), ORIGIN + "/products/variant-tee", "canonical on the request's Host")
    eq(meta(doc, prop="og:url"), ORIGIN + "/products/variant-tee", "og:url")
    eq(meta(doc, prop="og:title"), "Variant Tee", "og:title")
    eq(meta(doc, prop="og:type"), "product", "og:type")
    eq(meta(doc, prop="og:image"), "https://img.example.com/tee.jpg", "og:image")
    check(meta(doc, name="robots") is None, "a product page is noindex")
    lds = doc.find_all("script", type_="application/ld+json")
    eq(len(lds), 1, "JSON-LD blocks")
    try:
        ld = json.loads(lds[0].text())
    except ValueError as e:
        raise TestFailure("JSON-LD does not parse (%s): %r" % (e, lds[0].text()[:300]))
    eq((ld.get("@context"), ld.get("@type"), ld.get("name")), ("https://schema.org", "Product", "Variant Tee"), "JSON-LD")
    eq(ld.get("brand", {}).get("name"), "Acme", "JSON-LD brand")
    check(all(u.startswith("https://") for u in ld.get("image", [])) and ld.get("image"), "JSON-LD images %r" % ld.get("image"))
    offers = ld.get("offers")
    check(isinstance(offers, list), "offers %r" % offers)
    eq(len(offers), len(tee.json["variants"]), "an Offer per variant")
    for o, v in zip(offers, tee.json["variants"]):
        eq(o.get("@type"), "Offer", "offer type")
        eq(o.get("price"), "%d.%02d" % (v["price"] // 100, v["price"] % 100), "offer price of %s" % v["sku"])
        eq(o.get("priceCurrency"), "USD", "offer currency")
        eq(o.get("availability"),
           "https://schema.org/" + ("InStock" if v["inventory_quantity"] > 0 else "OutOfStock"),
           "offer availability of %s" % v["sku"])
        eq(o.get("sku"), v["sku"], "offer sku")
        eq(o.get("url"), ORIGIN + "/products/variant-tee?variant=" + v["id"], "offer url")

    # A relative media image becomes absolute on the Host; the description
    # comes from the text of the body when there is no SEO description.
    it = cat["p00"]
    doc = page(get(api, "/products/" + it.handle, host=HOST), 200, "product")
    eq(meta(doc, prop="og:image"), ORIGIN + "/media/products/amber.jpg", "og:image of a media path")
    eq(meta(doc, name="description"), "A amber shirt by Acme, number 0.", "meta description from the body")
    ld = json.loads(doc.one("script", type_="application/ld+json").text())
    eq(ld["image"], [ORIGIN + "/media/products/amber.jpg"], "JSON-LD image of a media path")
    eq([o["availability"] for o in ld["offers"]], ["https://schema.org/InStock"], "JSON-LD availability")
    ld = json.loads(page(get(api, "/products/" + cat["gone"].handle), 200, "gone").one(
        "script", type_="application/ld+json").text())
    eq([o["availability"] for o in ld["offers"]], ["https://schema.org/OutOfStock"], "sold out in JSON-LD")

    # A title with markup and quotes stays text everywhere.
    nasty = 'Tee "Deluxe" <i>&</i> </script><script>alert(1)</script>'
    api.ok(api.patch("/api/v1/products/%s" % tee.id, {"title": nasty}), 200, "a nasty title")
    r = get(api, "/products/variant-tee", host=HOST)
    doc = page(r, 200, "nasty title")
    eq(doc.one("h1").text(), nasty, "h1 of a nasty title")
    eq(doc.one("title").text(), nasty + " – " + STORE, "<title> of a nasty title")
    eq(meta(doc, prop="og:title"), nasty, "og:title of a nasty title")
    eq(json.loads(doc.one("script", type_="application/ld+json").text())["name"], nasty, "JSON-LD name")
    check(r.body.count(b"<script") == 3, "scripts on the page: %d (want JSON-LD, variants, product.js)"
          % r.body.count(b"<script"))

    # Collection and home pages.
    doc = page(get(api, "/collections/kids-shirts", host=HOST), 200, "collection")
    eq(doc.one("title").text(), "Kids Shirts – " + STORE, "collection <title>")
    eq(meta(doc, name="description"), "Shirts for small people.", "collection meta description")
    eq(link_href(doc, "canonical"), ORIGIN + "/collections/kids-shirts", "collection canonical")
    eq(meta(doc, prop="og:type"), "website", "collection og:type")
    doc = page(get(api, "/collections/shirts", host=HOST), 200, "collection")
    eq(meta(doc, name="description"), "Every shirt we make.", "collection description from its body")
    doc = page(get(api, "/", host=HOST), 200, "home")
    eq(link_href(doc, "canonical"), ORIGIN + "/", "home canonical")
    check(meta(doc, name="description"), "home has no meta description")
    # A Host with markup is never written into a page as markup.
    r = get(api, "/products/%s" % cat["p01"].handle, host='evil.example"><script>alert(1)</script>')
    check(b"<script>alert(1)" not in r.body, "a Host with markup reached the page as markup")
    # ... and is refused: RFC 9112 3.2, a Host with an invalid value is a 400
    # (otherwise it is written into canonical, og:url and JSON-LD URLs of a
    # page that is public, max-age=60).
    eq(r.status, 400, "a Host header that is not host[:port] (%r)" % r.body[:200])


@test
def test_storefront_sitemap_and_robots(t):
    s, api, cat = setup(t)
    r = get(api, "/sitemap.xml", host=HOST)
    eq(r.status, 200, "sitemap status")
    check((r.header("content-type") or "").startswith(("application/xml", "text/xml")),
          "sitemap content-type %r" % r.header("content-type"))
    cacheable(r, "sitemap")

    def locs(body):
        try:
            root = ET.fromstring(body)
        except ET.ParseError as e:
            raise TestFailure("sitemap is not XML (%s): %r" % (e, body[:300]))
        ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
        eq(root.tag, ns + "urlset", "sitemap root")
        out = {}
        for u in root.findall(ns + "url"):
            loc = u.find(ns + "loc").text
            lm = u.find(ns + "lastmod")
            if lm is not None:
                check(re.match(r"^\d{4}-\d\d-\d\d", lm.text or ""), "lastmod %r" % lm.text)
            check(loc not in out, "%s listed twice" % loc)
            out[loc] = lm.text if lm is not None else None
        return out

    got = locs(r.body)
    want = {ORIGIN + "/"}
    want |= {ORIGIN + "/products/" + it.handle for it in cat.active()}
    want |= {ORIGIN + "/collections/" + h for h in ("shirts", "kids-shirts", "home-goods", "everything")}
    eq(set(got), want, "sitemap URLs (missing %r, extra %r)" % (sorted(want - set(got)), sorted(set(got) - want)))
    # Follows changes.
    api.ok(api.patch("/api/v1/products/%s" % cat["p01"].id, {"status": "draft"}), 200, "unpublish p01")
    api.ok(api.patch("/api/v1/products/%s" % cat["draft"].id, {"status": "active"}), 200, "publish the draft")
    api.ok(api.patch("/api/v1/collections/hidden-stash", {"published": True}), 200, "publish the hidden collection")
    got = locs(get(api, "/sitemap.xml", host=HOST).body)
    want = (want - {ORIGIN + "/products/" + cat["p01"].handle}) | {
        ORIGIN + "/products/" + cat["draft"].handle, ORIGIN + "/collections/hidden-stash"}
    eq(set(got), want, "sitemap after changes")

    r = get(api, "/robots.txt", host=HOST)
    eq(r.status, 200, "robots.txt status")
    check((r.header("content-type") or "").startswith("text/plain"), "robots.txt type %r" % r.header("content-type"))
    lines = [ln.strip() for ln in r.text().splitlines()]
    check("Sitemap: %s/sitemap.xml" % ORIGIN in lines, "robots.txt does not name the sitemap: %r" % r.text())
    check(any(ln.lower().startswith("user-agent:") for ln in lines), "robots.txt without User-agent: %r" % r.text())
    check("Disallow: /products/" not in lines and "Disallow: /" not in lines, "robots.txt hides the catalog: %r" % r.text())


@test
def test_storefront_caching(t):
    s, api, cat = setup(t)
    tee = cat["tee"]
    paths = ["/", "/collections/shirts", "/collections/everything?page=2&sort=price-asc", "/products/variant-tee",
             "/search?q=tee", "/sitemap.xml", "/api/v1/products/variant-tee", "/api/v1/products?vendor=Acme"]
    etags = {}
    for path in paths:
        r = get(api, path)
        eq(r.status, 200, "%s status" % path)
        cacheable(r, path)
        etag = r.header("etag")
        check(re.match(r'^(W/)?"[^"]+"$', etag), "%s: malformed ETag %r" % (path, etag))
        etags[path] = etag
        r2 = get(api, path)
        eq(r2.header("etag"), etag, "%s: ETag of the same page twice" % path)
        r3 = get(api, path, headers=[("If-None-Match", etag)])
        eq(r3.status, 304, "%s: If-None-Match with its ETag" % path)
        eq(r3.body, b"", "%s: a 304 has no body" % path)
        eq(r3.header("etag"), etag, "%s: the 304's ETag" % path)
        r4 = get(api, path, headers=[("If-None-Match", '"nope", %s' % etag)])
        eq(r4.status, 304, "%s: If-None-Match with a list holding its ETag" % path)
        r5 = get(api, path, headers=[("If-None-Match", '"0000000000000000"')])
        eq(r5.status, 200, "%s: If-None-Match with another ETag" % path)
        check(r5.body == r.body, "%s: the body changed between two GETs" % path)
    # The admin's view of the API is not cacheable.
    r = api.request("GET", "/api/v1/products/variant-tee")
    eq(r.header("cache-control"), "private, no-store", "Cache-Control of an admin read")
    check(r.header("etag") is None, "an ETag on a no-store answer")

    # A change through the API shows at once, under a new ETag.
    api.ok(api.patch("/api/v1/products/%s" % tee.id, {"title": "Variant Tee Two"}), 200, "rename the tee")
    for path in ("/products/variant-tee", "/api/v1/products/variant-tee", "/collections/shirts", "/"):
        r = get(api, path, headers=[("If-None-Match", etags[path])])
        eq(r.status, 200, "%s after a change, with the old ETag" % path)
        check(b"Variant Tee Two" in r.body, "%s does not show the new title" % path)
        check(r.header("etag") and r.header("etag") != etags[path], "%s: the ETag did not change" % path)
    white = [v for v in tee.json["variants"] if v["sku"] == "TEE-S-BLK"][0]
    r0 = get(api, "/products/variant-tee")
    api.ok(api.patch("/api/v1/products/%s/variants/%s" % (tee.id, white["id"]), {"inventory_quantity": 0}), 200,
           "sell out the small tee")
    r = get(api, "/products/variant-tee?variant=%s" % white["id"], headers=[("If-None-Match", r0.header("etag"))])
    eq(r.status, 200, "the product page after a stock change, with the old ETag")
    eq(page(r).one("p", id="availability").norm_text(), "Sold out", "availability after the change")
    # Pages that shoppers own are never shared; errors are not cached.
    r = get(api, "/collections/no-such")
    eq(r.header("cache-control"), "no-store", "Cache-Control of a 404")
    r = get(api, "/search?page=abc")
    eq(r.header("cache-control"), "no-store", "Cache-Control of a 400")


@test
def test_storefront_bad_listing_input(t):
    s, api, cat = setup(t)
    bad = [("page", "abc"), ("page", "0"), ("page", "-1"), ("page", "1.5"), ("page", "99999999999999999999"),
           ("page", "100000"), ("sort", "bogus"), ("sort", "PRICE-ASC"), ("price_min", "-1"), ("price_max", "-0.01"),
           ("price_min", "abc"), ("price_max", "1e9999"), ("price_min", "NaN"), ("price_min", "12.345"),
           ("price_max", "99999999999999999999999"), ("q", "x" * 300)]
    for base in ("/collections/everything", "/search", "/collections/kids-shirts"):
        for k, v in bad:
            path = base + "?" + qs([(k, v), ("vendor", "Acme")])
            r = get(api, path)
            what = "GET %s" % path[:120]
            eq(r.status, 400, what)
            check((r.header("content-type") or "").startswith("text/html"), "%s: content-type %r"
                  % (what, r.header("content-type")))
            doc = htmltree.parse(r.body)
            check(doc.find("html") is not None and "400" in doc.one("title").text(), "%s: not an HTML error page: %r"
                  % (what, r.body[:300]))
            check(b"<script" not in r.body, "%s: script in the error page" % what)
    for path in ("/", "/collections/everything", "/search?q=tee", "/products/variant-tee"):
        eq(get(api, path).status, 200, "%s after the bad requests" % path)
    check(s.alive(), "the server died")
    # Values that are fine: empty ones are ignored, available takes only 1.
    for path in ("/collections/everything?page=&sort=&price_min=&price_max=", "/search?q=&page=1",
                 "/collections/everything?price_min=0&price_max=0", "/collections/everything?price_min=10.5"):
        eq(get(api, path).status, 200, path)
