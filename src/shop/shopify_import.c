/* shopify_import.c - the import loop: read records, group them by handle,
 * and store each finished product unless it equals what is stored.
 *
 * Writes go in batches (one transaction per opts->batch products) because a
 * commit per product costs a WAL write of every page it touched; inside a
 * batch each save runs under a savepoint (the catalog's), so a product the
 * catalog turns down is undone alone and the batch goes on. The search
 * entries of a batch are written together just before its commit. A product
 * is compared with the stored one first: an equal one is "unchanged", costs
 * one read and takes no write lock; one whose handle is not stored is saved
 * as new, without the look-ups only an update needs. */
#include "shop/shopify_csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/sanitize.h"
#include "core/util.h"
#include "shop/shopify_int.h"

#define SAVEPOINT "shopify_product"

/* The handles already seen, as 64-bit fingerprints in an open-addressing table
 * (0 marks a free slot): 16 bytes per product at most, to tell a handle whose
 * rows are split across the file. A false match needs two handles with the
 * same 64-bit hash: about 1 in 10^7 for 10^6 products. */
typedef struct {
    uint64_t *slot;
    size_t cap, n;
} handle_set_t;

static uint64_t handle_hash(const char *s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    h ^= h >> 33; /* murmur3's finalizer spreads FNV's weak low bits */
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h ? h : 1;
}

/* Add s; false if it was there already. */
static bool handle_set_add(handle_set_t *set, const char *s)
{
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 1024;
        uint64_t *slot = xcalloc(cap, sizeof(*slot));
        for (size_t i = 0; i < set->cap; i++) {
            if (set->slot[i] == 0)
                continue;
            size_t j = set->slot[i] & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = set->slot[i];
        }
        free(set->slot);
        set->slot = slot;
        set->cap = cap;
    }
    uint64_t h = handle_hash(s);
    size_t j = h & (set->cap - 1);
    while (set->slot[j]) {
        if (set->slot[j] == h)
            return false;
        j = (j + 1) & (set->cap - 1);
    }
    set->slot[j] = h;
    set->n++;
    return true;
}

typedef struct {
    db_t *db;
    shopify_ctx_t c;
    shopify_stats_t *st;
    const shopify_import_opts_t *opts;
    shopify_product_t *sp;
    handle_set_t seen;
    size_t batch, in_batch;
    bool in_tx;
    /* The products the open batch wrote, to index just before its commit
     * (CATALOG_SAVE_DEFER_INDEX). */
    int64_t *unindexed;
    size_t nunindexed, unindexed_cap;
    buf_t body; /* the sanitized description, for comparing */
} importer_t;

/* ---- comparing with what is stored ---- */

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool tags_eq(arena_t *a, const product_t *x, const product_t *y)
{
    if (x->ntags != y->ntags)
        return false;
    if (x->ntags == 0)
        return true;
    size_t n = x->ntags;
    const char **tx = arena_alloc(a, n * sizeof(*tx)), **ty = arena_alloc(a, n * sizeof(*ty));
    memcpy(tx, x->tags, n * sizeof(*tx));
    memcpy(ty, y->tags, n * sizeof(*ty));
    qsort(tx, n, sizeof(*tx), cmp_str);
    qsort(ty, n, sizeof(*ty), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (strcmp(tx[i], ty[i]) != 0)
            return false;
    return true;
}

static bool variant_eq(const variant_t *o, const variant_t *n)
{
    for (size_t i = 0; i < CATALOG_MAX_OPTIONS; i++)
        if (!str_eq(o->options[i], n->options[i]))
            return false;
    return o->id == n->id && str_eq(o->sku, n->sku) && o->price == n->price &&
           o->compare_at_price == n->compare_at_price && o->cost == n->cost &&
           o->weight_grams == n->weight_grams && o->weight_unit == n->weight_unit &&
           str_eq(o->barcode, n->barcode) && o->requires_shipping == n->requires_shipping &&
           o->taxable == n->taxable && o->inventory_quantity == n->inventory_quantity &&
           o->inventory_policy == n->inventory_policy;
}

/* Whether the product read (sp, already matched to old's ids) equals old. */
static bool product_eq(importer_t *im, const product_t *old)
{
    shopify_product_t *sp = im->sp;
    const product_t *n = &sp->p;
    if (!str_eq(old->handle, n->handle) || !str_eq(old->title, n->title) ||
        !str_eq(old->vendor, n->vendor) || !str_eq(old->product_type, n->product_type) ||
        old->status != n->status || !str_eq(old->seo_title, n->seo_title) ||
        !str_eq(old->seo_description, n->seo_description) || old->nvariants != n->nvariants ||
        old->nimages != n->nimages)
        return false;
    for (size_t i = 0; i < CATALOG_MAX_OPTIONS; i++)
        if (!str_eq(old->option_names[i], n->option_names[i]))
            return false;
    for (size_t i = 0; i < n->nvariants; i++)
        if (!variant_eq(&old->variants[i], &n->variants[i]))
            return false;
    for (size_t i = 0; i < n->nimages; i++) {
        const image_t *oi = &old->images[i], *ni = &n->images[i];
        int k = sp->ivariant[i];
        const char *vid = k >= 0 ? n->variants[k].public_id : NULL;
        if (oi->id != ni->id || !str_eq(oi->src, ni->src) || !str_eq(oi->alt, ni->alt) ||
            !str_eq(oi->variant_public_id, vid))
            return false;
    }
    if (!tags_eq(&sp->a, old, n))
        return false;
    /* Last, as it is the dearest: the description as the catalog would store it. */
    buf_reset(&im->body);
    if (sanitize_html(n->body_html, strlen(n->body_html), &im->body) != 0)
        return false;
    return str_eq(old->body_html, buf_cstr(&im->body));
}

/* Give the product read the ids of the stored one: variants by SKU, then the
 * rest by option values; images by URL. Unmatched ones are new. */
static void match_ids(shopify_product_t *sp, const product_t *old)
{
    product_t *n = &sp->p;
    n->id = old->id;
    n->public_id = old->public_id;
    bool *used = arena_alloc(&sp->a, (old->nvariants + old->nimages + 1) * sizeof(bool));
    memset(used, 0, (old->nvariants + old->nimages + 1) * sizeof(bool));
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n->nvariants; i++) {
            variant_t *v = &n->variants[i];
            if (v->id != 0 || (pass == 0 && v->sku == NULL))
                continue;
            for (size_t j = 0; j < old->nvariants; j++) {
                const variant_t *w = &old->variants[j];
                bool same = !used[j];
                if (same && pass == 0)
                    same = w->sku && strcmp(w->sku, v->sku) == 0;
                for (size_t k = 0; same && pass == 1 && k < CATALOG_MAX_OPTIONS; k++)
                    same = str_eq(w->options[k], v->options[k]);
                if (same) {
                    used[j] = true;
                    v->id = w->id;
                    v->public_id = w->public_id;
                    break;
                }
            }
        }
    }
    bool *iused = used + old->nvariants;
    for (size_t i = 0; i < n->nimages; i++) {
        for (size_t j = 0; j < old->nimages; j++) {
            if (!iused[j] && str_eq(old->images[j].src, n->images[i].src)) {
                iused[j] = true;
                n->images[i].id = old->images[j].id;
                n->images[i].public_id = old->images[j].public_id;
                break;
            }
        }
    }
}

/* ---- the catalog's verdict, told in columns and lines ---- */

static const struct {
    const char *field;
    shopify_col_t col;
} product_fields[] =
    {
        {"title", COL_TITLE},         {"handle", COL_HANDLE},
        {"body_html", COL_BODY},      {"vendor", COL_VENDOR},
        {"product_type", COL_TYPE},   {"status", COL_STATUS},
        {"seo_title", COL_SEO_TITLE}, {"seo_description", COL_SEO_DESCRIPTION},
        {"tags", COL_TAGS},           {"option_names", COL_OPT1_NAME},
        {"variants", COL_PRICE},      {"images", COL_IMAGE_SRC},
},
  variant_fields[] =
      {
          {"price", COL_PRICE},
          {"compare_at_price", COL_COMPARE_AT},
          {"cost", COL_COST},
          {"sku", COL_SKU},
          {"barcode", COL_BARCODE},
          {"weight_grams", COL_GRAMS},
          {"weight_unit", COL_WEIGHT_UNIT},
          {"inventory_quantity", COL_INV_QTY},
          {"inventory_policy", COL_INV_POLICY},
          {"options", COL_OPT1_VALUE},
},
  image_fields[] = {
      {"src", COL_IMAGE_SRC},
      {"alt", COL_IMAGE_ALT},
};

/* "name[3].rest" -> 3 and rest; the index as the catalog writes it. */
static bool parse_index(const char *s, size_t *idx, const char **rest)
{
    if (*s != '[')
        return false;
    char *end;
    unsigned long v = strtoul(s + 1, &end, 10);
    if (end == s + 1 || *end != ']')
        return false;
    *idx = v;
    *rest = end + 1;
    if (**rest == '.')
        (*rest)++;
    return true;
}

static bool field_is(const char *f, const char *name, const char **rest)
{
    size_t n = strlen(name);
    if (strncmp(f, name, n) != 0 || (f[n] != '\0' && f[n] != '[' && f[n] != '.'))
        return false;
    *rest = f + n;
    return true;
}

/* Column and line of a catalog field such as "variants[2].price". Indexes are
 * 0-based, as the catalog writes them (catalog_fieldf). */
static void locate(const shopify_product_t *sp, const char *field, shopify_col_t *col, size_t *line)
{
    const char *rest;
    size_t idx;
    *col = COL__N;
    *line = sp->first_line;
    if (field_is(field, "variants", &rest) && parse_index(rest, &idx, &rest) &&
        idx < sp->p.nvariants) {
        *line = sp->vline[idx];
        for (size_t i = 0; i < ARRAY_LEN(variant_fields); i++) {
            const char *r2;
            if (field_is(rest, variant_fields[i].field, &r2)) {
                *col = variant_fields[i].col;
                size_t k;
                if (*col == COL_OPT1_VALUE && parse_index(r2, &k, &r2) && k < 3)
                    *col = (shopify_col_t)(COL_OPT1_VALUE + 2 * k);
            }
        }
        return;
    }
    if (field_is(field, "images", &rest) && parse_index(rest, &idx, &rest) && idx < sp->p.nimages) {
        *line = sp->iline[idx];
        for (size_t i = 0; i < ARRAY_LEN(image_fields); i++) {
            const char *r2;
            if (field_is(rest, image_fields[i].field, &r2))
                *col = image_fields[i].col;
        }
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(product_fields); i++) {
        if (field_is(field, product_fields[i].field, &rest)) {
            *col = product_fields[i].col;
            if (*col == COL_TAGS && sp->tag_line)
                *line = sp->tag_line;
            if (*col == COL_OPT1_NAME && parse_index(rest, &idx, &rest) && idx < 3)
                *col = (shopify_col_t)(COL_OPT1_NAME + 2 * idx);
            return;
        }
    }
}

static void report_catalog_errors(importer_t *im, int rc, const catalog_errors_t *errs)
{
    shopify_product_t *sp = im->sp;
    for (size_t i = 0; i < errs->n; i++) {
        shopify_col_t col;
        size_t line;
        locate(sp, errs->items[i].field, &col, &line);
        const char *name = col < COL__N ? shopify_colname(&im->c, col) : errs->items[i].field;
        shopify_error(&im->c, sp, line, "%s: %s", name, errs->items[i].message);
    }
    if (errs->n == 0)
        shopify_error(&im->c, sp, sp->first_line, "the catalog refused the product: %s",
                      souk_strerror(rc));
}

/* ---- writing ---- */

static bool fatal(int rc)
{
    return rc == SOUK_EDB || rc == SOUK_EIO || rc == SOUK_EBUSY;
}

/* Commit the open batch, its search entries first, in the same transaction:
 * the index never lags what is committed. On failure the batch is rolled
 * back. */
static int commit_batch(importer_t *im)
{
    im->in_tx = false;
    int rc = catalog_index_products(im->db, im->unindexed, im->nunindexed);
    im->nunindexed = 0;
    if (rc < 0) {
        db_rollback(im->db);
        return rc;
    }
    return db_commit(im->db);
}

/* Save the product read (already matched; is_new when no product has its
 * handle): 0 stored, 1 refused (reported), < 0 a database failure. The
 * catalog makes one save atomic (a savepoint of its own inside our batch).
 * Images showing a variant new in this save need its public id, which only
 * the first save gives: those products are saved twice, inside a savepoint
 * (or transaction) of ours so that both or neither stay. */
static int save_product(importer_t *im, bool is_new)
{
    shopify_product_t *sp = im->sp;
    product_t *p = &sp->p;
    bool relink = false;
    for (size_t i = 0; i < p->nimages; i++) {
        int k = sp->ivariant[i];
        p->images[i].variant_public_id = k >= 0 ? p->variants[k].public_id : NULL;
        relink |= k >= 0 && p->variants[k].public_id == NULL;
    }
    bool own_tx = relink && !im->in_tx;
    int rc = 0;
    if (own_tx)
        rc = db_begin(im->db, DB_TX_WRITE);
    else if (relink)
        rc = db_savepoint(im->db, SAVEPOINT);
    if (rc < 0)
        return rc;
    /* In a batch the search entry waits for commit_batch(): written here,
     * under the catalog's savepoint, each product would reach SQLite's FTS5
     * index as a segment of its own, to be merged again and again. */
    unsigned flags = im->in_tx ? CATALOG_SAVE_DEFER_INDEX : 0;
    catalog_errors_t errs = {.n = 0};
    rc = catalog_product_save_flags(im->db, &sp->a, p, flags | (is_new ? CATALOG_SAVE_NEW : 0),
                                    &errs);
    if (rc == 0 && relink) {
        /* The save replaced p's arrays by its own, in the same order. */
        for (size_t i = 0; i < p->nimages; i++)
            if (sp->ivariant[i] >= 0)
                p->images[i].variant_public_id = p->variants[sp->ivariant[i]].public_id;
        rc = catalog_product_save_flags(im->db, &sp->a, p, flags, &errs);
    }
    int end = 0;
    if (own_tx && rc == 0)
        end = db_commit(im->db);
    else if (own_tx)
        db_rollback(im->db);
    else if (relink)
        end = rc == 0 ? db_release(im->db, SAVEPOINT) : db_rollback_to(im->db, SAVEPOINT);
    if (end < 0 && !fatal(rc))
        rc = end;
    if (rc == 0 && (flags & CATALOG_SAVE_DEFER_INDEX)) {
        if (im->nunindexed == im->unindexed_cap) {
            im->unindexed_cap = im->unindexed_cap ? st_mult(im->unindexed_cap, 2) : 256;
            im->unindexed =
                xrealloc(im->unindexed, st_mult(im->unindexed_cap, sizeof(*im->unindexed)));
        }
        im->unindexed[im->nunindexed++] = p->id;
    }
    if (rc == 0 || fatal(rc))
        return rc;
    report_catalog_errors(im, rc, &errs);
    return 1;
}

/* Store the finished product in the current batch. 0, or a database failure. */
static int store(importer_t *im)
{
    shopify_product_t *sp = im->sp;
    product_t *old = NULL;
    int rc = catalog_product_get(im->db, &sp->a, sp->handle, &old);
    if (rc == SOUK_ENOTFOUND)
        old = NULL;
    else if (rc < 0)
        return rc;
    if (old) {
        match_ids(sp, old);
        if (product_eq(im, old)) {
            im->st->unchanged++;
            return 0; /* no write, so no transaction: a re-import locks nothing */
        }
    }
    if (!im->in_tx && im->batch > 1) {
        if ((rc = db_begin(im->db, DB_TX_WRITE)) < 0)
            return rc;
        im->in_tx = true;
        im->in_batch = 0;
    }
    rc = save_product(im, old == NULL);
    if (rc < 0)
        return rc;
    if (rc == 1)
        im->st->rejected++;
    else if (old)
        im->st->updated++;
    else
        im->st->created++;
    if (im->in_tx && ++im->in_batch >= im->batch && (rc = commit_batch(im)) < 0)
        return rc;
    return 0;
}

/* The product being read is complete: store it or count it rejected. */
static int end_product(importer_t *im)
{
    shopify_product_t *sp = im->sp;
    int rc = 0;
    if (!sp->open)
        return 0;
    if (shopify_product_finish(&im->c, sp))
        rc = store(im);
    else
        im->st->rejected++;
    if (rc == 0 && sp->rejected && sp->first_line == sp->last_line)
        shopify_error(&im->c, NULL, sp->first_line, "product '%s' not imported", sp->handle);
    else if (rc == 0 && sp->rejected)
        shopify_error(&im->c, NULL, sp->first_line, "product '%s' (lines %zu-%zu) not imported",
                      sp->handle, sp->first_line, sp->last_line);
    shopify_product_reset(sp);
    if (im->opts->progress)
        im->opts->progress(im->opts->ud, im->st);
    return rc;
}

static void bad_record(importer_t *im, csv_reader_t *r)
{
    const char *msg = csv_error(r);
    /* csv_error() starts with "line N: ": we pass the line on its own. */
    const char *colon = strncmp(msg, "line ", 5) == 0 ? strstr(msg, ": ") : NULL;
    if (colon)
        msg = colon + 2;
    /* Its handle is unknown: the product being read may have lost a row. */
    if (im->sp->open) {
        shopify_error(&im->c, im->sp, csv_error_line(r), "%s", msg);
        im->sp->last_line = csv_error_line(r);
    } else {
        shopify_error(&im->c, NULL, csv_error_line(r), "%s", msg);
        im->st->rejected++;
    }
}

static int read_header(importer_t *im, csv_reader_t *r, shopify_header_t *h, arena_t *ha)
{
    csv_record_t *rec;
    int rc = csv_next(r, &rec);
    im->st->bytes_read = csv_bytes_read(r);
    if (rc == CSV_END) {
        shopify_error(&im->c, NULL, 0, "the file is empty");
        return SOUK_EINVAL;
    }
    if (rc < 0) {
        bad_record(im, r);
        return rc == SOUK_EIO ? rc : SOUK_EINVAL;
    }
    im->st->rows++;
    shopify_header_map(h, rec, ha, im->c.report, im->c.ud, &im->st->warnings);
    if (h->idx[COL_HANDLE] < 0 && h->idx[COL_TITLE] < 0) {
        shopify_error(&im->c, NULL, csv_record_line(rec),
                      "the header names neither a Handle nor a Title column: not a Shopify "
                      "product CSV");
        return SOUK_EINVAL;
    }
    return 0;
}

int shopify_import(db_t *db, FILE *in, csv_encoding_t enc, const shopify_import_opts_t *opts,
                   shopify_stats_t *st)
{
    static const shopify_import_opts_t defaults = {.currency = NULL};
    if (opts == NULL)
        opts = &defaults;
    memset(st, 0, sizeof(*st));
    shopify_header_t h;
    arena_t ha = ARENA_INIT;
    importer_t im = {
        .db = db,
        .st = st,
        .opts = opts,
        .batch = opts->batch ? opts->batch : SHOPIFY_DEFAULT_BATCH,
        .body = BUF_INIT,
    };
    im.c = (shopify_ctx_t){.h = &h,
                           .currency = opts->currency ? opts->currency : "USD",
                           .report = opts->report,
                           .ud = opts->ud,
                           .warnings = &st->warnings};
    im.sp = xcalloc(1, sizeof(*im.sp));
    csv_reader_t *r = csv_open(in, opts->limits, enc);
    int rc = im.batch > 1 ? db_bulk(db, true, SHOPIFY_BULK_CACHE_MIB) : 0;
    if (rc == 0)
        rc = read_header(&im, r, &h, &ha);
    while (rc == 0) {
        csv_record_t *rec;
        int next = csv_next(r, &rec);
        st->bytes_read = csv_bytes_read(r);
        if (next == CSV_END)
            break;
        st->rows++;
        if (next == SOUK_EIO) {
            bad_record(&im, r);
            rc = SOUK_EIO;
            break;
        }
        if (next < 0) {
            bad_record(&im, r);
            continue;
        }
        sv_t key = shopify_field(&h, rec, COL_HANDLE);
        shopify_product_t *sp = im.sp;
        if (sp->open && key.len > 0 && strlen(sp->key) == key.len &&
            memcmp(sp->key, key.s, key.len) == 0) {
            shopify_product_row(&im.c, sp, rec);
            continue;
        }
        rc = end_product(&im);
        if (rc < 0)
            break;
        shopify_product_begin(&im.c, sp, rec, key);
        bool nameless = key.len == 0 && sp->p.title[0] == '\0';
        if (!nameless && !handle_set_add(&im.seen, sp->handle))
            shopify_error(&im.c, sp, sp->first_line,
                          "%s: '%s' was used by an earlier product; the rows of a product must "
                          "be next to each other",
                          shopify_colname(&im.c, COL_HANDLE), sp->handle);
    }
    if (rc == 0)
        rc = end_product(&im);
    if (rc == 0 && im.in_tx)
        rc = commit_batch(&im);
    if (rc < 0 && im.in_tx)
        db_rollback(db);
    if (im.batch > 1 && db_bulk(db, false, SHOPIFY_BULK_CACHE_MIB) < 0 && rc == 0)
        rc = SOUK_EDB;
    if (rc == SOUK_EDB || rc == SOUK_EBUSY)
        shopify_error(&im.c, NULL, 0, "database: %s", db_errmsg(db));
    if (im.c.reported > SHOPIFY_MAX_REPORTED) {
        size_t more = im.c.reported - SHOPIFY_MAX_REPORTED;
        im.c.reported = 0; /* let the last word through */
        shopify_warn(&im.c, 0, "%zu more messages not shown", more);
    }
    shopify_product_reset(im.sp);
    free(im.sp);
    free(im.seen.slot);
    free(im.unindexed);
    buf_free(&im.body);
    csv_close(r);
    arena_free(&ha);
    return rc < 0 ? rc : 0;
}
