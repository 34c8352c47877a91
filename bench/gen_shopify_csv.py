#!/usr/bin/env python3
"""gen_shopify_csv.py - a deterministic Shopify product CSV for import benchmarks.

    python3 bench/gen_shopify_csv.py N [--seed S] [--start K] [--out FILE]

Writes N products in Shopify's classic column set: three variants each (Size
S/M/L with their own SKU, price and stock) and one or two images, the second
image on the second variant's row as Shopify's own export does: about 50 MB
per 100,000 products. The same arguments always give the same bytes; --start
numbers the products from K (default 1), to add new ones to a loaded store.
Standard library only."""

import argparse
import csv
import random
import sys

HEADER = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
    "Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
    "Variant Inventory Tracker", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src",
    "Image Position", "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item", "Status",
]
COL = {name: i for i, name in enumerate(HEADER)}

ADJECTIVES = ["Classic", "Organic", "Vintage", "Modern", "Rugged", "Soft", "Bold", "Light"]
NOUNS = ["Shirt", "Mug", "Backpack", "Scarf", "Lamp", "Notebook", "Candle", "Sneaker"]
VENDORS = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Hooli"]
TYPES = ["Apparel", "Home", "Stationery", "Accessories"]
TAGS = ["new", "sale", "summer", "winter", "gift", "eco", "bestseller", "limited"]
SIZES = ["S", "M", "L"]


def price(cents):
    return "%d.%02d" % (cents // 100, cents % 100)


def product_rows(i, rnd):
    handle = "product-%07d" % i
    adj, noun = rnd.choice(ADJECTIVES), rnd.choice(NOUNS)
    title = "%s %s %d" % (adj, noun, i)
    body = "<p>A %s %s. <b>No. %d</b></p>" % (adj.lower(), noun.lower(), i)
    tags = ", ".join(sorted(rnd.sample(TAGS, 2)))
    base = rnd.randrange(500, 20000)
    nimages = rnd.choice((1, 2))
    rows = []
    for v, size in enumerate(SIZES):
        r = [""] * len(HEADER)
        r[COL["Handle"]] = handle
        if v == 0:
            r[COL["Title"]] = title
            r[COL["Body (HTML)"]] = body
            r[COL["Vendor"]] = rnd.choice(VENDORS)
            r[COL["Type"]] = rnd.choice(TYPES)
            r[COL["Tags"]] = tags
            r[COL["Published"]] = "TRUE"
            r[COL["Option1 Name"]] = "Size"
            r[COL["Gift Card"]] = "FALSE"
            r[COL["Status"]] = "active"
        r[COL["Option1 Value"]] = size
        r[COL["Variant SKU"]] = "SKU-%07d-%s" % (i, size)
        r[COL["Variant Grams"]] = str(200 + 50 * v)
        r[COL["Variant Inventory Tracker"]] = "shopify"
        r[COL["Variant Inventory Qty"]] = str(rnd.randrange(0, 100))
        r[COL["Variant Inventory Policy"]] = "deny"
        r[COL["Variant Fulfillment Service"]] = "manual"
        r[COL["Variant Price"]] = price(base + 100 * v)
        r[COL["Variant Compare At Price"]] = price(base + 100 * v + 500) if i % 3 == 0 else ""
        r[COL["Variant Requires Shipping"]] = "TRUE"
        r[COL["Variant Taxable"]] = "TRUE"
        r[COL["Variant Weight Unit"]] = "kg"
        r[COL["Cost per item"]] = price(base // 2)
        if v < nimages:
            r[COL["Image Src"]] = "https://cdn.example.com/%d-%d.jpg" % (i, v + 1)
            r[COL["Image Position"]] = str(v + 1)
            r[COL["Image Alt Text"]] = title if v == 0 else ""
        rows.append(r)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of products")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=1, help="number of the first product")
    ap.add_argument("--out", help="output file (default: stdout)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for i in range(args.start, args.start + args.n):
        w.writerows(product_rows(i, rnd))
    if args.out:
        out.close()


if __name__ == "__main__":
    main()
