/* shopify_export.c - every product as Shopify's classic product CSV.
 *
 * Products are read a page at a time in id order (a keyset, so a catalog of
 * any size streams in constant memory) and written as Shopify writes them:
 * the first row holds the product and its first variant, one more row per
 * variant, image i on row i, extra rows for images past the last variant.
 * What shopify_csv.c reads back from this is the same catalog. */
#include "shop/shopify_csv.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/money.h"
#include "core/util.h"
#include "shop/catalog.h"
#include "shop/shopify_int.h"

#define FLUSH_AT (64u << 10)

_Static_assert(SHOPIFY_EXPORT_PAGE <= CATALOG_MAX_ID_PAGE, "an export page is one id page");

typedef struct {
    const char *f[COL__N];
    buf_t num[COL__N]; /* backing store for the numbers of one row */
} row_t;

static void put(row_t *r, shopify_col_t c, const char *s)
{
    r->f[c] = s ? s : "";
}

static void put_money(row_t *r, shopify_col_t c, int64_t minor, const char *currency)
{
    buf_reset(&r->num[c]);
    if (minor < 0) {
        put(r, c, "");
        return;
    }
    money_format(&r->num[c], minor, currency);
    put(r, c, buf_cstr(&r->num[c]));
}

static void put_int(row_t *r, shopify_col_t c, int64_t v)
{
    buf_reset(&r->num[c]);
    buf_printf(&r->num[c], "%lld", (long long)v);
    put(r, c, buf_cstr(&r->num[c]));
}

static const char *tf(bool b)
{
    return b ? "TRUE" : "FALSE";
}

static void product_fields(row_t *r, const product_t *p, buf_t *tags)
{
    static const shopify_col_t names[3] = {COL_OPT1_NAME, COL_OPT2_NAME, COL_OPT3_NAME};
    put(r, COL_TITLE, p->title);
    put(r, COL_BODY, p->body_html);
    put(r, COL_VENDOR, p->vendor);
    put(r, COL_TYPE, p->product_type);
    buf_reset(tags);
    for (size_t i = 0; i < p->ntags; i++)
        buf_printf(tags, "%s%s", i ? ", " : "", p->tags[i]);
    put(r, COL_TAGS, buf_cstr(tags));
    put(r, COL_PUBLISHED, tf(p->status == PRODUCT_ACTIVE));
    for (size_t i = 0; i < CATALOG_MAX_OPTIONS; i++)
        put(r, names[i], p->option_names[i]);
    if (p->option_names[0] == NULL)
        put(r, COL_OPT1_NAME, "Title"); /* Shopify's way of saying "no options" */
    put(r, COL_GIFT_CARD, "FALSE");
    put(r, COL_SEO_TITLE, p->seo_title);
    put(r, COL_SEO_DESCRIPTION, p->seo_description);
    put(r, COL_STATUS, product_status_name(p->status));
}

static void variant_fields(row_t *r, const product_t *p, const variant_t *v, const char *cur)
{
    static const shopify_col_t values[3] = {COL_OPT1_VALUE, COL_OPT2_VALUE, COL_OPT3_VALUE};
    for (size_t i = 0; i < CATALOG_MAX_OPTIONS; i++)
        put(r, values[i], p->option_names[i] ? v->options[i] : NULL);
    if (p->option_names[0] == NULL)
        put(r, COL_OPT1_VALUE, "Default Title");
    put(r, COL_SKU, v->sku);
    put_int(r, COL_GRAMS, v->weight_grams);
    put(r, COL_INV_TRACKER, "shopify");
    put_int(r, COL_INV_QTY, v->inventory_quantity);
    put(r, COL_INV_POLICY, v->inventory_policy == INVENTORY_CONTINUE ? "continue" : "deny");
    put(r, COL_FULFILLMENT, "manual");
    put_money(r, COL_PRICE, v->price, cur);
    put_money(r, COL_COMPARE_AT, v->compare_at_price, cur);
    put(r, COL_REQUIRES_SHIPPING, tf(v->requires_shipping));
    put(r, COL_TAXABLE, tf(v->taxable));
    put(r, COL_BARCODE, v->barcode);
    for (size_t i = 0; i < p->nimages; i++) {
        const char *vid = p->images[i].variant_public_id;
        if (vid && v->public_id && strcmp(vid, v->public_id) == 0) {
            put(r, COL_VARIANT_IMAGE, p->images[i].src);
            break;
        }
    }
    put(r, COL_WEIGHT_UNIT, weight_unit_name(v->weight_unit));
    put_money(r, COL_COST, v->cost, cur);
}

static void write_row(buf_t *out, row_t *r)
{
    const char *f[COL__N];
    for (size_t i = 0; i < shopify_export_ncols; i++)
        f[i] = r->f[shopify_export_cols[i]];
    csv_write_record(out, f, NULL, shopify_export_ncols);
}

static void write_product(buf_t *out, row_t *r, buf_t *tags, const product_t *p, const char *cur)
{
    size_t nrows = p->nvariants > p->nimages ? p->nvariants : p->nimages;
    if (nrows == 0)
        nrows = 1;
    for (size_t i = 0; i < nrows; i++) {
        for (size_t c = 0; c < COL__N; c++)
            r->f[c] = "";
        put(r, COL_HANDLE, p->handle);
        if (i == 0)
            product_fields(r, p, tags);
        if (i < p->nvariants)
            variant_fields(r, p, &p->variants[i], cur);
        if (i < p->nimages) {
            put(r, COL_IMAGE_SRC, p->images[i].src);
            put_int(r, COL_IMAGE_POSITION, (int64_t)i + 1);
            put(r, COL_IMAGE_ALT, p->images[i].alt);
        }
        write_row(out, r);
    }
}

static int flush(buf_t *out, FILE *f)
{
    if (out->len && fwrite(out->data, 1, out->len, f) != out->len)
        return SOUK_EIO;
    buf_reset(out);
    return 0;
}

int shopify_export(db_t *db, FILE *out, const char *currency, uint64_t *nproducts)
{
    const char *cur = currency ? currency : "USD";
    buf_t b = BUF_INIT, tags = BUF_INIT;
    row_t r;
    memset(&r, 0, sizeof(r));
    uint64_t count = 0;
    int rc = 0;

    for (size_t i = 0; i < shopify_export_ncols; i++)
        r.f[shopify_export_cols[i]] = shopify_col_name(shopify_export_cols[i]);
    write_row(&b, &r);

    int64_t after = 0;
    for (;;) {
        arena_t a = ARENA_INIT;
        int64_t *ids;
        const char **pubs;
        size_t n = 0;
        rc = catalog_product_ids_after(db, &a, after, SHOPIFY_EXPORT_PAGE, &ids, &pubs, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            arena_t pa = ARENA_INIT;
            product_t *p;
            rc = catalog_product_get(db, &pa, pubs[i], &p);
            if (rc == SOUK_ENOTFOUND) {
                rc = 0; /* deleted since the page was read */
            } else if (rc == 0) {
                write_product(&b, &r, &tags, p, cur);
                count++;
            }
            arena_free(&pa);
            if (rc == 0 && b.len >= FLUSH_AT)
                rc = flush(&b, out);
        }
        if (rc == 0 && n == SHOPIFY_EXPORT_PAGE)
            after = ids[n - 1];
        arena_free(&a);
        if (rc != 0 || n < SHOPIFY_EXPORT_PAGE)
            break;
    }
    if (rc == 0)
        rc = flush(&b, out);
    if (rc == 0 && fflush(out) != 0)
        rc = SOUK_EIO;
    for (size_t c = 0; c < COL__N; c++)
        buf_free(&r.num[c]);
    buf_free(&b);
    buf_free(&tags);
    if (nproducts)
        *nproducts = count;
    return rc;
}
