/* catalog_page.c - the products of a listing or search page, once
 * catalog_search.c has found their ids: each one's summary (no description,
 * variants or images) with its first image and its best on-sale variant's
 * prices, which the product row keeps (migration 0007), in one statement. */
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

/* Columns 0..11, then the first image 12..17, then the sale 18..19. */
#define PAGE_COLS                                                                                  \
    "p.id, p.public_id, p.handle, p.title, p.vendor, p.product_type, p.status, p.price_min, "      \
    "p.price_max, p.available, "
#define CARD_COLS                                                                                  \
    ", p.first_image_public_id, p.first_image_src, p.first_image_alt, p.first_image_width, "       \
    "p.first_image_height, p.first_image_position, p.sale_compare_at_price, p.sale_price"

void catalog_ids_param(buf_t *b, bool pg, const int64_t *ids, size_t n)
{
    char num[24];
    buf_putc(b, pg ? '{' : '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        buf_append(b, num, fmt_i64(ids[i], num));
    }
    buf_putc(b, pg ? '}' : ']');
}

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
    v->cost = -1;
    it->variants = v;
    it->nvariants = 1;
}

/* A card's columns: the same places as PAGE_COLS for what both read. */
#define CARDS_ONLY_COLS                                                                            \
    "p.id, NULL, p.handle, p.title, p.vendor, NULL, NULL, p.price_min, p.price_max, p.available, " \
    "NULL, NULL"

int catalog_page_summaries(db_t *db, arena_t *a, bool pg, bool cards, const int64_t *ids, size_t n,
                           catalog_page_t *out)
{
    if (n == 0)
        return 0;
    buf_t b = BUF_INIT;
    catalog_ids_param(&b, pg, ids, n);
    db_param_t p[] = {DB_TEXTN(b.data, b.len)};
    db_rows_t *r;
    const char *sql;
    if (cards)
        sql = pg ? "SELECT " CARDS_ONLY_COLS CARD_COLS " FROM products p WHERE p.id = ANY "
                   "($1::bigint[])"
                 : "SELECT " CARDS_ONLY_COLS CARD_COLS
                   " FROM json_each($1) j CROSS JOIN products p ON p.id = j.value";
    else
        sql = pg ? "SELECT " PAGE_COLS CATALOG_PG_TS("p.created_at") ", " CATALOG_PG_TS(
                       "p.updated_at") CARD_COLS " FROM products p WHERE p.id = ANY ($1::bigint[])"
                 : "SELECT " PAGE_COLS "p.created_at, p.updated_at" CARD_COLS
                   " FROM json_each($1) j CROSS JOIN products p ON p.id = j.value";
    int rc = db_query(db, sql, p, 1, &r);
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
        it->handle = catalog_col_str(a, r, 2);
        it->title = catalog_col_str(a, r, 3);
        it->vendor = catalog_col_str(a, r, 4);
        it->price_min = db_rows_int(r, 7);
        it->price_max = db_rows_int(r, 8);
        it->available = db_rows_int(r, 9) != 0;
        if (cards) {
            it->status = PRODUCT_ACTIVE;
        } else {
            it->public_id = catalog_col_str(a, r, 1);
            it->product_type = catalog_col_str(a, r, 5);
            if (product_status_parse(db_rows_text(r, 6, NULL), &it->status) < 0)
                it->status = PRODUCT_DRAFT;
            it->created_at = catalog_col_str(a, r, 10);
            it->updated_at = catalog_col_str(a, r, 11);
        }
        if (!db_rows_isnull(r, 12))
            read_image(a, r, 12, it);
        if (!db_rows_isnull(r, 18))
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
