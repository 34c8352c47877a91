"""test_cli_shopify.py - `souk import shopify` and `souk export shopify` as a
merchant runs them: exit codes, the summary line, the messages naming the
line of a bad row, and a round trip: the export of one store imported into a
fresh one gives back the same export, and into the first store changes
nothing. No server is started."""

import csv
import io
import os
import re

from catalog_fixture import fresh_database_env
from souk import check, eq, test

HEADER = ("Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,"
          "Variant SKU,Variant Grams,Variant Inventory Qty,Variant Inventory Policy,Variant Price,"
          "Variant Compare At Price,Image Src,Image Position,Image Alt Text,Variant Image,Status")

# Line 2-4: a product with two variants (the second on its own row, with the
# image it shows) and an image on a row of its own; line 5: a product
# without options; lines 6-7: a product whose second variant has a price
# that is not one, so none of it is imported.
ROWS = [
    'linen-shirt,Linen Shirt,"<p>Cool <b>linen</b>.</p><script>x()</script>",Acme,Shirts,'
    '"summer, linen",TRUE,Size,S,LIN-S,200,5,deny,39.00,45.00,'
    'https://cdn.example.com/linen-front.jpg,1,Front,,active',
    'linen-shirt,,,,,,,,M,LIN-M,210,0,continue,41.50,,,,,'
    'https://cdn.example.com/linen-m.jpg,',
    'linen-shirt,,,,,,,,,,,,,,,https://cdn.example.com/linen-back.jpg,2,Back,,',
    'stone-mug,Stone Mug,<p>Holds tea.</p>,Northwind,Kitchen,,FALSE,Title,Default Title,'
    'MUG-1,350,12,deny,12.00,,https://cdn.example.com/mug.jpg,1,,,draft',
    'bad-price,Bad Price,,Acme,,,TRUE,Size,S,BAD-S,0,1,deny,5.00,,,,,,active',
    'bad-price,,,,,,,,M,BAD-M,0,1,deny,abc,,,,,,',
]

SUMMARY = re.compile(r"^created (\d+), updated (\d+), unchanged (\d+), rejected (\d+)$", re.M)


def store_env(t):
    """A store of its own: a fresh data dir (SQLite) or schema (PostgreSQL)."""
    env = fresh_database_env(t)
    env["SOUK_DATA_DIR"] = t.tmpdir()
    env["SOUK_CURRENCY"] = "USD"
    return env


def migrate(t, env):
    r = t.cli(["migrate"], env=env)
    eq(r.rc, 0, "souk migrate (%r)" % r)


def summary(r, what):
    """(created, updated, unchanged, rejected) from the last summary line on stdout."""
    found = SUMMARY.findall(r.out)
    check(found, "%s: no summary line on stdout: %r" % (what, r))
    return tuple(int(x) for x in found[-1])


def import_file(t, env, path, want_rc, want, what):
    r = t.cli(["import", "shopify", path], env=env, timeout=60)
    eq(r.rc, want_rc, "%s: exit code (%r)" % (what, r))
    eq(summary(r, what), want, "%s: created, updated, unchanged, rejected" % what)
    return r


def export_file(t, env, path, want_n, what):
    r = t.cli(["export", "shopify", path], env=env, timeout=60)
    eq(r.rc, 0, "%s: exit code (%r)" % (what, r))
    check("%d products written to %s" % (want_n, path) in r.err,
          "%s: no '%d products written' on stderr: %r" % (what, want_n, r.err[-500:]))
    with open(path, "rb") as f:
        return f.read()


@test
def test_cli_shopify_import_export_round_trip(t):
    work = t.tmpdir()
    src = os.path.join(work, "products.csv")
    with open(src, "w", newline="") as f:
        f.write(HEADER + "\n" + "\n".join(ROWS) + "\n")

    a = store_env(t)
    migrate(t, a)
    r = import_file(t, a, src, 1, (2, 0, 0, 1), "first import")
    check("line 7: Variant Price: 'abc' is not a price" in r.err,
          "the bad price is not reported with its line: %r" % r.err[-800:])
    check("line 6: product 'bad-price' (lines 6-7) not imported" in r.err,
          "the rejected product is not named: %r" % r.err[-800:])
    check("linen-shirt" not in r.err and "stone-mug" not in r.err,
          "a good product is mentioned among the problems: %r" % r.err[-800:])
    # The same file again: nothing to write, the bad product still refused.
    import_file(t, a, src, 1, (0, 0, 2, 1), "second import of the same file")

    out1 = os.path.join(work, "export-a.csv")
    data1 = export_file(t, a, out1, 2, "export of the first store")
    rows = list(csv.DictReader(io.StringIO(data1.decode("utf-8"))))
    by_handle = {}
    for row in rows:
        by_handle.setdefault(row["Handle"], []).append(row)
    eq(sorted(by_handle), ["linen-shirt", "stone-mug"], "handles exported")
    shirt = by_handle["linen-shirt"]
    # Two variants, three images (the variant's own is added): three rows.
    eq(len(shirt), 3, "rows of linen-shirt (%r)" % shirt)
    eq([x["Variant SKU"] for x in shirt], ["LIN-S", "LIN-M", ""], "SKUs by row")
    eq([x["Variant Price"] for x in shirt], ["39.00", "41.50", ""], "prices by row")
    eq(shirt[0]["Variant Compare At Price"], "45.00", "compare-at price")
    eq(shirt[1]["Variant Inventory Policy"], "continue", "inventory policy of M")
    eq(shirt[1]["Variant Image"], "https://cdn.example.com/linen-m.jpg", "M's image")
    eq([x["Image Src"] for x in shirt],
       ["https://cdn.example.com/linen-front.jpg", "https://cdn.example.com/linen-back.jpg",
        "https://cdn.example.com/linen-m.jpg"], "images in order")
    check("<script>" not in shirt[0]["Body (HTML)"] and "<b>linen</b>" in shirt[0]["Body (HTML)"],
          "description not sanitized as stored: %r" % shirt[0]["Body (HTML)"])
    eq(shirt[0]["Tags"], "linen, summer", "tags")
    mug = by_handle["stone-mug"]
    eq(len(mug), 1, "rows of stone-mug")
    eq((mug[0]["Option1 Name"], mug[0]["Option1 Value"]), ("Title", "Default Title"),
       "a product without options")
    eq((mug[0]["Status"], mug[0]["Published"]), ("draft", "FALSE"), "the draft stays a draft")

    # The export into an empty store: everything created, nothing refused;
    # and that store's export is the same file.
    b = store_env(t)
    migrate(t, b)
    import_file(t, b, out1, 0, (2, 0, 0, 0), "export imported into a new store")
    out2 = os.path.join(work, "export-b.csv")
    data2 = export_file(t, b, out2, 2, "export of the second store")
    if data2 != data1:
        l1, l2 = data1.decode().splitlines(), data2.decode().splitlines()
        diff = [(i + 1, x, y) for i, (x, y) in enumerate(zip(l1, l2)) if x != y][:3]
        check(False, "the exports differ (%d and %d lines); first differences: %r"
              % (len(l1), len(l2), diff))
    # The export into the store it came from changes nothing.
    import_file(t, a, out1, 0, (0, 0, 2, 0), "export imported into its own store")


@test
def test_cli_shopify_usage_and_unreadable_files(t):
    a = store_env(t)
    migrate(t, a)
    r = t.cli(["import", "shopify"], env=a)
    eq(r.rc, 2, "import without FILE (%r)" % r)
    r = t.cli(["import", "woocommerce", "x.csv"], env=a)
    eq(r.rc, 2, "an unknown format (%r)" % r)
    check("woocommerce" in r.err, "the format is not named: %r" % r.err)
    missing = os.path.join(t.tmpdir(), "nope.csv")
    r = t.cli(["import", "shopify", missing], env=a)
    eq(r.rc, 1, "a missing file (%r)" % r)
    check(missing in r.err, "the file is not named: %r" % r.err)
    eq(summary(r, "a missing file"), (0, 0, 0, 0), "summary of a missing file")
    # Not UTF-8 nor Windows-1252 (0x81 is undefined there): nothing imported.
    bad = os.path.join(t.tmpdir(), "bad.csv")
    with open(bad, "wb") as f:
        f.write(HEADER.encode() + b"\n" + ROWS[3].encode() + b"\nx,\x81,,,,,,,,,,,,1.00\n")
    r = t.cli(["import", "shopify", bad], env=a)
    eq(r.rc, 1, "an undecodable file (%r)" % r)
    eq(summary(r, "an undecodable file"), (0, 0, 0, 0), "summary of an undecodable file")
    # So nothing was written: the export is a header alone.
    out = os.path.join(t.tmpdir(), "empty.csv")
    data = export_file(t, a, out, 0, "export of an empty store")
    eq(len(data.decode().splitlines()), 1, "lines of an empty export")
