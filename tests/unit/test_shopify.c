/* test_shopify.c - `souk import shopify`: each CSV file under tests/data/shopify/
 * read into a real catalog, and what the catalog holds afterwards.
 * test_shopify_sync.c has the rest: bad rows, re-imports, export. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "harness.h"
#include "shop/catalog.h"
#include "shop/shopify_csv.h"
#include "shopify_fixture.h"

/* ---- the files ---- */

SHOP_TEST(shopify_classic_columns)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "classic");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "classic.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 5);
    BCHECK_INT(st.rejected + st.updated + st.unchanged, 0);
    BCHECK_INT(st.warnings, 0);
    BCHECK_STR(buf_cstr(&sink.text), "");

    product_t *p = shop_get(db, &a, "plain-tee");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_STR(p->title, "Plain Tee");
        BCHECK_STR(p->body_html, "<p>A soft <strong>cotton</strong> tee.</p>");
        BCHECK_STR(p->vendor, "Acme");
        BCHECK_STR(p->product_type, "Shirts");
        BCHECK_INT(p->status, PRODUCT_ACTIVE);
        BCHECK_STR(p->seo_title, "Plain Tee | Acme");
        BCHECK_STR(p->seo_description, "The tee you wear every day.");
        BCHECK(p->option_names[0] == NULL); /* "Title" / "Default Title" */
        BCHECK_INT(p->ntags, 3);
        if (p->ntags == 3) {
            BCHECK_STR(p->tags[0], "basics");
            BCHECK_STR(p->tags[1], "cotton");
            BCHECK_STR(p->tags[2], "summer");
        }
        BCHECK_INT(p->nvariants, 1);
        const variant_t *v = &p->variants[0];
        BCHECK_STR(v->sku, "TEE-1");
        BCHECK(v->options[0] == NULL);
        BCHECK_INT(v->price, 1999);
        BCHECK_INT(v->compare_at_price, 2499);
        BCHECK_INT(v->cost, 750);
        BCHECK_INT(v->weight_grams, 180);
        BCHECK_INT(v->weight_unit, WEIGHT_G);
        BCHECK_INT(v->inventory_quantity, 25);
        BCHECK_INT(v->inventory_policy, INVENTORY_DENY);
        BCHECK_STR(v->barcode, "0123456789012");
        BCHECK(v->requires_shipping && v->taxable);
        BCHECK_INT(p->nimages, 1);
        if (p->nimages == 1) {
            BCHECK_STR(p->images[0].src, "https://cdn.example.com/tee.jpg");
            BCHECK_STR(p->images[0].alt, "A plain tee");
            BCHECK(p->images[0].variant_public_id == NULL);
        }
    }

    /* Three options, six variants, variant images, two image-only rows. */
    p = shop_get(db, &a, "trail-jacket");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_STR(p->option_names[0], "Size");
        BCHECK_STR(p->option_names[1], "Color");
        BCHECK_STR(p->option_names[2], "Material");
        BCHECK_HAS(p->body_html, "<li>Two pockets</li>");
        BCHECK_HAS(p->body_html, "water-resistant.</p>\n<ul>");
        BCHECK_INT(p->nvariants, 6);
        static const char *const opts[6][2] = {{"S", "Red"},  {"S", "Blue"}, {"M", "Red"},
                                               {"M", "Blue"}, {"L", "Red"},  {"L", "Blue"}};
        for (size_t i = 0; i < p->nvariants && i < 6; i++) {
            BCHECK_STR(p->variants[i].options[0], opts[i][0]);
            BCHECK_STR(p->variants[i].options[1], opts[i][1]);
            BCHECK_STR(p->variants[i].options[2], "Nylon");
            BCHECK_INT(p->variants[i].position, (int)i + 1);
        }
        if (p->nvariants == 6) {
            BCHECK_INT(p->variants[1].inventory_policy, INVENTORY_CONTINUE);
            BCHECK_INT(p->variants[3].price, 13450);
            BCHECK_INT(p->variants[4].inventory_quantity, -3);
            BCHECK_INT(p->variants[4].compare_at_price, 14900);
            BCHECK_INT(p->variants[4].cost, -1);
            BCHECK_INT(p->variants[4].weight_grams, 1000);
            BCHECK_INT(p->variants[0].weight_unit, WEIGHT_KG);
            BCHECK(p->variants[5].sku == NULL);
            BCHECK(p->variants[0].barcode == NULL);
        }
        BCHECK_INT(p->nimages, 6);
        static const char *const srcs[6] = {"front", "back", "red", "blue", "detail", "label"};
        for (size_t i = 0; i < p->nimages && i < 6; i++) {
            char want[80];
            snprintf(want, sizeof(want), "https://cdn.example.com/jacket-%s.jpg", srcs[i]);
            BCHECK_STR(p->images[i].src, want);
            BCHECK_INT(p->images[i].position, (int)i + 1);
        }
        if (p->nimages == 6 && p->nvariants == 6) {
            BCHECK_STR(p->images[4].alt, "Detail, zipper");
            BCHECK_STR(p->images[5].alt, "");
            BCHECK_STR(p->images[2].variant_public_id, p->variants[0].public_id);
            BCHECK_STR(p->images[3].variant_public_id, p->variants[1].public_id);
            BCHECK(p->images[0].variant_public_id == NULL);
            BCHECK(p->images[4].variant_public_id == NULL);
        }
    }

    /* Quotes, commas and line breaks inside quoted fields. */
    p = shop_get(db, &a, "quoted-mug");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_STR(p->title, "The \"Best\" Mug");
        BCHECK_HAS(p->body_html, "hello, world");
        BCHECK_HAS(p->body_html, "<p>Line two,\nstill line two.</p>");
        BCHECK_INT(p->variants[0].weight_unit, WEIGHT_LB);
        BCHECK(!p->variants[0].taxable);
        BCHECK_INT(p->ntags, 0);
        BCHECK_INT(p->nimages, 0);
    }
    p = shop_get(db, &a, "hidden-lamp"); /* Published FALSE, no Status */
    BCHECK(p && p->status == PRODUCT_DRAFT);
    BCHECK(p && !p->variants[0].requires_shipping && p->variants[0].weight_unit == WEIGHT_OZ);
    p = shop_get(db, &a, "old-scarf");
    BCHECK(p && p->status == PRODUCT_ARCHIVED);
    BCHECK(p && p->body_html[0] == '\0');

    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

SHOP_TEST(shopify_newer_columns)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "newer");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "newer.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 2);
    BCHECK_INT(st.rejected, 0);
    BCHECK_INT(st.warnings, 0);
    BCHECK_STR(buf_cstr(&sink.text), "");
    product_t *p = shop_get(db, &a, "canvas-tote");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_STR(p->title, "Canvas Tote");
        BCHECK_STR(p->body_html, "<p>Carries <em>everything</em>.</p>");
        BCHECK_STR(p->product_type, "Bags");
        BCHECK_INT(p->status, PRODUCT_ACTIVE);
        BCHECK_STR(p->option_names[0], "Color");
        BCHECK_STR(p->seo_description, "A tote for every day.");
        BCHECK_INT(p->nvariants, 2);
        if (p->nvariants == 2) {
            const variant_t *v = p->variants;
            BCHECK_STR(v[0].sku, "TOTE-NAT");
            BCHECK_STR(v[0].barcode, "400638133393");
            BCHECK_INT(v[0].price, 2400);
            BCHECK_INT(v[0].compare_at_price, 3000);
            BCHECK_INT(v[0].cost, 910);
            BCHECK_INT(v[0].weight_grams, 310); /* 310.4 */
            BCHECK_INT(v[0].inventory_policy, INVENTORY_DENY);
            BCHECK(v[0].taxable);
            BCHECK_STR(v[1].options[0], "Black");
            BCHECK_INT(v[1].price, 2650);
            BCHECK_INT(v[1].weight_grams, 311); /* 310.5 */
            BCHECK_INT(v[1].inventory_policy, INVENTORY_CONTINUE);
            BCHECK(!v[1].taxable);
        }
        BCHECK_INT(p->nimages, 3);
        if (p->nimages == 3 && p->nvariants == 2) {
            BCHECK_STR(p->images[0].variant_public_id, p->variants[0].public_id);
            BCHECK_STR(p->images[1].variant_public_id, p->variants[1].public_id);
            BCHECK_STR(p->images[2].alt, "Inside");
        }
    }
    p = shop_get(db, &a, "gift-note");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_INT(p->status, PRODUCT_DRAFT);
        BCHECK_STR(p->product_type, "Greeting Cards"); /* from Product category */
        BCHECK(p->option_names[0] == NULL);
        BCHECK_INT(p->variants[0].price, 200);
        BCHECK_INT(p->variants[0].inventory_quantity, 500);
        BCHECK(!p->variants[0].requires_shipping);
    }
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

SHOP_TEST(shopify_bom_crlf_and_ragged_rows)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "bomcrlf");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "crlf_bom.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 2);
    BCHECK_INT(st.warnings, 0); /* the BOM did not spoil "Handle" */
    product_t *p = shop_get(db, &a, "bom-first");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_STR(p->title, "BOM First");
        BCHECK_STR(p->body_html, "<p>one</p>\n<p>two</p>");
        BCHECK_INT(p->nvariants, 2);
        BCHECK(p->nvariants == 2 && strcmp(p->variants[1].options[0], "Large") == 0);
    }
    p = shop_get(db, &a, "bom-second");
    BCHECK(p && p->variants[0].price == 725);

    BCHECK_INT(shop_import(db, DATA "ragged.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 3);
    BCHECK_INT(st.rejected, 0);
    p = shop_get(db, &a, "short-row");
    BCHECK(p && p->variants[0].price == 300 && p->variants[0].inventory_quantity == 0);
    BCHECK(p && p->nimages == 0);
    p = shop_get(db, &a, "long-row");
    BCHECK(p && p->nimages == 1 && p->variants[0].inventory_quantity == 9);
    p = shop_get(db, &a, "two-rows");
    BCHECK(p && p->nvariants == 2 && p->nimages == 1);
    BCHECK(p && p->nvariants == 2 && p->variants[1].price == 550);
    BCHECK_STR(buf_cstr(&sink.text), "");
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

SHOP_TEST(shopify_windows_1252)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "cp1252");
    if (db == NULL)
        return;
    csv_encoding_t enc;
    uint64_t bad;
    BCHECK_INT(csv_detect_encoding(DATA "cp1252.csv", &enc, &bad), 0);
    BCHECK_INT(enc, CSV_CP1252);
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "cp1252.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 1);
    product_t *p = shop_get(db, &a, "cafe-mug");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_STR(p->title, "Caf\xc3\xa9 \xe2\x80\x9c"
                             "Deluxe\xe2\x80\x9d Mug");
        BCHECK_STR(p->vendor, "Caf\xc3\xa9 Co");
        BCHECK_HAS(p->body_html, "Costs \xe2\x82\xac"
                                 "12 \xe2\x80\x93 worth it.");
        BCHECK(p->ntags == 1 && strcmp(p->tags[0], "caf\xc3\xa9") == 0);
    }
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

SHOP_TEST(shopify_invalid_byte_refused)
{
    fixture_t fx;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "badbyte");
    if (db == NULL)
        return;
    shopify_stats_t st;
    uint64_t bad = 0;
    BCHECK_INT(shop_import(db, DATA "invalid_byte.csv", 0, &st, &sink, &bad), SOUK_ENCODING);
    size_t len;
    char *data = shop_read_all(DATA "invalid_byte.csv", &len);
    BCHECK(bad < len && (unsigned char)data[bad] == 0x81);
    BCHECK_INT(bad, 233);
    BCHECK_INT(shop_count(db), 0); /* not even the good first row */
    free(data);
    buf_free(&sink.text);
    shop_done(&fx);
}

SHOP_TEST(shopify_big_body_and_script)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "bigbody");
    if (db == NULL)
        return;
    buf_t csv = BUF_INIT, body = BUF_INIT;
    for (int i = 0; body.len < 200 * 1024; i++)
        buf_printf(&body, "<p>Paragraph %d of a very long description.</p>\n", i);
    buf_puts(&csv, "Handle,Title,Body (HTML),Variant Price\nbig-one,Big One,\"");
    buf_append(&csv, body.data, body.len);
    buf_puts(&csv, "\",1.00\n");
    const char *path = shop_write_tmp("big.csv", csv.data, csv.len);
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, path, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 1);
    product_t *p = shop_get(db, &a, "big-one");
    BCHECK(p && strlen(p->body_html) >= 200 * 1024);
    BCHECK(p && strncmp(p->body_html, "<p>Paragraph 0 of", 17) == 0);
    BCHECK_INT(shop_import(db, path, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, 1);

    /* A <script> and event handlers never reach the database. */
    BCHECK_INT(shop_import(db, DATA "script.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 1);
    p = shop_get(db, &a, "sneaky");
    BCHECK(p != NULL);
    if (p) {
        BCHECK_HAS(p->body_html, "Hi");
        BCHECK_HAS(p->body_html, "link");
        BCHECK(strstr(p->body_html, "script") == NULL);
        BCHECK(strstr(p->body_html, "alert") == NULL);
        BCHECK(strstr(p->body_html, "onclick") == NULL);
        BCHECK(strstr(p->body_html, "onerror") == NULL);
        BCHECK(strstr(p->body_html, "javascript") == NULL);
    }
    BCHECK_INT(shop_import(db, DATA "script.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, 1); /* the sanitized body compares equal */
    buf_free(&csv);
    buf_free(&body);
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

SHOP_TEST(shopify_unknown_columns_warned_once)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "unknown");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "unknown_columns.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 3);
    BCHECK_INT(st.warnings, 3);
    BCHECK_INT(sink.warnings, 3);
    BCHECK_INT(sink.errors, 0);
    const char *t = buf_cstr(&sink.text);
    BCHECK_HAS(t, "warning: line 1: column 'Frobnication' is not a Shopify product column");
    BCHECK_HAS(t, "'Google Shopping / Gender'");
    BCHECK_HAS(t, "'custom.material (product.metafields.custom.material)'");
    product_t *p = shop_get(db, &a, "widget-a"); /* " Variant SKU " is Variant SKU */
    BCHECK(p && p->nvariants == 1 && p->variants[0].sku && !strcmp(p->variants[0].sku, "W-A"));
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}
