/* fuzz_shopify.c - libFuzzer target for the Shopify row mapping
 * (shopify_csv.c): the header map, then records grouped by Handle into
 * products as the import loop groups them, each finished product checked
 * and handed to the catalog's validation (no database).
 *
 * The first input byte picks the encoding, the currency and whether a full
 * classic header is put before the rest, so that most runs spend their time
 * on rows rather than on finding column names. Checked: every message is
 * valid UTF-8 without control characters (it reaches a terminal); a product
 * is rejected exactly when an error was reported for it; an accepted one has
 * 1..CATALOG_MAX_VARIANTS variants, each with exactly its option values,
 * distinct images numbered 1..n, tags neither empty nor repeated, a title
 * and a valid handle; and the catalog's validation answers 0 or SOUK_EINVAL
 * naming a field. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/utf8.h"
#include "fuzz_ref.h"
#include "shop/catalog.h"
#include "shop/shopify_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *d;
    size_t n, at;
} src_t;

static ssize_t src_read(void *ctx, void *buf, size_t len)
{
    src_t *s = ctx;
    size_t k = s->n - s->at < len ? s->n - s->at : len;
    memcpy(buf, s->d + s->at, k);
    s->at += k;
    return (ssize_t)k;
}

typedef struct {
    size_t errors;
} tally_t;

static void report(void *ud, bool error, size_t line, const char *msg)
{
    (void)line;
    size_t len = strlen(msg);
    FUZZ_CHECK(len > 0 && utf8_valid(msg, len));
    /* Messages reach a terminal: no control characters (C0, DEL, C1). */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)msg[i];
        FUZZ_CHECK(ch >= 0x20 && ch != 0x7f);
        FUZZ_CHECK(!(ch == 0xc2 && i + 1 < len && (unsigned char)msg[i + 1] < 0xa0));
    }
    if (error)
        ((tally_t *)ud)->errors++;
}

static void check_product(shopify_ctx_t *c, shopify_product_t *sp, tally_t *t)
{
    size_t before = t->errors;
    bool ok = shopify_product_finish(c, sp);
    const product_t *p = &sp->p;
    FUZZ_CHECK(ok == !sp->rejected);
    /* Errors of the product's rows were reported as they were read. */
    FUZZ_CHECK(!sp->rejected || sp->nerrors > 0);
    FUZZ_CHECK(sp->first_line <= sp->last_line);
    FUZZ_CHECK(sp->handle && catalog_handle_valid(sp->handle));
    FUZZ_CHECK(p->nvariants <= CATALOG_MAX_VARIANTS && p->nimages <= CATALOG_MAX_IMAGES);
    FUZZ_CHECK(p->ntags <= CATALOG_MAX_TAGS && sp->noptions <= CATALOG_MAX_OPTIONS);
    for (size_t i = 0; i < p->nimages; i++) {
        FUZZ_CHECK(p->images[i].position == (int)i + 1);
        FUZZ_CHECK(sp->ivariant[i] >= -1 && sp->ivariant[i] < (int)p->nvariants);
    }
    if (!ok) {
        FUZZ_CHECK(t->errors == before || sp->nerrors > 0);
        return;
    }
    FUZZ_CHECK(sp->nerrors == 0);
    FUZZ_CHECK(p->title && p->title[0] != '\0');
    FUZZ_CHECK(p->nvariants >= 1);
    for (size_t i = 0; i < p->nvariants; i++) {
        const variant_t *v = &p->variants[i];
        for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++)
            FUZZ_CHECK((v->options[k] != NULL) == (k < sp->noptions));
        FUZZ_CHECK(sp->vline[i] >= sp->first_line && sp->vline[i] <= sp->last_line);
    }
    for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++)
        FUZZ_CHECK((p->option_names[k] != NULL) == (k < sp->noptions));
    for (size_t i = 0; i < p->nimages; i++) {
        FUZZ_CHECK(p->images[i].src && p->images[i].src[0] != '\0');
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(p->images[i].src, p->images[j].src) != 0);
    }
    for (size_t i = 0; i < p->ntags; i++) {
        FUZZ_CHECK(p->tags[i][0] != '\0' && strchr(p->tags[i], ',') == NULL);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcasecmp(p->tags[i], p->tags[j]) != 0);
    }
    catalog_errors_t errs = {.n = 0};
    arena_t a = ARENA_INIT;
    int rc = catalog_product_validate(&a, p, &errs);
    FUZZ_CHECK(rc == 0 || (rc == SOUK_EINVAL && errs.n > 0));
    for (size_t i = 0; i < errs.n; i++)
        FUZZ_CHECK(errs.items[i].field[0] != '\0' && errs.items[i].message[0] != '\0');
    arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char header[] =
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,"
        "Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,"
        "Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,"
        "Variant Fulfillment Service,Variant Price,Variant Compare At Price,"
        "Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,"
        "Image Alt Text,Gift Card,SEO Title,SEO Description,Variant Image,Variant Weight Unit,"
        "Variant Tax Code,Cost per item,Status,Continue selling when out of stock,"
        "Product Category\n";
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++, size--;
    buf_t in = BUF_INIT;
    if (mode & 1)
        buf_append(&in, header, sizeof(header) - 1);
    buf_append(&in, data, size);
    src_t src = {(const uint8_t *)in.data, in.len, 0};
    csv_encoding_t enc = mode & 2 ? CSV_CP1252 : CSV_UTF8;
    csv_limits_t lim = {CSV_DEFAULT_MAX_FIELD_BYTES, 64, CSV_DEFAULT_MAX_RECORD_BYTES, 4096};
    csv_reader_t *r = csv_open_fn(src_read, &src, &lim, enc);

    tally_t t = {0};
    uint64_t warnings = 0;
    shopify_header_t h;
    arena_t ha = ARENA_INIT;
    shopify_ctx_t c = {.h = &h,
                       .currency = mode & 4 ? "JPY" : "USD",
                       .report = report,
                       .ud = &t,
                       .warnings = &warnings};
    shopify_product_t *sp = calloc(1, sizeof(*sp));
    csv_record_t *rec;
    int rc = csv_next(r, &rec);
    if (rc == 0) {
        shopify_header_map(&h, rec, &ha, report, &t, &warnings);
        while ((rc = csv_next(r, &rec)) != CSV_END) {
            FUZZ_CHECK(rc != SOUK_EIO);
            if (rc < 0)
                continue;
            sv_t key = shopify_field(&h, rec, COL_HANDLE);
            FUZZ_CHECK(key.len == 0 || utf8_valid(key.s, key.len));
            if (sp->open && key.len > 0 && strlen(sp->key) == key.len &&
                memcmp(sp->key, key.s, key.len) == 0) {
                shopify_product_row(&c, sp, rec);
                continue;
            }
            if (sp->open)
                check_product(&c, sp, &t);
            shopify_product_begin(&c, sp, rec, key);
        }
        if (sp->open)
            check_product(&c, sp, &t);
    }
    shopify_product_reset(sp);
    free(sp);
    arena_free(&ha);
    csv_close(r);
    buf_free(&in);
    return 0;
}
