/* catalog_page.c - the products of a listing or search page, once
 * catalog_search.c has found their ids: each one's summary (no description,
 * variants or images), its first image and its best on-sale variant. On
 * SQLite all three in one statement for the whole page (three statements
 * cost twice as much: each reads the id list again and probes every
 * product's row); on PostgreSQL one statement each, the summaries first. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/util.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_int.h"
#include "shop/catalog_search_int.h"

#define SUMMARY_COLS                                                                               \
    "p.id, p.public_id, p.handle, p.title, p.vendor, p.product_type, p.status, p.price_min, "      \
    "p.price_max, p.available, "

void catalog_ids_param(buf_t *b, bool pg, const int64_t *ids, size_t n)
{
    buf_putc(b, pg ? '{' : '[');
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%" PRId64, i ? "," : "", ids[i]);
    buf_putc(b, pg ? '}' : ']');
}

/* SQLite: the summaries, then columns 12.. the first image by position
 * (then id), 18.. the variant on sale with the lowest compare-at price;
 * each one index probe per product. The variant comes from min() and its
 * bare column, which SQLite takes from the first row holding the minimum in
 * the index's order, position then id, as PostgreSQL's DISTINCT ON orders
 * ties: an ORDER BY there would build a sorter per product, a third of the
 * statement's cost. */
#define SQLITE_PAGE_SQL                                                                            \
    "SELECT " SUMMARY_COLS "p.created_at, p.updated_at, "                                          \
    "i.public_id, i.src, i.alt, i.width, i.height, i.position, "                                   \
    "v.compare_at_price, v.price, v.public_id, v.position "                                        \
    "FROM json_each($1) j CROSS JOIN products p ON p.id = j.value "                                \
    "LEFT JOIN images i ON i.id = (SELECT x.id FROM images x WHERE x.product_id = p.id "           \
    "ORDER BY x.position, x.id LIMIT 1) "                                                          \
    "LEFT JOIN variants v ON v.id = (SELECT m.id FROM (SELECT y.id AS id, "                        \
    "min(y.compare_at_price) FROM variants y WHERE y.product_id = p.id "                           \
    "AND y.compare_at_price > y.price) m)"

static void read_image(arena_t *a, db_rows_t *r, int col, product_t *it)
{
    image_t *im = arena_alloc(a, sizeof(*im));
    memset(im, 0, sizeof(*im));
    im->public_id = catalog_col_str(a, r, col);
    im->src = catalog_col_str(a, r, col + 1);
    im->alt = catalog_col_str(a, r, col + 2);
    im->width = (int)db_rows_int(r, col + 3);
    im->height = (int)db_rows_int(r, col + 4);
    im->position = (int)db_rows_int(r, col + 5);
    it->images = im;
    it->nimages = 1;
}

static void read_sale(arena_t *a, db_rows_t *r, int col, product_t *it)
{
    variant_t *v = arena_alloc(a, sizeof(*v));
    memset(v, 0, sizeof(*v));
    v->compare_at_price = db_rows_int(r, col);
    v->price = db_rows_int(r, col + 1);
    v->public_id = catalog_col_str(a, r, col + 2);
    v->position = (int)db_rows_int(r, col + 3);
    v->cost = -1;
    it->variants = v;
    it->nvariants = 1;
}

int catalog_page_summaries(db_t *db, arena_t *a, bool pg, const int64_t *ids, size_t n,
                           catalog_page_t *out)
{
    if (n == 0)
        return 0;
    buf_t b = BUF_INIT;
    catalog_ids_param(&b, pg, ids, n);
    db_param_t p[] = {DB_TEXTN(b.data, b.len)};
    db_rows_t *r;
    int rc = db_query(db,
                      pg ? "SELECT " SUMMARY_COLS CATALOG_PG_TS("p.created_at") ", " CATALOG_PG_TS(
                               "p.updated_at") " FROM products p WHERE p.id = ANY ($1::bigint[])"
                         : SQLITE_PAGE_SQL,
                      p, 1, &r);
    if (rc < 0)
        goto out;
    out->items = arena_alloc(a, st_mult(n, sizeof(product_t)));
    memset(out->items, 0, n * sizeof(product_t));
    while (db_rows_next(r)) {
        int64_t id = db_rows_int(r, 0);
        size_t i = 0;
        while (i < n && ids[i] != id)
            i++;
        if (i == n)
            continue;
        product_t *it = &out->items[i];
        it->id = id;
        it->public_id = catalog_col_str(a, r, 1);
        it->handle = catalog_col_str(a, r, 2);
        it->title = catalog_col_str(a, r, 3);
        it->vendor = catalog_col_str(a, r, 4);
        it->product_type = catalog_col_str(a, r, 5);
        if (product_status_parse(db_rows_text(r, 6, NULL), &it->status) < 0)
            it->status = PRODUCT_DRAFT;
        it->price_min = db_rows_int(r, 7);
        it->price_max = db_rows_int(r, 8);
        it->available = db_rows_int(r, 9) != 0;
        it->created_at = catalog_col_str(a, r, 10);
        it->updated_at = catalog_col_str(a, r, 11);
        if (!pg && !db_rows_isnull(r, 12))
            read_image(a, r, 12, it);
        if (!pg && !db_rows_isnull(r, 18))
            read_sale(a, r, 18, it);
    }
    if ((rc = db_rows_end(r)) < 0)
        goto out;
    /* A product deleted between the two steps leaves no hole. */
    for (size_t i = 0; i < n; i++)
        if (out->items[i].id)
            out->items[out->n++] = out->items[i];
out:
    buf_free(&b);
    return rc;
}

static product_t *item_by_id(catalog_page_t *pg, int64_t id)
{
    for (size_t i = 0; i < pg->n; i++)
        if (pg->items[i].id == id)
            return &pg->items[i];
    return NULL;
}

int catalog_page_extras(db_t *db, arena_t *a, bool pg, catalog_page_t *out)
{
    if (out->n == 0 || !pg)
        return 0; /* SQLite: read with the summaries */
    buf_t ids = BUF_INIT;
    int64_t *idv = xmalloc(st_mult(out->n, sizeof(int64_t)));
    for (size_t i = 0; i < out->n; i++)
        idv[i] = out->items[i].id;
    catalog_ids_param(&ids, pg, idv, out->n);
    free(idv);
    db_param_t p[] = {DB_TEXTN(ids.data, ids.len)};
    db_rows_t *r;
    int rc = db_query(db,
                      "SELECT i.product_id, i.public_id, i.src, i.alt, i.width, i.height, "
                      "i.position FROM images i WHERE i.product_id = ANY ($1::bigint[]) AND "
                      "i.position = (SELECT min(position) FROM images WHERE product_id = "
                      "i.product_id) ORDER BY i.id",
                      p, 1, &r);
    if (rc < 0)
        goto out;
    while (db_rows_next(r)) {
        product_t *it = item_by_id(out, db_rows_int(r, 0));
        if (it != NULL && it->nimages == 0)
            read_image(a, r, 1, it);
    }
    if ((rc = db_rows_end(r)) < 0)
        goto out;
    rc = db_query(db,
                  "SELECT DISTINCT ON (v.product_id) v.product_id, v.compare_at_price, v.price, "
                  "v.public_id, v.position FROM variants v WHERE v.product_id = ANY "
                  "($1::bigint[]) AND v.compare_at_price > v.price "
                  "ORDER BY v.product_id, v.compare_at_price, v.position, v.id",
                  p, 1, &r);
    if (rc < 0)
        goto out;
    while (db_rows_next(r)) {
        product_t *it = item_by_id(out, db_rows_int(r, 0));
        if (it != NULL)
            read_sale(a, r, 1, it);
    }
    rc = db_rows_end(r);
out:
    buf_free(&ids);
    return rc;
}
