/* shopify_int.h - what the Shopify CSV files share: the column table and the
 * row-to-product mapping (shopify_csv.c), used by the import loop
 * (shopify_import.c) and the exporter (shopify_export.c). Not for other
 * modules: they use shopify_csv.h. */
#ifndef SOUK_SHOP_SHOPIFY_INT_H
#define SOUK_SHOP_SHOPIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "shop/catalog.h"
#include "shop/shopify_csv.h"

/* The columns we read. Their classic names are the export's header. */
typedef enum {
    COL_HANDLE,
    COL_TITLE,
    COL_BODY,
    COL_VENDOR,
    COL_TYPE,
    COL_TAGS,
    COL_PUBLISHED,
    COL_OPT1_NAME,
    COL_OPT1_VALUE,
    COL_OPT2_NAME,
    COL_OPT2_VALUE,
    COL_OPT3_NAME,
    COL_OPT3_VALUE,
    COL_SKU,
    COL_GRAMS,
    COL_INV_TRACKER,
    COL_INV_QTY,
    COL_INV_POLICY,
    COL_FULFILLMENT,
    COL_PRICE,
    COL_COMPARE_AT,
    COL_REQUIRES_SHIPPING,
    COL_TAXABLE,
    COL_BARCODE,
    COL_IMAGE_SRC,
    COL_IMAGE_POSITION,
    COL_IMAGE_ALT,
    COL_GIFT_CARD,
    COL_SEO_TITLE,
    COL_SEO_DESCRIPTION,
    COL_VARIANT_IMAGE,
    COL_WEIGHT_UNIT,
    COL_TAX_CODE,
    COL_COST,
    COL_STATUS,
    COL_CONTINUE_SELLING, /* newer exports: TRUE/FALSE for the inventory policy */
    COL_CATEGORY,         /* newer exports: a taxonomy path; the type when there is no Type */
    COL__N,
} shopify_col_t;

/* The classic column set, in Shopify's export order (export header). */
extern const shopify_col_t shopify_export_cols[];
extern const size_t shopify_export_ncols;
/* A column's classic name ("Variant Price"). */
const char *shopify_col_name(shopify_col_t c);

/* Where each column is in the file, from its header row. */
typedef struct {
    int idx[COL__N];          /* field index, or -1 when absent */
    const char *name[COL__N]; /* as spelled in the file, for messages; in a */
    size_t nfields;           /* fields in the header */
} shopify_header_t;

/* Map the header record's fields. Unknown columns are reported as warnings
 * (once each); a column named twice keeps its first place. Strings go to a. */
void shopify_header_map(shopify_header_t *h, const csv_record_t *rec, arena_t *a,
                        shopify_report_fn report, void *ud, uint64_t *warnings);

/* A field of a record, surrounding spaces trimmed. */
typedef struct {
    const char *s;
    size_t len;
} sv_t;

/* One product being read from consecutive rows. */
typedef struct {
    arena_t a;          /* everything of this product */
    bool open;          /* a product is being read */
    bool rejected;      /* a row of it was bad: read on, report, write nothing */
    const char *key;    /* the Handle as the file spells it (rows group on it) */
    const char *handle; /* the handle stored (the key, normalized if needed) */
    size_t first_line, last_line;
    size_t nerrors;
    size_t noptions;    /* option columns the product uses (0..3) */
    bool default_title; /* Shopify's "Title" / "Default Title" for no options */
    product_t p;        /* variants/images point into the arrays below */
    variant_t v[CATALOG_MAX_VARIANTS];
    size_t vline[CATALOG_MAX_VARIANTS];
    const char *vimage[CATALOG_MAX_VARIANTS]; /* Variant Image URL or NULL */
    image_t img[CATALOG_MAX_IMAGES];
    size_t iline[CATALOG_MAX_IMAGES];
    int64_t ipos[CATALOG_MAX_IMAGES]; /* Image Position as given, or the row order */
    int ivariant[CATALOG_MAX_IMAGES]; /* index in v of the variant it shows, or -1 */
    const char *tags[CATALOG_MAX_TAGS];
    size_t tag_line;
} shopify_product_t;

/* What reading rows needs besides the product. */
typedef struct {
    const shopify_header_t *h;
    const char *currency;
    shopify_report_fn report;
    void *ud;
    uint64_t *warnings;
    size_t reported; /* messages passed to report, against SHOPIFY_MAX_REPORTED */
} shopify_ctx_t;

/* Start a new product from its first row, whose Handle (trimmed) is key. */
void shopify_product_begin(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                           sv_t key);
/* Add a following row of the same product (a variant and/or an image). */
void shopify_product_row(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec);
/* After its last row: order the images, link variant images, count things.
 * Returns false if the product is rejected (reasons already reported). */
bool shopify_product_finish(shopify_ctx_t *c, shopify_product_t *sp);
/* Forget the product (its arena is released). */
void shopify_product_reset(shopify_product_t *sp);

/* Report "line N: msg" as an error of sp (marking it rejected), or as a warning
 * when sp is NULL. */
void shopify_error(shopify_ctx_t *c, shopify_product_t *sp, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void shopify_warn(shopify_ctx_t *c, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The column's name as the file spells it (else its classic name). */
const char *shopify_colname(const shopify_ctx_t *c, shopify_col_t col);
/* The field of a column in a record, trimmed; empty when the column is absent
 * or the row is short. */
sv_t shopify_field(const shopify_header_t *h, const csv_record_t *rec, shopify_col_t col);
/* Append s to b for a message: in single quotes, cut after max_chars
 * characters ("..."), control characters as spaces. */
#define SHOPIFY_QUOTE_CHARS 40
void shopify_quote(buf_t *b, const char *s, size_t len, size_t max_chars);

#endif
