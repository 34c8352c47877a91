/* test_shopify_sync.c - the Shopify CSV importer over time: bad rows reported
 * with their lines while the rest imports, re-imports that change nothing or
 * one price, batches with a failure inside, and export -> import round trips
 * that give back the same catalog. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "harness.h"
#include "shop/catalog.h"
#include "shop/shopify_csv.h"
#include "shopify_fixture.h"

SHOP_TEST(shopify_invalid_rows_reported)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "invalid");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "invalid_rows.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 4);
    BCHECK_INT(st.rejected, 8);
    const char *t = buf_cstr(&sink.text);
    BCHECK_HAS(t, "line 4: Variant Price: 'abc' is not a price\n");
    BCHECK_HAS(t, "line 3: product 'bad-price' (lines 3-4) not imported\n");
    BCHECK_HAS(t, "line 6: Variant Price: '1.001' has more decimals than USD has");
    BCHECK_HAS(t, "line 6: Variant Grams: '-5' is not a weight in grams\n");
    BCHECK_HAS(t, "line 6: Variant Inventory Qty: 'lots' is not a whole number\n");
    BCHECK_HAS(t, "line 6: Status: 'pending' is not active, draft or archived\n");
    BCHECK_HAS(t, "line 6: Variant Weight Unit: 'stone' is not g, kg, lb or oz\n");
    BCHECK_HAS(t, "line 7: Title: required on the first row of a product\n");
    BCHECK_HAS(t, "line 10: Option1 Value: 'Red' has no option name on the first row\n");
    BCHECK_HAS(t, "line 11: Handle: 'ok-two' was used by an earlier product");
    BCHECK_HAS(t, "line 12: Variant SKU: is already used by another product\n");
    BCHECK_HAS(t, "line 13: Variant Price: required\n");
    BCHECK_HAS(t, "line 15: "); /* the reader's own words for "BR-"M */
    BCHECK_HAS(t, "line 14: product 'broken-row' (lines 14-15) not imported\n");
    BCHECK_HAS(t, "line 7: product 'no-title' not imported\n");
    BCHECK_INT(shop_count(db), 4);
    product_t *p = shop_get(db, &a, "ok-two");
    BCHECK(p && strcmp(p->title, "OK Two") == 0 && p->status == PRODUCT_DRAFT);
    p = shop_get(db, &a, "ok-three");
    BCHECK(p && p->nvariants == 2);
    p = shop_get(db, &a, "ok-four");
    BCHECK(p && p->variants[0].compare_at_price == 150);
    BCHECK(shop_get(db, &a, "bad-price") == NULL); /* never half a product */
    BCHECK(shop_get(db, &a, "sku-taken") == NULL);
    BCHECK(shop_get(db, &a, "broken-row") == NULL);
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

SHOP_TEST(shopify_header_problems)
{
    fixture_t fx;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "header");
    if (db == NULL)
        return;
    shopify_stats_t st;
    const char *p = shop_write_tmp("noheader.csv", "name,price\nx,1\n", 15);
    BCHECK_INT(shop_import(db, p, 0, &st, &sink, NULL), SOUK_EINVAL);
    BCHECK_HAS(buf_cstr(&sink.text), "neither a Handle nor a Title column");
    p = shop_write_tmp("empty.csv", "", 0);
    BCHECK_INT(shop_import(db, p, 0, &st, &sink, NULL), SOUK_EINVAL);
    BCHECK_INT(shop_count(db), 0);
    /* No Handle column: each row is a product named after its title; a
     * handle that is not one is made into one (and said so). */
    static const char rows[] = "Title,Variant Price,Handle\nBlue Hat,5.00,\nRed Hat,6,Red_Hat!\n";
    p = shop_write_tmp("titles.csv", rows, sizeof(rows) - 1);
    BCHECK_INT(shop_import(db, p, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 2);
    BCHECK_HAS(buf_cstr(&sink.text), "warning: line 3: Handle: 'Red_Hat!' is stored as 'red-hat'");
    arena_t a = ARENA_INIT;
    BCHECK(shop_get(db, &a, "blue-hat") != NULL);
    BCHECK(shop_get(db, &a, "red-hat") != NULL);
    BCHECK_INT(shop_import(db, p, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, 2);
    arena_free(&a);
    buf_free(&sink.text);
    shop_done(&fx);
}

SHOP_TEST(shopify_limits)
{
    fixture_t fx;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "limits");
    if (db == NULL)
        return;
    buf_t csv = BUF_INIT;
    buf_puts(&csv, "Handle,Title,Option1 Name,Option1 Value,Variant Price\n");
    for (int i = 1; i <= CATALOG_MAX_VARIANTS; i++)
        buf_printf(&csv, "at-limit,%s,%s,v%d,1\n", i == 1 ? "At Limit" : "", i == 1 ? "N" : "", i);
    for (int i = 1; i <= CATALOG_MAX_VARIANTS + 1; i++)
        buf_printf(&csv, "past-limit,%s,%s,v%d,1\n", i == 1 ? "Past" : "", i == 1 ? "N" : "", i);
    const char *p = shop_write_tmp("limits.csv", csv.data, csv.len);
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, p, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 1);
    BCHECK_INT(st.rejected, 1);
    BCHECK_HAS(buf_cstr(&sink.text), "line 202: more than 100 variants in one product\n");
    arena_t a = ARENA_INIT;
    product_t *pr = shop_get(db, &a, "at-limit");
    BCHECK(pr && pr->nvariants == CATALOG_MAX_VARIANTS);
    BCHECK(shop_get(db, &a, "past-limit") == NULL);
    arena_free(&a);
    buf_free(&csv);
    buf_free(&sink.text);
    shop_done(&fx);
}

/* Seven products in batches of 3 (and of 1): the fifth takes the first one's
 * SKU, so the catalog refuses it inside a batch; the others stay. */
SHOP_TEST(shopify_batches_and_savepoints)
{
    static const char rows[] = "Handle,Title,Variant SKU,Variant Price\n"
                               "b1,B1,SKU-1,1\nb2,B2,SKU-2,2\nb3,B3,SKU-3,3\nb4,B4,SKU-4,4\n"
                               "b5,B5,SKU-1,5\nb6,B6,SKU-6,6\nb7,B7,SKU-7,7\n";
    const size_t batches[] = {3, 1, 0};
    for (size_t k = 0; k < 3; k++) {
        fixture_t fx;
        sink_t sink = SINK_INIT;
        db_t *db = shop_open(&fx, be, "batches");
        if (db == NULL)
            return;
        const char *p = shop_write_tmp("batches.csv", rows, sizeof(rows) - 1);
        shopify_stats_t st;
        BCHECK_INT(shop_import(db, p, batches[k], &st, &sink, NULL), 0);
        BCHECK_INT(st.created, 6);
        BCHECK_INT(st.rejected, 1);
        BCHECK_HAS(buf_cstr(&sink.text), "line 6: Variant SKU: is already used by another");
        BCHECK_INT(shop_count(db), 6);
        arena_t a = ARENA_INIT;
        BCHECK(shop_get(db, &a, "b6") != NULL && shop_get(db, &a, "b4") != NULL);
        BCHECK(shop_get(db, &a, "b5") == NULL);
        BCHECK(!db_in_tx(db));
        BCHECK_INT(shop_import(db, p, batches[k], &st, &sink, NULL), 0);
        BCHECK_INT(st.unchanged, 6);
        BCHECK_INT(st.rejected, 1);
        arena_free(&a);
        buf_free(&sink.text);
        shop_done(&fx);
    }
}

SHOP_TEST(shopify_reimport_changes_nothing)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "reimport");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "classic.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(shop_import(db, DATA "newer.csv", 0, &st, &sink, NULL), 0);
    product_t *before = shop_get(db, &a, "trail-jacket");
    BCHECK(before != NULL);
    if (before == NULL)
        goto out;
    BCHECK_INT(shop_import(db, DATA "classic.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 0);
    BCHECK_INT(st.updated, 0);
    BCHECK_INT(st.unchanged, 5);
    BCHECK_INT(st.rejected, 0);
    BCHECK_INT(shop_import(db, DATA "newer.csv", 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, 2);
    product_t *after = shop_get(db, &a, "trail-jacket");
    BCHECK(after && strcmp(after->updated_at, before->updated_at) == 0);

    /* One price changed in the file: one product updated, its ids kept. */
    size_t len;
    char *text = shop_read_all(DATA "classic.csv", &len);
    char *at = strstr(text, "134.50");
    BCHECK(at != NULL);
    if (at)
        memcpy(at, "135.75", 6);
    const char *p = shop_write_tmp("classic-changed.csv", text, len);
    BCHECK_INT(shop_import(db, p, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.updated, 1);
    BCHECK_INT(st.unchanged, 4);
    BCHECK_INT(st.created + st.rejected, 0);
    after = shop_get(db, &a, "trail-jacket");
    BCHECK(after && after->nvariants == 6 && after->variants[3].price == 13575);
    BCHECK(after && strcmp(after->public_id, before->public_id) == 0);
    for (size_t i = 0; after && i < after->nvariants && i < before->nvariants; i++)
        BCHECK_STR(after->variants[i].public_id, before->variants[i].public_id);
    for (size_t i = 0; after && i < after->nimages && i < before->nimages; i++)
        BCHECK_STR(after->images[i].public_id, before->images[i].public_id);
    BCHECK_STR(buf_cstr(&sink.text), "");
    free(text);
out:
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

/* ---- export ---- */

static void same_product(const backend_t *be, const product_t *x, const product_t *y)
{
    BCHECK_STR(x->handle, y->handle);
    BCHECK_STR(x->title, y->title);
    BCHECK_STR(x->body_html, y->body_html);
    BCHECK_STR(x->vendor, y->vendor);
    BCHECK_STR(x->product_type, y->product_type);
    BCHECK_INT(x->status, y->status);
    BCHECK_STR(x->seo_title, y->seo_title);
    BCHECK_STR(x->seo_description, y->seo_description);
    for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++)
        BCHECK_STR(x->option_names[k] ? x->option_names[k] : "(none)",
                   y->option_names[k] ? y->option_names[k] : "(none)");
    BCHECK_INT(x->ntags, y->ntags);
    for (size_t i = 0; i < x->ntags && i < y->ntags; i++)
        BCHECK_STR(x->tags[i], y->tags[i]);
    BCHECK_INT(x->price_min, y->price_min);
    BCHECK_INT(x->price_max, y->price_max);
    BCHECK_INT(x->available, y->available);
    BCHECK_INT(x->nvariants, y->nvariants);
    for (size_t i = 0; i < x->nvariants && i < y->nvariants; i++) {
        const variant_t *v = &x->variants[i], *w = &y->variants[i];
        BCHECK_INT(v->position, w->position);
        BCHECK_STR(v->sku ? v->sku : "(none)", w->sku ? w->sku : "(none)");
        for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++)
            BCHECK_STR(v->options[k] ? v->options[k] : "(none)",
                       w->options[k] ? w->options[k] : "(none)");
        BCHECK_INT(v->price, w->price);
        BCHECK_INT(v->compare_at_price, w->compare_at_price);
        BCHECK_INT(v->cost, w->cost);
        BCHECK_INT(v->weight_grams, w->weight_grams);
        BCHECK_INT(v->weight_unit, w->weight_unit);
        BCHECK_STR(v->barcode ? v->barcode : "(none)", w->barcode ? w->barcode : "(none)");
        BCHECK_INT(v->requires_shipping, w->requires_shipping);
        BCHECK_INT(v->taxable, w->taxable);
        BCHECK_INT(v->inventory_quantity, w->inventory_quantity);
        BCHECK_INT(v->inventory_policy, w->inventory_policy);
    }
    BCHECK_INT(x->nimages, y->nimages);
    for (size_t i = 0; i < x->nimages && i < y->nimages; i++) {
        const image_t *m = &x->images[i], *n = &y->images[i];
        BCHECK_INT(m->position, n->position);
        BCHECK_STR(m->src, n->src);
        BCHECK_STR(m->alt, n->alt);
        BCHECK_INT(m->width, n->width);
        BCHECK_INT(m->height, n->height);
        /* The variant an image shows, by its place (ids differ). */
        int vm = -1, vn = -1;
        for (size_t k = 0; k < x->nvariants; k++)
            if (m->variant_public_id && !strcmp(m->variant_public_id, x->variants[k].public_id))
                vm = (int)k;
        for (size_t k = 0; k < y->nvariants; k++)
            if (n->variant_public_id && !strcmp(n->variant_public_id, y->variants[k].public_id))
                vn = (int)k;
        BCHECK_INT(vm, vn);
    }
}

/* Export db to a file of that name in the test directory; its path in path. */
static int export_to(db_t *db, const char *name, char path[300], uint64_t *n)
{
    snprintf(path, 300, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return SOUK_EIO;
    int rc = shopify_export(db, f, NULL, n);
    if (fclose(f) != 0 && rc == 0)
        rc = SOUK_EIO;
    return rc;
}

SHOP_TEST(shopify_export_round_trip)
{
    static const char *const files[] = {"classic.csv",     "newer.csv",  "crlf_bom.csv",
                                        "cp1252.csv",      "ragged.csv", "script.csv",
                                        "invalid_rows.csv"};
    fixture_t one, two;
    sink_t sink = SINK_INIT;
    db_t *db1 = shop_open(&one, be, "trip1");
    db_t *db2 = shop_open(&two, be, "trip2");
    if (db1 == NULL || db2 == NULL)
        goto out;
    shopify_stats_t st;
    uint64_t total = 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), DATA "%s", files[i]);
        BCHECK_INT(shop_import(db1, path, 0, &st, &sink, NULL), 0);
        total += st.created;
    }
    BCHECK_INT(shop_count(db1), (int64_t)total);

    char path[300];
    uint64_t n1 = 0, n2 = 0;
    BCHECK_INT(export_to(db1, "export1.csv", path, &n1), 0);
    BCHECK_INT(n1, total);
    size_t len1;
    char *out1 = shop_read_all(path, &len1);
    BCHECK(strncmp(out1, "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,", 52) == 0);

    buf_reset(&sink.text);
    BCHECK_INT(shop_import(db2, path, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, total);
    BCHECK_INT(st.rejected, 0);
    BCHECK_INT(st.warnings, 0);
    BCHECK_STR(buf_cstr(&sink.text), "");

    /* Field by field, every product, ignoring ids and times. */
    db_rows_t *r;
    arena_t ha = ARENA_INIT;
    const char **handles = arena_alloc(&ha, (total + 1) * sizeof(*handles));
    size_t nh = 0;
    if (db_query(db1, "SELECT handle FROM products ORDER BY id", NULL, 0, &r) == 0) {
        while (db_rows_next(r) && nh < total)
            handles[nh++] = arena_strdup(&ha, db_rows_text(r, 0, NULL));
        BCHECK_INT(db_rows_end(r), 0);
    }
    BCHECK_INT(nh, total);
    for (size_t i = 0; i < nh; i++) {
        arena_t a = ARENA_INIT;
        product_t *x = shop_get(db1, &a, handles[i]), *y = shop_get(db2, &a, handles[i]);
        BCHECK(x != NULL && y != NULL);
        if (x && y)
            same_product(be, x, y);
        arena_free(&a);
    }
    arena_free(&ha);

    /* The second export is byte for byte the first; importing it again into
     * either store changes nothing. */
    BCHECK_INT(export_to(db2, "export2.csv", path, &n2), 0);
    size_t len2;
    char *out2 = shop_read_all(path, &len2);
    BCHECK(len1 == len2 && memcmp(out1, out2, len1) == 0);
    BCHECK_INT(shop_import(db1, path, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, total);
    BCHECK_INT(st.created + st.updated + st.rejected, 0);
    free(out1);
    free(out2);
out:
    buf_free(&sink.text);
    if (db1)
        shop_done(&one);
    if (db2)
        shop_done(&two);
}

/* A store with nothing in it exports just the header. */
SHOP_TEST(shopify_export_empty)
{
    fixture_t fx;
    db_t *db = shop_open(&fx, be, "empty_export");
    if (db == NULL)
        return;
    char path[300];
    uint64_t n = 1;
    BCHECK_INT(export_to(db, "empty.csv", path, &n), 0);
    BCHECK_INT(n, 0);
    size_t len;
    char *out = shop_read_all(path, &len);
    BCHECK(len > 0 && strchr(out, '\n') == out + len - 1);
    free(out);
    shop_done(&fx);
}

/* More products than one export page, written in small batches: every one
 * comes out, once, in the order it went in. */
SHOP_TEST(shopify_export_pages)
{
    fixture_t fx;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "pages");
    if (db == NULL)
        return;
    const int n = 2 * SHOPIFY_EXPORT_PAGE + 51;
    buf_t csv = BUF_INIT;
    buf_puts(&csv, "Handle,Title,Variant SKU,Variant Price\n");
    for (int i = 1; i <= n; i++)
        buf_printf(&csv, "p-%04d,P %d,P-%d,%d.%02d\n", i, i, i, i, i % 100);
    const char *p = shop_write_tmp("pages.csv", csv.data, csv.len);
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, p, 7, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, n);
    char path[300];
    uint64_t written = 0;
    BCHECK_INT(export_to(db, "pages-out.csv", path, &written), 0);
    BCHECK_INT(written, n);
    size_t len;
    char *out = shop_read_all(path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out[i] == '\n';
    BCHECK_INT(lines, n + 1);
    BCHECK(strstr(out, "\np-0001,P 1,") != NULL);
    char *a = strstr(out, "\np-0200,"), *b = strstr(out, "\np-0201,"),
         *c = strstr(out, "\np-0451,");
    BCHECK(a && b && c && a < b && b < c);
    BCHECK_INT(shop_import(db, path, 0, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, n);
    free(out);
    buf_free(&csv);
    buf_free(&sink.text);
    shop_done(&fx);
}

/* One transaction per product (--batch 1): the same catalog, variant images
 * (saved twice) included. */
SHOP_TEST(shopify_batch_of_one)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "one");
    if (db == NULL)
        return;
    shopify_stats_t st;
    BCHECK_INT(shop_import(db, DATA "classic.csv", 1, &st, &sink, NULL), 0);
    BCHECK_INT(st.created, 5);
    product_t *p = shop_get(db, &a, "trail-jacket");
    BCHECK(p && p->nimages == 6 && p->nvariants == 6);
    if (p && p->nimages == 6 && p->nvariants == 6)
        BCHECK_STR(p->images[3].variant_public_id, p->variants[1].public_id);
    BCHECK_INT(shop_import(db, DATA "classic.csv", 1, &st, &sink, NULL), 0);
    BCHECK_INT(st.unchanged, 5);
    BCHECK_STR(buf_cstr(&sink.text), "");
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

/* Prices in the store currency: yen have no minor unit. */
SHOP_TEST(shopify_currency)
{
    fixture_t fx;
    arena_t a = ARENA_INIT;
    sink_t sink = SINK_INIT;
    db_t *db = shop_open(&fx, be, "yen");
    if (db == NULL)
        return;
    static const char rows[] = "Handle,Title,Variant Price,Variant Compare At Price\n"
                               "tea,Tea,500,650\nbad-yen,Bad,1.5,\n";
    const char *path = shop_write_tmp("yen.csv", rows, sizeof(rows) - 1);
    FILE *f = fopen(path, "rb");
    shopify_import_opts_t o = {.currency = "JPY", .report = shop_sink_report, .ud = &sink};
    shopify_stats_t st;
    BCHECK_INT(shopify_import(db, f, CSV_UTF8, &o, &st), 0);
    fclose(f);
    BCHECK_INT(st.created, 1);
    BCHECK_INT(st.rejected, 1);
    BCHECK_HAS(buf_cstr(&sink.text), "line 3: Variant Price: '1.5' has more decimals than JPY has");
    product_t *p = shop_get(db, &a, "tea");
    BCHECK(p && p->variants[0].price == 500 && p->variants[0].compare_at_price == 650);
    char out[300];
    snprintf(out, sizeof(out), "%s/yen-out.csv", test_tmpdir());
    f = fopen(out, "wb");
    BCHECK_INT(shopify_export(db, f, "JPY", NULL), 0);
    fclose(f);
    size_t len;
    char *text = shop_read_all(out, &len);
    BCHECK_HAS(text, ",500,650,");
    free(text);
    buf_free(&sink.text);
    arena_free(&a);
    shop_done(&fx);
}

/* What the importer's batches stand on: after a failed statement (which
 * aborts a PostgreSQL transaction), rolling back to a savepoint makes the
 * transaction usable again, and the work before the savepoint stays. */
SHOP_TEST(shopify_savepoint_after_error)
{
    fixture_t fx;
    db_t *db = shop_open(&fx, be, "savepoint");
    if (db == NULL)
        return;
    BCHECK_INT(db_exec(db, "CREATE TABLE sp_t (x INTEGER NOT NULL UNIQUE)", NULL, 0), 0);
    BCHECK_INT(db_savepoint(db, "outside"), SOUK_EINVAL);
    BCHECK_INT(db_begin(db, DB_TX_WRITE), 0);
    BCHECK(db_in_tx(db));
    const char *ins = "INSERT INTO sp_t (x) VALUES ($1)";
    BCHECK_INT(db_exec(db, ins, (db_param_t[]){DB_INT(1)}, 1), 1);
    BCHECK_INT(db_savepoint(db, "one"), 0);
    BCHECK_INT(db_exec(db, ins, (db_param_t[]){DB_INT(2)}, 1), 1);
    BCHECK(db_exec(db, ins, (db_param_t[]){DB_INT(1)}, 1) < 0); /* unique */
    BCHECK_INT(db_rollback_to(db, "one"), 0);
    BCHECK_INT(db_exec(db, ins, (db_param_t[]){DB_INT(3)}, 1), 1);
    BCHECK_INT(db_savepoint(db, "two"), 0);
    BCHECK_INT(db_exec(db, ins, (db_param_t[]){DB_INT(4)}, 1), 1);
    BCHECK_INT(db_release(db, "two"), 0);
    BCHECK_INT(db_commit(db), 0);
    int64_t n = 0, sum = 0;
    BCHECK_INT(db_query_int(db, "SELECT count(*) FROM sp_t", NULL, 0, &n), 0);
    BCHECK_INT(db_query_int(db, "SELECT sum(x) FROM sp_t", NULL, 0, &sum), 0);
    BCHECK_INT(n, 3); /* 1, 3, 4: the 2 went with the savepoint */
    BCHECK_INT(sum, 8);
    BCHECK_INT(db_bulk(db, true, 64), 0);
    BCHECK_INT(db_bulk(db, false, 64), 0);
    shop_done(&fx);
}

/* Products a search for q finds, drafts included. */
static int64_t found(db_t *db, arena_t *a, const char *q)
{
    catalog_query_t cq = {
        .q = q, .include_unpublished = true, .limit = 10, .price_min = -1, .price_max = -1};
    catalog_page_t pg;
    return catalog_search(db, a, &cq, &pg) == 0 ? pg.total : -1;
}

/* The search entries of a batch are written at its commit: every product
 * stored is found, in batches of 3, of 1 and the default, the last batch
 * short; a refused one is not; an update's new words replace the old. */
SHOP_TEST(shopify_import_indexes_batches)
{
    static const char rows[] = "Handle,Title,Variant SKU,Variant Price\n"
                               "b1,Amber Lamp,LAMP-1,1\nb2,Amber Vase,VASE-2,2\n"
                               "b3,Amber Bowl,BOWL-3,3\nb4,Amber Cup,CUP-4,4\n"
                               "b5,Amber Plate,LAMP-1,5\nb6,Amber Jug,JUG-6,6\n"
                               "b7,Amber Tray,TRAY-7,7\n";
    const size_t batches[] = {3, 1, 0};
    for (size_t k = 0; k < 3; k++) {
        fixture_t fx;
        arena_t a = ARENA_INIT;
        sink_t sink = SINK_INIT;
        db_t *db = shop_open(&fx, be, "indexes");
        if (db == NULL)
            return;
        const char *p = shop_write_tmp("index.csv", rows, sizeof(rows) - 1);
        shopify_stats_t st;
        BCHECK_INT(shop_import(db, p, batches[k], &st, &sink, NULL), 0);
        BCHECK_INT(st.created, 6);
        BCHECK_INT(st.rejected, 1);
        BCHECK_INT(found(db, &a, "amber"), 6);
        BCHECK_INT(found(db, &a, "plate"), 0);
        BCHECK_INT(found(db, &a, "TRAY-7"), 1);
        BCHECK_INT(found(db, &a, "LAMP-1"), 1);

        size_t len;
        char *text = shop_read_all(p, &len);
        char *at = strstr(text, "Amber Jug");
        BCHECK(at != NULL);
        if (at)
            memcpy(at, "Coral Jug", 9);
        p = shop_write_tmp("index-changed.csv", text, len);
        BCHECK_INT(shop_import(db, p, batches[k], &st, &sink, NULL), 0);
        BCHECK_INT(st.updated, 1);
        BCHECK_INT(st.unchanged, 5);
        BCHECK_INT(found(db, &a, "amber"), 5);
        BCHECK_INT(found(db, &a, "coral"), 1);
        free(text);
        buf_free(&sink.text);
        arena_free(&a);
        shop_done(&fx);
    }
}
