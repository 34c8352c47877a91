/* catalog_repo.c - the SQL of products: save (one write transaction for the
 * product, its tags, variants and images and its search entry, unless a bulk
 * writer defers that entry to its commit), get by handle or public id, walk
 * by id, delete; and the handle allocation collections share.
 * The rules are catalog.c's: catalog_product_prepare() runs before any SQL. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_int.h"

/* ---- helpers ---- */

static db_param_t opt_text(const char *s)
{
    return s ? DB_TEXT(s) : DB_NULL;
}

static db_param_t opt_amount(int64_t v)
{
    return v < 0 ? DB_NULL : DB_INT(v);
}

/* Run sql, an INSERT of one row, and set *id to the row's id. sql ends
 * without RETURNING: on PostgreSQL " RETURNING id" is added; on SQLite the
 * connection's last rowid is read instead, because SQLite gathers RETURNING
 * rows in a temporary b-tree opened and freed by every execution, which cost
 * more than the insert itself in a bulk import. */
static int insert_row(db_t *db, const char *sql, const char *sql_returning, const db_param_t *p,
                      int n, int64_t *id)
{
    if (db_dialect(db) == DB_POSTGRES)
        return db_query_int(db, sql_returning, p, n, id);
    int64_t ch = db_exec(db, sql, p, n);
    if (ch < 0)
        return (int)ch;
    ASSERT(ch == 1);
    return db_query_int(db, "SELECT last_insert_rowid()", NULL, 0, id);
}

/* Both texts insert_row() takes, from one literal. */
#define INSERT_SQL(s) s, s " RETURNING id"

const char *catalog_col_str(arena_t *a, db_rows_t *r, int col)
{
    size_t len;
    const char *s = db_rows_text(r, col, &len);
    return arena_strndup(a, s, len);
}

static const char *col_opt(arena_t *a, db_rows_t *r, int col)
{
    return db_rows_isnull(r, col) ? NULL : catalog_col_str(a, r, col);
}

/* Make room for one more element of an arena array. */
static void *grow(arena_t *a, void *arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? st_mult(*cap, 2) : 8;
    void *bigger = arena_alloc(a, st_mult(ncap, elem));
    if (n)
        memcpy(bigger, arr, st_mult(n, elem));
    *cap = ncap;
    return bigger;
}

static int tag_cmp(const void *x, const void *y)
{
    return catalog_text_cmp(*(const char *const *)x, *(const char *const *)y);
}

int catalog_product_resolve(db_t *db, const char *handle_or_id, int64_t *id)
{
    if (handle_or_id == NULL || handle_or_id[0] == '\0')
        return SOUK_ENOTFOUND;
    db_param_t p[] = {DB_TEXT(handle_or_id)};
    return db_query_int(db, "SELECT id FROM products WHERE handle = $1 OR public_id = $1", p, 1,
                        id);
}

#define CATALOG_SAVEPOINT "souk_catalog"

int catalog_tx_begin(db_t *db, bool *nested)
{
    *nested = db_in_tx(db);
    return *nested ? db_savepoint(db, CATALOG_SAVEPOINT) : db_begin(db, DB_TX_WRITE);
}

int catalog_tx_end(db_t *db, bool nested, int rc)
{
    if (rc == 0)
        return nested ? db_release(db, CATALOG_SAVEPOINT) : db_commit(db);
    if (nested)
        db_rollback_to(db, CATALOG_SAVEPOINT); /* a failure here leaves the caller's tx failed */
    else
        db_rollback(db);
    return rc;
}

/* ---- handles ---- */

static int handle_taken(db_t *db, bool collections, const char *h, int64_t self, bool *taken)
{
    const char *sql = collections
                          ? "SELECT count(*) FROM collections WHERE handle = $1 AND id <> $2"
                          : "SELECT count(*) FROM products WHERE handle = $1 AND id <> $2";
    db_param_t p[] = {DB_TEXT(h), DB_INT(self)};
    int64_t n = 0;
    int rc = db_query_int(db, sql, p, 2, &n);
    *taken = n > 0;
    return rc;
}

int catalog_pick_handle(db_t *db, arena_t *a, bool collections, int64_t self_id, const char *given,
                        const char *current, const char *title, const char **out,
                        catalog_errors_t *errs)
{
    bool taken;
    int rc;
    if (given && given[0]) {
        if ((rc = handle_taken(db, collections, given, self_id, &taken)) < 0)
            return rc;
        if (taken) {
            catalog_err(errs, "handle", "is already taken");
            return SOUK_ECONFLICT;
        }
        *out = given;
        return 0;
    }
    if (current && current[0]) {
        *out = current;
        return 0;
    }
    const char *base = catalog_slugify(a, title);
    for (int k = 1; k <= CATALOG_HANDLE_ATTEMPTS + 1; k++) {
        const char *cand = base;
        if (k > CATALOG_HANDLE_ATTEMPTS) /* a crowded title: a random suffix */
            cand = catalog_handle_suffixed(a, base, catalog_new_public_id(a, "") + 12 /* random */);
        else if (k > 1)
            cand = catalog_handle_suffixed(a, base, catalog_fieldf(a, "%d", k));
        if ((rc = handle_taken(db, collections, cand, self_id, &taken)) < 0)
            return rc;
        if (!taken) {
            *out = cand;
            return 0;
        }
    }
    catalog_err(errs, "handle", "could not find a free handle");
    return SOUK_ECONFLICT;
}

/* ---- save ---- */

typedef struct {
    int64_t id;
    const char *public_id;
    bool kept;
} stored_t;

/* The (id, public_id) rows of sql for one product, in the arena. */
static int load_stored(db_t *db, arena_t *a, const char *sql, int64_t product_id, stored_t **out,
                       size_t *n)
{
    db_rows_t *r;
    db_param_t p[] = {DB_INT(product_id)};
    int rc = db_query(db, sql, p, 1, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while (db_rows_next(r)) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        (*out)[*n] = (stored_t){db_rows_int(r, 0), catalog_col_str(a, r, 1), false};
        (*n)++;
    }
    return db_rows_end(r);
}

/* Match each given public id with a stored row of this product; an unknown
 * one is an error naming the field. Sets ids[i] (0: new). */
static int match_stored(arena_t *a, const char *what, const char *const *pubs, size_t n,
                        stored_t *st, size_t nst, int64_t *ids, catalog_errors_t *errs)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = 0;
        if (pubs[i] == NULL)
            continue;
        for (size_t k = 0; k < nst && ids[i] == 0; k++) {
            if (strcmp(st[k].public_id, pubs[i]) == 0) {
                ids[i] = st[k].id;
                st[k].kept = true;
            }
        }
        if (ids[i] == 0) {
            catalog_err(errs, catalog_fieldf(a, "%s[%zu].public_id", what, i),
                        strcmp(what, "variants") == 0 ? "is not a variant of this product"
                                                      : "is not an image of this product");
            rc = SOUK_EINVAL;
        }
    }
    return rc;
}

static int delete_unkept(db_t *db, const char *sql, const stored_t *st, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (st[k].kept)
            continue;
        db_param_t p[] = {DB_INT(st[k].id)};
        int64_t rc = db_exec(db, sql, p, 1);
        if (rc < 0)
            return (int)rc;
    }
    return 0;
}

/* The products.tags of n: its tags joined by CATALOG_TAG_SEP. Written with
 * the row, the triggers of migration 0005 then find each tag there and leave
 * the row alone. */
static const char *joined_tags(arena_t *a, const product_t *n)
{
    size_t len = 0;
    for (size_t i = 0; i < n->ntags; i++)
        len = st_add(len, st_add(strlen(n->tags[i]), 1));
    char *s = arena_alloc(a, st_add(len, 1)), *w = s;
    for (size_t i = 0; i < n->ntags; i++) {
        size_t k = strlen(n->tags[i]);
        if (i)
            *w++ = CATALOG_TAG_SEP;
        memcpy(w, n->tags[i], k);
        w += k;
    }
    *w = '\0';
    return s;
}

/* What a listing card shows beyond the product (migration 0007): the first
 * image and the best on-sale variant, NULL when none. */
typedef struct {
    const image_t *image;
    const variant_t *sale;
} card_t;

/* The card of n as catalog_product_prepare() left it: positions are the
 * order saved, so the first image is the first one, and among variants on
 * sale at the same lowest compare-at price the first wins, as the lowest
 * position does in migration 0007's backfill. */
static card_t card_of(const product_t *n)
{
    card_t c = {n->nimages ? &n->images[0] : NULL, NULL};
    for (size_t i = 0; i < n->nvariants; i++) {
        const variant_t *v = &n->variants[i];
        if (v->compare_at_price > v->price &&
            (c.sale == NULL || v->compare_at_price < c.sale->compare_at_price))
            c.sale = v;
    }
    return c;
}

static int write_product(db_t *db, arena_t *a, product_t *n, const card_t *card, const char *now)
{
    const image_t *im = card->image;
    const variant_t *sale = card->sale;
    /* The card's columns at $17..$24, so that an update binds $1..$24 and
     * an insert (no id: every number one less) all but the id. */
    db_param_t p[] = {
        DB_INT(n->id),
        DB_TEXT(n->handle),
        DB_TEXT(n->title),
        DB_TEXT(n->body_html),
        DB_TEXT(n->vendor),
        DB_TEXT(n->product_type),
        DB_TEXT(product_status_name(n->status)),
        DB_TEXT(n->seo_title),
        DB_TEXT(n->seo_description),
        opt_text(n->option_names[0]),
        opt_text(n->option_names[1]),
        opt_text(n->option_names[2]),
        DB_INT(n->price_min),
        DB_INT(n->price_max),
        DB_INT(n->available ? 1 : 0),
        DB_TEXT(now),
        im ? DB_TEXT(im->public_id) : DB_NULL,
        im ? DB_TEXT(im->src) : DB_NULL,
        im ? DB_TEXT(im->alt) : DB_NULL,
        im && im->width ? DB_INT(im->width) : DB_NULL,
        im && im->height ? DB_INT(im->height) : DB_NULL,
        im ? DB_INT(im->position) : DB_NULL,
        sale ? DB_INT(sale->compare_at_price) : DB_NULL,
        sale ? DB_INT(sale->price) : DB_NULL,
        DB_TEXT(n->public_id),
        DB_TEXT(joined_tags(a, n)),
    };
#define CARD_COLS                                                                                  \
    "first_image_public_id, first_image_src, first_image_alt, first_image_width, "                 \
    "first_image_height, first_image_position, sale_compare_at_price, sale_price"
    /* An update leaves tags to the triggers: its tag rows are replaced after. */
    if (n->id)
        return (int)db_exec(db,
                            "UPDATE products SET handle = $2, title = $3, body_html = $4, "
                            "vendor = $5, product_type = $6, status = $7, seo_title = $8, "
                            "seo_description = $9, option1_name = $10, option2_name = $11, "
                            "option3_name = $12, price_min = $13, price_max = $14, "
                            "available = $15, updated_at = $16, (" CARD_COLS ") = ($17, $18, "
                            "$19, $20, $21, $22, $23, $24) WHERE id = $1",
                            p, 24);
    return insert_row(db,
                      INSERT_SQL("INSERT INTO products (handle, title, body_html, vendor, "
                                 "product_type, status, seo_title, seo_description, option1_name, "
                                 "option2_name, option3_name, price_min, price_max, available, "
                                 "created_at, updated_at, " CARD_COLS ", public_id, tags) VALUES "
                                 "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                                 "$15, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"),
                      p + 1, ARRAY_LEN(p) - 1, &n->id);
#undef CARD_COLS
}

static int write_variant(db_t *db, int64_t product_id, variant_t *v, const char *now)
{
    db_param_t p[] = {
        DB_INT(v->id),
        DB_INT(v->position),
        opt_text(v->sku),
        opt_text(v->options[0]),
        opt_text(v->options[1]),
        opt_text(v->options[2]),
        DB_INT(v->price),
        opt_amount(v->compare_at_price),
        opt_amount(v->cost),
        DB_INT(v->weight_grams),
        DB_TEXT(weight_unit_name(v->weight_unit)),
        opt_text(v->barcode),
        DB_INT(v->requires_shipping ? 1 : 0),
        DB_INT(v->taxable ? 1 : 0),
        DB_INT(v->inventory_quantity),
        DB_TEXT(v->inventory_policy == INVENTORY_CONTINUE ? "continue" : "deny"),
        DB_TEXT(now),
        DB_INT(product_id),
        DB_TEXT(v->public_id),
    };
    if (v->id)
        return (int)db_exec(db,
                            "UPDATE variants SET position = $2, sku = $3, option1 = $4, "
                            "option2 = $5, option3 = $6, price = $7, compare_at_price = $8, "
                            "cost = $9, weight_grams = $10, weight_unit = $11, barcode = $12, "
                            "requires_shipping = $13, taxable = $14, inventory_quantity = $15, "
                            "inventory_policy = $16, updated_at = $17 "
                            "WHERE id = $1 AND product_id = $18",
                            p, 18);
    return insert_row(db,
                      INSERT_SQL("INSERT INTO variants (position, sku, option1, option2, option3, "
                                 "price, compare_at_price, cost, weight_grams, weight_unit, "
                                 "barcode, requires_shipping, taxable, inventory_quantity, "
                                 "inventory_policy, created_at, updated_at, product_id, public_id) "
                                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                                 "$14, $15, $16, $16, $17, $18)"),
                      p + 1, 18, &v->id);
}

static int write_image(db_t *db, int64_t product_id, image_t *im, int64_t variant_id,
                       const char *now)
{
    db_param_t p[] = {
        DB_INT(im->id),
        variant_id ? DB_INT(variant_id) : DB_NULL,
        DB_INT(im->position),
        DB_TEXT(im->src),
        DB_TEXT(im->alt),
        im->width ? DB_INT(im->width) : DB_NULL,
        im->height ? DB_INT(im->height) : DB_NULL,
        DB_INT(product_id),
        DB_TEXT(im->public_id),
        DB_TEXT(now),
    };
    if (im->id)
        return (int)db_exec(db,
                            "UPDATE images SET variant_id = $2, position = $3, src = $4, "
                            "alt = $5, width = $6, height = $7 WHERE id = $1 AND product_id = $8",
                            p, 8);
    return insert_row(db,
                      INSERT_SQL("INSERT INTO images (variant_id, position, src, alt, width, "
                                 "height, product_id, public_id, created_at) VALUES ($1, $2, $3, "
                                 "$4, $5, $6, $7, $8, $9)"),
                      p + 1, 9, &im->id);
}

/* SKUs that another product's variant holds: ECONFLICT naming each. */
static int check_skus(db_t *db, arena_t *a, const product_t *n, catalog_errors_t *errs)
{
    int rc = 0;
    for (size_t i = 0; i < n->nvariants; i++) {
        if (n->variants[i].sku == NULL)
            continue;
        db_param_t p[] = {DB_TEXT(n->variants[i].sku), DB_INT(n->id)};
        int64_t c = 0;
        int qrc = db_query_int(
            db, "SELECT count(*) FROM variants WHERE sku = $1 AND product_id <> $2", p, 2, &c);
        if (qrc < 0)
            return qrc;
        if (c > 0) {
            catalog_err(errs, catalog_fieldf(a, "variants[%zu].sku", i),
                        "is already used by another product");
            rc = SOUK_ECONFLICT;
        }
    }
    return rc;
}

/* The stored row of an existing product, locked for this transaction (the
 * first statement writes it), with what an update keeps. */
static int lock_existing(db_t *db, arena_t *a, product_t *n, const char *now, const char **current)
{
    db_param_t p[] = {DB_INT(n->id), DB_TEXT(now)};
    int64_t ch = db_exec(db, "UPDATE products SET updated_at = $2 WHERE id = $1", p, 2);
    if (ch < 0)
        return (int)ch;
    if (ch == 0)
        return SOUK_ENOTFOUND;
    const char *sql = db_dialect(db) == DB_POSTGRES
                          ? "SELECT public_id, handle, " CATALOG_PG_TS(
                                "created_at") " FROM products WHERE id = $1"
                          : "SELECT public_id, handle, created_at FROM products WHERE id = $1";
    db_rows_t *r;
    int rc = db_query(db, sql, p, 1, &r);
    if (rc < 0)
        return rc;
    if (db_rows_next(r)) {
        n->public_id = catalog_col_str(a, r, 0);
        *current = catalog_col_str(a, r, 1);
        n->created_at = catalog_col_str(a, r, 2);
    }
    return db_rows_end(r);
}

/* Everything after validation, inside the transaction. *sku_taken: the
 * failure is a variant's SKU held by another product. */
static int save_tx(db_t *db, arena_t *a, product_t *n, const char *now, unsigned flags,
                   bool *sku_taken, catalog_errors_t *errs)
{
    int rc;
    stored_t *sv = NULL, *si = NULL;
    size_t nsv = 0, nsi = 0;
    const char **vpubs = arena_alloc(a, (n->nvariants + 1) * sizeof(*vpubs));
    const char **ipubs = arena_alloc(a, (n->nimages + 1) * sizeof(*ipubs));
    int64_t *vids = arena_alloc(a, (n->nvariants + 1) * sizeof(*vids));
    int64_t *iids = arena_alloc(a, (n->nimages + 1) * sizeof(*iids));
    for (size_t i = 0; i < n->nvariants; i++)
        vpubs[i] = n->variants[i].public_id;
    for (size_t i = 0; i < n->nimages; i++)
        ipubs[i] = n->images[i].public_id;

    /* A create gets a fresh id, and deleting a product cascades to its tags
     * and variants: nothing can be stored under the new id yet, so a create
     * skips every clean-up of old rows below. */
    bool create = n->id == 0;
    const char *current = NULL;
    if (!create) {
        if ((rc = lock_existing(db, a, n, now, &current)) < 0)
            return rc;
        if ((rc = load_stored(db, a, "SELECT id, public_id FROM variants WHERE product_id = $1",
                              n->id, &sv, &nsv)) < 0 ||
            (rc = load_stored(db, a, "SELECT id, public_id FROM images WHERE product_id = $1",
                              n->id, &si, &nsi)) < 0)
            return rc;
    } else {
        n->public_id = catalog_new_public_id(a, "prod_");
        n->created_at = now;
    }
    int mv = match_stored(a, "variants", vpubs, n->nvariants, sv, nsv, vids, errs);
    int mi = match_stored(a, "images", ipubs, n->nimages, si, nsi, iids, errs);
    if (mv < 0 || mi < 0)
        return SOUK_EINVAL;
    /* A handle the caller has just found free is not looked up again; the
     * insert's ECONFLICT below covers one taken since. */
    if (!((flags & CATALOG_SAVE_NEW) && n->handle[0]) &&
        (rc = catalog_pick_handle(db, a, false, n->id, n->handle, current, n->title, &n->handle,
                                  errs)) < 0)
        return rc;
    n->updated_at = now;
    for (size_t i = 0; i < n->nimages; i++)
        if (iids[i] == 0)
            n->images[i].public_id = catalog_new_public_id(a, "img_");
    card_t card = card_of(n);
    if ((rc = write_product(db, a, n, &card, now)) < 0) {
        if (rc == SOUK_ECONFLICT) /* a concurrent save took the handle */
            catalog_err(errs, "handle", "is already taken");
        return rc;
    }
    /* A new product's SKUs are left to the UNIQUE constraint: the rare
     * conflict is spelled out after the rollback (catalog_product_save_flags). */
    if (!(flags & CATALOG_SAVE_NEW) && (rc = check_skus(db, a, n, errs)) < 0)
        return rc;

    db_param_t pid[] = {DB_INT(n->id)};
    int64_t ex = create ? 0 : db_exec(db, "DELETE FROM product_tags WHERE product_id = $1", pid, 1);
    for (size_t i = 0; ex >= 0 && i < n->ntags; i++) {
        db_param_t p[] = {DB_INT(n->id), DB_TEXT(n->tags[i])};
        ex = db_exec(db, "INSERT INTO product_tags (product_id, tag) VALUES ($1, $2)", p, 2);
    }
    if (ex < 0)
        return (int)ex;

    /* Deleted variants go first and kept ones drop their SKUs, so that SKUs
     * can move between this product's variants in one save. */
    if (!create) {
        if ((rc = delete_unkept(db, "DELETE FROM variants WHERE id = $1", sv, nsv)) < 0 ||
            (rc = delete_unkept(db, "DELETE FROM images WHERE id = $1", si, nsi)) < 0)
            return rc;
        ex = db_exec(db, "UPDATE variants SET sku = NULL WHERE product_id = $1", pid, 1);
        if (ex < 0)
            return (int)ex;
    }
    for (size_t i = 0; i < n->nvariants; i++) {
        variant_t *v = &n->variants[i];
        v->id = vids[i];
        if (v->id == 0)
            v->public_id = catalog_new_public_id(a, "var_");
        if ((rc = write_variant(db, n->id, v, now)) < 0) {
            if (rc == SOUK_ECONFLICT && v->sku) {
                catalog_err(errs, catalog_fieldf(a, "variants[%zu].sku", i),
                            "is already used by another product");
                *sku_taken = true;
            }
            return rc;
        }
    }
    for (size_t i = 0; i < n->nimages; i++) {
        image_t *im = &n->images[i];
        int64_t variant_id = 0;
        for (size_t k = 0; im->variant_public_id && k < n->nvariants && !variant_id; k++) {
            if (vpubs[k] && strcmp(vpubs[k], im->variant_public_id) == 0)
                variant_id = n->variants[k].id;
        }
        im->id = iids[i];
        if ((rc = write_image(db, n->id, im, variant_id, now)) < 0)
            return rc;
    }
    return flags & CATALOG_SAVE_DEFER_INDEX ? 0 : catalog_index_product(db, n->id);
}

int catalog_product_save_flags(db_t *db, arena_t *a, product_t *p, unsigned flags,
                               catalog_errors_t *errs)
{
    ASSERT(!(flags & CATALOG_SAVE_DEFER_INDEX) || db_in_tx(db));
    ASSERT(!(flags & CATALOG_SAVE_NEW) || p->id == 0);
    catalog_errors_t scratch;
    if (errs == NULL)
        errs = &scratch;
    errs->n = 0;
    product_t n;
    int rc = catalog_product_prepare(a, p, &n, errs);
    if (rc < 0)
        return rc;
    if (n.id < 0)
        return SOUK_ENOTFOUND;
    char now[32];
    catalog_now(now);
    const char *now_s = arena_strdup(a, now);
    bool nested, sku_taken = false;
    if ((rc = catalog_tx_begin(db, &nested)) < 0)
        return rc;
    rc = catalog_tx_end(db, nested, save_tx(db, a, &n, now_s, flags, &sku_taken, errs));
    if (rc == SOUK_ECONFLICT && sku_taken && (flags & CATALOG_SAVE_NEW)) {
        /* The constraint stopped at the first taken SKU; name them all, as
         * the check a save without the flag makes first. Nothing is left of
         * the product (n.id names no row now), so every holder is another. */
        catalog_errors_t all = {.n = 0};
        n.id = 0;
        if (check_skus(db, a, &n, &all) == SOUK_ECONFLICT)
            *errs = all;
    }
    if (rc < 0)
        return rc;
    if (n.ntags > 1)
        qsort(n.tags, n.ntags, sizeof(*n.tags), tag_cmp);
    *p = n;
    return 0;
}

int catalog_product_save(db_t *db, arena_t *a, product_t *p, catalog_errors_t *errs)
{
    return catalog_product_save_flags(db, a, p, 0, errs);
}

/* ---- get ---- */

#define PRODUCT_COLS                                                                               \
    "id, public_id, handle, title, body_html, vendor, product_type, status, seo_title, "           \
    "seo_description, option1_name, option2_name, option3_name, price_min, price_max, available, "

static int get_tags(db_t *db, arena_t *a, product_t *p)
{
    db_rows_t *r;
    db_param_t pid[] = {DB_INT(p->id)};
    int rc = db_query(db, "SELECT tag FROM product_tags WHERE product_id = $1", pid, 1, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    while (db_rows_next(r)) {
        p->tags = grow(a, p->tags, &cap, p->ntags, sizeof(*p->tags));
        p->tags[p->ntags++] = catalog_col_str(a, r, 0);
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    if (p->ntags > 1)
        qsort(p->tags, p->ntags, sizeof(*p->tags), tag_cmp);
    return 0;
}

static int get_variants(db_t *db, arena_t *a, product_t *p)
{
    db_rows_t *r;
    db_param_t pid[] = {DB_INT(p->id)};
    int rc = db_query(db,
                      "SELECT id, public_id, position, sku, option1, option2, option3, price, "
                      "compare_at_price, cost, weight_grams, weight_unit, barcode, "
                      "requires_shipping, taxable, inventory_quantity, inventory_policy "
                      "FROM variants WHERE product_id = $1 ORDER BY position, id",
                      pid, 1, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    while (db_rows_next(r)) {
        p->variants = grow(a, p->variants, &cap, p->nvariants, sizeof(*p->variants));
        variant_t *v = &p->variants[p->nvariants++];
        memset(v, 0, sizeof(*v));
        v->id = db_rows_int(r, 0);
        v->public_id = catalog_col_str(a, r, 1);
        v->position = (int)db_rows_int(r, 2);
        v->sku = col_opt(a, r, 3);
        for (int k = 0; k < CATALOG_MAX_OPTIONS; k++)
            v->options[k] = col_opt(a, r, 4 + k);
        v->price = db_rows_int(r, 7);
        v->compare_at_price = db_rows_isnull(r, 8) ? -1 : db_rows_int(r, 8);
        v->cost = db_rows_isnull(r, 9) ? -1 : db_rows_int(r, 9);
        v->weight_grams = db_rows_int(r, 10);
        if (weight_unit_parse(db_rows_text(r, 11, NULL), &v->weight_unit) < 0)
            v->weight_unit = WEIGHT_KG;
        v->barcode = col_opt(a, r, 12);
        v->requires_shipping = db_rows_int(r, 13) != 0;
        v->taxable = db_rows_int(r, 14) != 0;
        v->inventory_quantity = db_rows_int(r, 15);
        v->inventory_policy = strcmp(db_rows_text(r, 16, NULL), "continue") == 0
                                  ? INVENTORY_CONTINUE
                                  : INVENTORY_DENY;
    }
    return db_rows_end(r);
}

static int get_images(db_t *db, arena_t *a, product_t *p)
{
    db_rows_t *r;
    db_param_t pid[] = {DB_INT(p->id)};
    int rc = db_query(db,
                      "SELECT i.id, i.public_id, i.position, i.src, i.alt, v.public_id, "
                      "i.width, i.height FROM images i LEFT JOIN variants v ON v.id = "
                      "i.variant_id WHERE i.product_id = $1 ORDER BY i.position, i.id",
                      pid, 1, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    while (db_rows_next(r)) {
        p->images = grow(a, p->images, &cap, p->nimages, sizeof(*p->images));
        image_t *im = &p->images[p->nimages++];
        memset(im, 0, sizeof(*im));
        im->id = db_rows_int(r, 0);
        im->public_id = catalog_col_str(a, r, 1);
        im->position = (int)db_rows_int(r, 2);
        im->src = catalog_col_str(a, r, 3);
        im->alt = catalog_col_str(a, r, 4);
        im->variant_public_id = col_opt(a, r, 5);
        im->width = (int)db_rows_int(r, 6);
        im->height = (int)db_rows_int(r, 7);
    }
    return db_rows_end(r);
}

int catalog_product_get(db_t *db, arena_t *a, const char *handle_or_id, product_t **out)
{
    if (handle_or_id == NULL || handle_or_id[0] == '\0')
        return SOUK_ENOTFOUND;
    const char *sql = db_dialect(db) == DB_POSTGRES
                          ? "SELECT " PRODUCT_COLS CATALOG_PG_TS("created_at") ", " CATALOG_PG_TS(
                                "updated_at") " FROM products WHERE handle = $1 OR public_id = $1"
                          : "SELECT " PRODUCT_COLS "created_at, updated_at FROM products "
                            "WHERE handle = $1 OR public_id = $1";
    db_rows_t *r;
    db_param_t key[] = {DB_TEXT(handle_or_id)};
    int rc = db_query(db, sql, key, 1, &r);
    if (rc < 0)
        return rc;
    product_t *p = arena_alloc(a, sizeof(*p));
    memset(p, 0, sizeof(*p));
    bool found = db_rows_next(r);
    if (found) {
        p->id = db_rows_int(r, 0);
        p->public_id = catalog_col_str(a, r, 1);
        p->handle = catalog_col_str(a, r, 2);
        p->title = catalog_col_str(a, r, 3);
        p->body_html = catalog_col_str(a, r, 4);
        p->vendor = catalog_col_str(a, r, 5);
        p->product_type = catalog_col_str(a, r, 6);
        if (product_status_parse(db_rows_text(r, 7, NULL), &p->status) < 0)
            p->status = PRODUCT_DRAFT;
        p->seo_title = catalog_col_str(a, r, 8);
        p->seo_description = catalog_col_str(a, r, 9);
        for (int k = 0; k < CATALOG_MAX_OPTIONS; k++)
            p->option_names[k] = col_opt(a, r, 10 + k);
        p->price_min = db_rows_int(r, 13);
        p->price_max = db_rows_int(r, 14);
        p->available = db_rows_int(r, 15) != 0;
        p->created_at = catalog_col_str(a, r, 16);
        p->updated_at = catalog_col_str(a, r, 17);
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    if (!found)
        return SOUK_ENOTFOUND;
    if ((rc = get_tags(db, a, p)) < 0 || (rc = get_variants(db, a, p)) < 0 ||
        (rc = get_images(db, a, p)) < 0)
        return rc;
    *out = p;
    return 0;
}

/* ---- walking every product ---- */

int catalog_product_ids_after(db_t *db, arena_t *a, int64_t after_id, size_t limit, int64_t **ids,
                              const char ***public_ids, size_t *n)
{
    *ids = NULL;
    if (public_ids)
        *public_ids = NULL;
    *n = 0;
    if (limit == 0 || limit > CATALOG_MAX_ID_PAGE)
        return SOUK_ERANGE;
    int64_t *out = arena_alloc(a, st_mult(limit, sizeof(*out)));
    const char **pubs = public_ids ? arena_alloc(a, st_mult(limit, sizeof(*pubs))) : NULL;
    db_rows_t *r;
    db_param_t p[] = {DB_INT(after_id), DB_INT((int64_t)limit)};
    int rc = db_query(db, "SELECT id, public_id FROM products WHERE id > $1 ORDER BY id LIMIT $2",
                      p, 2, &r);
    if (rc < 0)
        return rc;
    size_t k = 0;
    while (k < limit && db_rows_next(r)) {
        out[k] = db_rows_int(r, 0);
        if (pubs)
            pubs[k] = catalog_col_str(a, r, 1);
        k++;
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    *ids = out;
    if (public_ids)
        *public_ids = pubs;
    *n = k;
    return 0;
}

/* ---- delete ---- */

int catalog_product_delete(db_t *db, const char *handle_or_id)
{
    bool nested;
    int rc = catalog_tx_begin(db, &nested);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    if ((rc = catalog_product_resolve(db, handle_or_id, &id)) < 0)
        goto out;
    db_param_t p[] = {DB_INT(id)};
    /* Close the product's gap in every collection's manual order, holding
     * those collections as catalog_collection_add does (PostgreSQL). */
    int64_t ex = 0;
    if (db_dialect(db) == DB_POSTGRES)
        ex = db_exec(db,
                     "SELECT count(*) FROM (SELECT c.id FROM collections c JOIN "
                     "collection_products cp ON cp.collection_id = c.id WHERE cp.product_id = $1 "
                     "ORDER BY c.id FOR UPDATE OF c) locked",
                     p, 1);
    if (ex >= 0)
        ex = db_exec(db,
                     "UPDATE collection_products SET position = position - 1 "
                     "WHERE position > (SELECT cp.position FROM collection_products cp "
                     "WHERE cp.collection_id = collection_products.collection_id "
                     "AND cp.product_id = $1)",
                     p, 1);
    if (ex >= 0)
        ex = db_exec(db, "DELETE FROM products WHERE id = $1", p, 1);
    /* PostgreSQL's search vector is a column of the row; SQLite's FTS5 row is not. */
    if (ex >= 0 && db_dialect(db) == DB_SQLITE)
        ex = db_exec(db, "DELETE FROM products_fts WHERE rowid = $1", p, 1);
    if (ex < 0)
        rc = (int)ex;
out:
    return catalog_tx_end(db, nested, rc);
}
