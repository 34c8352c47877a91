/* shopify_csv.c - Shopify's product CSV columns and how rows become a product.
 *
 * The header row names the columns (classic or newer names); each following
 * row is read into the product being built (shopify_product_t) as Shopify
 * does: the first row of a handle holds the product and its first variant,
 * the next ones a variant and/or an image. Values are checked here so that
 * errors name the column and the line; the catalog checks the rest when the
 * product is saved (shopify_import.c). No I/O, no database. */
#include "shop/shopify_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/log.h"
#include "core/money.h"
#include "core/parse.h"
#include "core/util.h"

/* Known columns we keep nothing of: skipped without a warning. */
#define COL_QUIET (-1)

static const struct {
    const char *name;
    int col;
} col_names[] = {
    /* The classic names first: shopify_col_name() returns the first match. */
    {"Handle", COL_HANDLE},
    {"Title", COL_TITLE},
    {"Body (HTML)", COL_BODY},
    {"Vendor", COL_VENDOR},
    {"Type", COL_TYPE},
    {"Tags", COL_TAGS},
    {"Published", COL_PUBLISHED},
    {"Option1 Name", COL_OPT1_NAME},
    {"Option1 Value", COL_OPT1_VALUE},
    {"Option2 Name", COL_OPT2_NAME},
    {"Option2 Value", COL_OPT2_VALUE},
    {"Option3 Name", COL_OPT3_NAME},
    {"Option3 Value", COL_OPT3_VALUE},
    {"Variant SKU", COL_SKU},
    {"Variant Grams", COL_GRAMS},
    {"Variant Inventory Tracker", COL_INV_TRACKER},
    {"Variant Inventory Qty", COL_INV_QTY},
    {"Variant Inventory Policy", COL_INV_POLICY},
    {"Variant Fulfillment Service", COL_FULFILLMENT},
    {"Variant Price", COL_PRICE},
    {"Variant Compare At Price", COL_COMPARE_AT},
    {"Variant Requires Shipping", COL_REQUIRES_SHIPPING},
    {"Variant Taxable", COL_TAXABLE},
    {"Variant Barcode", COL_BARCODE},
    {"Image Src", COL_IMAGE_SRC},
    {"Image Position", COL_IMAGE_POSITION},
    {"Image Alt Text", COL_IMAGE_ALT},
    {"Gift Card", COL_GIFT_CARD},
    {"SEO Title", COL_SEO_TITLE},
    {"SEO Description", COL_SEO_DESCRIPTION},
    {"Variant Image", COL_VARIANT_IMAGE},
    {"Variant Weight Unit", COL_WEIGHT_UNIT},
    {"Variant Tax Code", COL_TAX_CODE},
    {"Cost per item", COL_COST},
    {"Status", COL_STATUS},
    {"Continue selling when out of stock", COL_CONTINUE_SELLING},
    {"Product Category", COL_CATEGORY},
    /* The names of Shopify's newer exports (2024 on). */
    {"URL handle", COL_HANDLE},
    {"Description", COL_BODY},
    {"Published on online store", COL_PUBLISHED},
    {"SKU", COL_SKU},
    {"Weight value (grams)", COL_GRAMS},
    {"Inventory tracker", COL_INV_TRACKER},
    {"Inventory quantity", COL_INV_QTY},
    {"Fulfillment service", COL_FULFILLMENT},
    {"Price", COL_PRICE},
    {"Compare-at price", COL_COMPARE_AT},
    {"Requires shipping", COL_REQUIRES_SHIPPING},
    {"Charge tax", COL_TAXABLE},
    {"Barcode", COL_BARCODE},
    {"Product image URL", COL_IMAGE_SRC},
    {"Variant image URL", COL_VARIANT_IMAGE},
    {"Weight unit for display", COL_WEIGHT_UNIT},
    {"Tax code", COL_TAX_CODE},
    /* Shopify columns with no place in our catalog. */
    {"Option1 Linked To", COL_QUIET},
    {"Option2 Linked To", COL_QUIET},
    {"Option3 Linked To", COL_QUIET},
    {"Unit price total measure", COL_QUIET},
    {"Unit price total measure unit", COL_QUIET},
    {"Unit price base measure", COL_QUIET},
    {"Unit price base measure unit", COL_QUIET},
};

const shopify_col_t shopify_export_cols[] = {
    COL_HANDLE,        COL_TITLE,
    COL_BODY,          COL_VENDOR,
    COL_TYPE,          COL_TAGS,
    COL_PUBLISHED,     COL_OPT1_NAME,
    COL_OPT1_VALUE,    COL_OPT2_NAME,
    COL_OPT2_VALUE,    COL_OPT3_NAME,
    COL_OPT3_VALUE,    COL_SKU,
    COL_GRAMS,         COL_INV_TRACKER,
    COL_INV_QTY,       COL_INV_POLICY,
    COL_FULFILLMENT,   COL_PRICE,
    COL_COMPARE_AT,    COL_REQUIRES_SHIPPING,
    COL_TAXABLE,       COL_BARCODE,
    COL_IMAGE_SRC,     COL_IMAGE_POSITION,
    COL_IMAGE_ALT,     COL_GIFT_CARD,
    COL_SEO_TITLE,     COL_SEO_DESCRIPTION,
    COL_VARIANT_IMAGE, COL_WEIGHT_UNIT,
    COL_TAX_CODE,      COL_COST,
    COL_STATUS,
};
const size_t shopify_export_ncols = ARRAY_LEN(shopify_export_cols);

const char *shopify_col_name(shopify_col_t c)
{
    for (size_t i = 0; i < ARRAY_LEN(col_names); i++)
        if (col_names[i].col == (int)c)
            return col_names[i].name;
    BUG("column %d has no name", (int)c);
}

static sv_t sv_trim(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)s[0])) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return (sv_t){s, len};
}

static bool sv_eq_ci(sv_t v, const char *lit)
{
    return strlen(lit) == v.len && strncasecmp(v.s, lit, v.len) == 0;
}

static bool sv_eq(sv_t v, const char *lit)
{
    return strlen(lit) == v.len && memcmp(v.s, lit, v.len) == 0;
}

void shopify_quote(buf_t *b, const char *s, size_t len, size_t max_chars)
{
    size_t chars = 0, i = 0;
    buf_putc(b, '\'');
    while (i < len && chars < max_chars) {
        unsigned char ch = (unsigned char)s[i];
        size_t n = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        if (n > len - i)
            n = len - i;
        /* C1 controls too: U+009B is a CSI to some terminals. */
        if (ch < 0x20 || ch == 0x7f || (ch == 0xc2 && n == 2 && (unsigned char)s[i + 1] < 0xa0))
            buf_putc(b, ' ');
        else
            buf_append(b, s + i, n);
        i += n;
        chars++;
    }
    if (i < len)
        buf_puts(b, "...");
    buf_putc(b, '\'');
}

/* ---- messages ---- */

static void vreport(shopify_ctx_t *c, bool error, size_t line, const char *fmt, va_list ap)
{
    if (c->reported++ >= SHOPIFY_MAX_REPORTED)
        return;
    buf_t b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    if (c->report)
        c->report(c->ud, error, line, buf_cstr(&b));
    else if (line)
        log_warn("shopify import: line %zu: %s", line, buf_cstr(&b));
    else
        log_warn("shopify import: %s", buf_cstr(&b));
    buf_free(&b);
}

void shopify_error(shopify_ctx_t *c, shopify_product_t *sp, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, true, line, fmt, ap);
    va_end(ap);
    if (sp) {
        sp->rejected = true;
        sp->nerrors++;
    }
}

void shopify_warn(shopify_ctx_t *c, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, false, line, fmt, ap);
    va_end(ap);
    (*c->warnings)++;
}

/* "Variant Price: 'abc' is not a price" with the value quoted safely. */
static void value_error(shopify_ctx_t *c, shopify_product_t *sp, size_t line, shopify_col_t col,
                        sv_t v, const char *what)
{
    buf_t b = BUF_INIT;
    shopify_quote(&b, v.s, v.len, SHOPIFY_QUOTE_CHARS);
    shopify_error(c, sp, line, "%s: %s %s", shopify_colname(c, col), buf_cstr(&b), what);
    buf_free(&b);
}

/* ---- the header ---- */

void shopify_header_map(shopify_header_t *h, const csv_record_t *rec, arena_t *a,
                        shopify_report_fn report, void *ud, uint64_t *warnings)
{
    shopify_ctx_t c = {.h = h, .report = report, .ud = ud, .warnings = warnings};
    size_t line = csv_record_line(rec);
    for (size_t i = 0; i < COL__N; i++) {
        h->idx[i] = -1;
        h->name[i] = NULL;
    }
    h->nfields = csv_field_count(rec);
    for (size_t f = 0; f < h->nfields; f++) {
        size_t len;
        const char *s = csv_field(rec, f, &len);
        sv_t v = sv_trim(s, len);
        int col = -2;
        for (size_t k = 0; k < ARRAY_LEN(col_names) && col == -2; k++)
            if (sv_eq_ci(v, col_names[k].name))
                col = col_names[k].col;
        buf_t b = BUF_INIT;
        shopify_quote(&b, v.s, v.len, 4 * SHOPIFY_QUOTE_CHARS);
        if (col == -2) {
            shopify_warn(&c, line, "column %s is not a Shopify product column we know; ignored",
                         buf_cstr(&b));
        } else if (col >= 0 && h->idx[col] >= 0) {
            shopify_warn(&c, line, "column %s repeats column %d; ignored", buf_cstr(&b),
                         h->idx[col] + 1);
        } else if (col >= 0) {
            h->idx[col] = (int)f;
            h->name[col] = arena_strndup(a, v.s, v.len);
        }
        buf_free(&b);
    }
}

const char *shopify_colname(const shopify_ctx_t *c, shopify_col_t col)
{
    return c->h && c->h->name[col] ? c->h->name[col] : shopify_col_name(col);
}

sv_t shopify_field(const shopify_header_t *h, const csv_record_t *rec, shopify_col_t col)
{
    int i = h->idx[col];
    if (i < 0 || (size_t)i >= csv_field_count(rec))
        return (sv_t){"", 0};
    size_t len;
    const char *s = csv_field(rec, (size_t)i, &len);
    return sv_trim(s, len);
}

/* ---- values ---- */

static const char *dup_or_null(shopify_product_t *sp, sv_t v)
{
    return v.len ? arena_strndup(&sp->a, v.s, v.len) : NULL;
}

static const char *dup(shopify_product_t *sp, sv_t v)
{
    return arena_strndup(&sp->a, v.s, v.len);
}

/* A price column: -1 when empty and optional; an error otherwise. */
static bool get_money(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                      shopify_col_t col, int64_t *out)
{
    sv_t v = shopify_field(c->h, rec, col);
    size_t line = csv_record_line(rec);
    if (v.len == 0)
        return true;
    int64_t m;
    int rc = money_parse(v.s, v.len, c->currency, &m);
    if (rc == SOUK_ERANGE && v.len < 32 && strchr(v.s, '.') != NULL) {
        char msg[64];
        snprintf(msg, sizeof(msg), "has more decimals than %s has, or is too large", c->currency);
        value_error(c, sp, line, col, v, msg);
        return false;
    }
    if (rc != 0) {
        value_error(c, sp, line, col, v, rc == SOUK_ERANGE ? "is too large" : "is not a price");
        return false;
    }
    if (m < 0) {
        value_error(c, sp, line, col, v, "is negative");
        return false;
    }
    *out = m;
    return true;
}

static bool get_bool(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                     shopify_col_t col, bool *out)
{
    sv_t v = shopify_field(c->h, rec, col);
    if (v.len == 0)
        return true;
    char tmp[8];
    if (v.len < sizeof(tmp)) {
        memcpy(tmp, v.s, v.len);
        tmp[v.len] = '\0';
        if (parse_bool(tmp, out) == 0)
            return true;
    }
    value_error(c, sp, csv_record_line(rec), col, v, "is not TRUE or FALSE");
    return false;
}

/* Grams: a whole number, or a decimal rounded half up (newer exports may
 * write "453.6"). Integer arithmetic only. */
static bool get_grams(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                      int64_t *out)
{
    sv_t v = shopify_field(c->h, rec, COL_GRAMS);
    if (v.len == 0)
        return true;
    const char *dot = memchr(v.s, '.', v.len);
    size_t ilen = dot ? (size_t)(dot - v.s) : v.len;
    int64_t g;
    bool ok =
        parse_i64n(v.s, ilen, 0, INT64_C(1000000000), &g) == 0 && v.s[0] != '+' && v.s[0] != '-';
    if (ok && dot) {
        size_t flen = v.len - ilen - 1;
        ok = flen > 0;
        for (size_t i = 0; ok && i < flen; i++)
            ok = isdigit((unsigned char)dot[1 + i]);
        if (ok && dot[1] >= '5')
            g++;
    }
    if (!ok) {
        value_error(c, sp, csv_record_line(rec), COL_GRAMS, v, "is not a weight in grams");
        return false;
    }
    *out = g;
    return true;
}

/* deny/continue (classic) or FALSE/TRUE ("Continue selling when out of stock"). */
static bool get_policy(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                       inventory_policy_t *out)
{
    shopify_col_t col = COL_INV_POLICY;
    sv_t v = shopify_field(c->h, rec, col);
    if (v.len == 0) {
        col = COL_CONTINUE_SELLING;
        v = shopify_field(c->h, rec, col);
    }
    if (v.len == 0)
        return true;
    static const char *const cont[] = {"continue", "true", "yes", "1"};
    static const char *const deny[] = {"deny", "false", "no", "0"};
    for (size_t i = 0; i < ARRAY_LEN(cont); i++) {
        if (sv_eq_ci(v, cont[i])) {
            *out = INVENTORY_CONTINUE;
            return true;
        }
        if (sv_eq_ci(v, deny[i])) {
            *out = INVENTORY_DENY;
            return true;
        }
    }
    value_error(c, sp, csv_record_line(rec), col, v, "is not deny or continue");
    return false;
}

static bool get_weight_unit(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                            weight_unit_t *out)
{
    sv_t v = shopify_field(c->h, rec, COL_WEIGHT_UNIT);
    if (v.len == 0)
        return true;
    static const struct {
        const char *name;
        weight_unit_t u;
    } units[] = {{"g", WEIGHT_G}, {"kg", WEIGHT_KG}, {"lb", WEIGHT_LB}, {"oz", WEIGHT_OZ}};
    for (size_t i = 0; i < ARRAY_LEN(units); i++) {
        if (sv_eq_ci(v, units[i].name)) {
            *out = units[i].u;
            return true;
        }
    }
    value_error(c, sp, csv_record_line(rec), COL_WEIGHT_UNIT, v, "is not g, kg, lb or oz");
    return false;
}

/* ---- rows ---- */

static const shopify_col_t opt_name_col[3] = {COL_OPT1_NAME, COL_OPT2_NAME, COL_OPT3_NAME};
static const shopify_col_t opt_value_col[3] = {COL_OPT1_VALUE, COL_OPT2_VALUE, COL_OPT3_VALUE};

/* Whether a following row holds a variant (not just an image). */
static bool row_has_variant(const shopify_header_t *h, const csv_record_t *rec)
{
    static const shopify_col_t cols[] = {
        COL_OPT1_VALUE,
        COL_OPT2_VALUE,
        COL_OPT3_VALUE,
        COL_SKU,
        COL_GRAMS,
        COL_INV_QTY,
        COL_PRICE,
        COL_COMPARE_AT,
        COL_BARCODE,
        COL_VARIANT_IMAGE,
        COL_COST,
        COL_INV_POLICY,
        COL_CONTINUE_SELLING,
        COL_TAXABLE,
        COL_WEIGHT_UNIT,
        COL_REQUIRES_SHIPPING,
    };
    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        if (shopify_field(h, rec, cols[i]).len > 0)
            return true;
    return false;
}

static void read_variant(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec)
{
    size_t line = csv_record_line(rec);
    if (sp->p.nvariants == CATALOG_MAX_VARIANTS) {
        shopify_error(c, sp, line, "more than %d variants in one product", CATALOG_MAX_VARIANTS);
        return;
    }
    variant_t *v = &sp->v[sp->p.nvariants];
    memset(v, 0, sizeof(*v));
    v->compare_at_price = -1;
    v->cost = -1;
    v->weight_unit = WEIGHT_KG;
    v->requires_shipping = true;
    v->taxable = true;
    v->inventory_policy = INVENTORY_DENY;
    v->position = (int)sp->p.nvariants + 1;

    for (size_t i = 0; i < 3; i++) {
        sv_t val = shopify_field(c->h, rec, opt_value_col[i]);
        if (i < sp->noptions) {
            if (val.len == 0) {
                /* The name is the file's text: quoted, so that a line break
                 * or an escape sequence in it cannot forge or garble output. */
                buf_t b = BUF_INIT;
                const char *name = sp->p.option_names[i];
                shopify_quote(&b, name, strlen(name), SHOPIFY_QUOTE_CHARS);
                shopify_error(c, sp, line, "%s: required, as the product has option %s",
                              shopify_colname(c, opt_value_col[i]), buf_cstr(&b));
                buf_free(&b);
            } else {
                v->options[i] = dup(sp, val);
            }
        } else if (val.len > 0 && !(sp->default_title && i == 0 && sv_eq(val, "Default Title"))) {
            value_error(c, sp, line, opt_value_col[i], val, "has no option name on the first row");
        }
    }
    v->sku = dup_or_null(sp, shopify_field(c->h, rec, COL_SKU));
    v->barcode = dup_or_null(sp, shopify_field(c->h, rec, COL_BARCODE));
    if (c->h->idx[COL_PRICE] >= 0 && shopify_field(c->h, rec, COL_PRICE).len == 0)
        shopify_error(c, sp, line, "%s: required", shopify_colname(c, COL_PRICE));
    get_money(c, sp, rec, COL_PRICE, &v->price);
    get_money(c, sp, rec, COL_COMPARE_AT, &v->compare_at_price);
    get_money(c, sp, rec, COL_COST, &v->cost);
    get_grams(c, sp, rec, &v->weight_grams);
    get_weight_unit(c, sp, rec, &v->weight_unit);
    get_policy(c, sp, rec, &v->inventory_policy);
    get_bool(c, sp, rec, COL_REQUIRES_SHIPPING, &v->requires_shipping);
    get_bool(c, sp, rec, COL_TAXABLE, &v->taxable);
    sv_t qty = shopify_field(c->h, rec, COL_INV_QTY);
    if (qty.len > 0 && parse_i64n(qty.s, qty.len, -INT64_C(1000000000), INT64_C(1000000000),
                                  &v->inventory_quantity) != 0)
        value_error(c, sp, line, COL_INV_QTY, qty, "is not a whole number");
    sv_t img = shopify_field(c->h, rec, COL_VARIANT_IMAGE);
    sp->vimage[sp->p.nvariants] = img.len ? dup(sp, img) : NULL;
    sp->vline[sp->p.nvariants] = line;
    sp->p.nvariants++;
}

static void add_image(shopify_ctx_t *c, shopify_product_t *sp, size_t line, sv_t src, sv_t alt,
                      int64_t pos, int variant)
{
    for (size_t i = 0; i < sp->p.nimages; i++) {
        if (strlen(sp->img[i].src) == src.len && memcmp(sp->img[i].src, src.s, src.len) == 0) {
            if (variant >= 0 && sp->ivariant[i] < 0)
                sp->ivariant[i] = variant;
            return; /* the same picture twice: keep the first */
        }
    }
    if (sp->p.nimages == CATALOG_MAX_IMAGES) {
        shopify_error(c, sp, line, "more than %d images in one product", CATALOG_MAX_IMAGES);
        return;
    }
    size_t i = sp->p.nimages++;
    memset(&sp->img[i], 0, sizeof(sp->img[i]));
    sp->img[i].src = dup(sp, src);
    sp->img[i].alt = dup(sp, alt);
    sp->iline[i] = line;
    sp->ipos[i] = pos;
    sp->ivariant[i] = variant;
}

static void read_image(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec)
{
    sv_t src = shopify_field(c->h, rec, COL_IMAGE_SRC);
    if (src.len == 0)
        return;
    size_t line = csv_record_line(rec);
    sv_t p = shopify_field(c->h, rec, COL_IMAGE_POSITION);
    int64_t pos = (int64_t)sp->p.nimages + 1;
    if (p.len > 0 && parse_i64n(p.s, p.len, 1, INT64_C(1000000), &pos) != 0) {
        value_error(c, sp, line, COL_IMAGE_POSITION, p, "is not a position (1 or more)");
        return;
    }
    add_image(c, sp, line, src, shopify_field(c->h, rec, COL_IMAGE_ALT), pos, -1);
}

static void read_tags(shopify_ctx_t *c, shopify_product_t *sp, sv_t v, size_t line)
{
    size_t n = 0;
    const char *s = v.s, *end = v.s + v.len;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        sv_t t = sv_trim(s, (size_t)(stop - s));
        s = comma ? comma + 1 : end;
        if (t.len == 0)
            continue;
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strlen(sp->tags[i]) == t.len && strncasecmp(sp->tags[i], t.s, t.len) == 0;
        if (seen)
            continue;
        if (n == CATALOG_MAX_TAGS) {
            shopify_error(c, sp, line, "%s: more than %d tags", shopify_colname(c, COL_TAGS),
                          CATALOG_MAX_TAGS);
            break;
        }
        sp->tags[n++] = dup(sp, t);
    }
    sp->p.tags = sp->tags;
    sp->p.ntags = n;
    sp->tag_line = line;
}

static void read_status(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec)
{
    size_t line = csv_record_line(rec);
    sv_t st = shopify_field(c->h, rec, COL_STATUS);
    sp->p.status = PRODUCT_ACTIVE; /* Shopify: an empty Published publishes */
    if (st.len > 0) {
        if (sv_eq_ci(st, "active"))
            sp->p.status = PRODUCT_ACTIVE;
        else if (sv_eq_ci(st, "draft"))
            sp->p.status = PRODUCT_DRAFT;
        else if (sv_eq_ci(st, "archived"))
            sp->p.status = PRODUCT_ARCHIVED;
        else
            value_error(c, sp, line, COL_STATUS, st, "is not active, draft or archived");
        return;
    }
    bool published = true;
    if (get_bool(c, sp, rec, COL_PUBLISHED, &published) && !published)
        sp->p.status = PRODUCT_DRAFT;
}

void shopify_product_reset(shopify_product_t *sp)
{
    arena_free(&sp->a);
    sp->open = false;
    sp->rejected = false;
    sp->key = sp->handle = NULL;
    sp->first_line = sp->last_line = 0;
    sp->nerrors = 0;
    sp->noptions = 0;
    sp->default_title = false;
    memset(&sp->p, 0, sizeof(sp->p));
    sp->tag_line = 0;
}

void shopify_product_begin(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec,
                           sv_t key)
{
    shopify_product_reset(sp);
    size_t line = csv_record_line(rec);
    sp->open = true;
    sp->first_line = sp->last_line = line;
    sp->key = dup(sp, key);
    product_t *p = &sp->p;
    p->variants = sp->v;
    p->images = sp->img;

    sv_t title = shopify_field(c->h, rec, COL_TITLE);
    if (title.len == 0)
        shopify_error(c, sp, line, "%s: required on the first row of a product",
                      shopify_colname(c, COL_TITLE));
    p->title = dup(sp, title);
    if (key.len == 0) {
        sp->handle = catalog_slugify(&sp->a, p->title);
    } else if (catalog_handle_valid(sp->key)) {
        sp->handle = sp->key;
    } else {
        sp->handle = catalog_slugify(&sp->a, sp->key);
        buf_t b = BUF_INIT;
        shopify_quote(&b, key.s, key.len, SHOPIFY_QUOTE_CHARS);
        shopify_warn(c, line, "%s: %s is stored as '%s'", shopify_colname(c, COL_HANDLE),
                     buf_cstr(&b), sp->handle);
        buf_free(&b);
    }
    p->handle = sp->handle;

    size_t blen;
    int bi = c->h->idx[COL_BODY];
    const char *body = bi >= 0 && (size_t)bi < csv_field_count(rec)
                           ? csv_field(rec, (size_t)bi, &blen)
                           : (blen = 0, "");
    p->body_html = dup(sp, sv_trim(body, blen));
    p->vendor = dup(sp, shopify_field(c->h, rec, COL_VENDOR));
    sv_t type = shopify_field(c->h, rec, COL_TYPE);
    if (type.len > 0) {
        p->product_type = dup(sp, type);
    } else {
        /* No Type: the last step of the Product category ("Apparel &
         * Accessories > Clothing > Shirts" is "Shirts"). */
        sv_t cat = shopify_field(c->h, rec, COL_CATEGORY);
        const char *gt = cat.len ? memrchr(cat.s, '>', cat.len) : NULL;
        p->product_type = dup(sp, gt ? sv_trim(gt + 1, (size_t)(cat.s + cat.len - gt - 1)) : cat);
    }
    p->seo_title = dup(sp, shopify_field(c->h, rec, COL_SEO_TITLE));
    p->seo_description = dup(sp, shopify_field(c->h, rec, COL_SEO_DESCRIPTION));
    read_status(c, sp, rec);
    read_tags(c, sp, shopify_field(c->h, rec, COL_TAGS), line);

    sv_t names[3];
    for (size_t i = 0; i < 3; i++) {
        names[i] = shopify_field(c->h, rec, opt_name_col[i]);
        if (names[i].len > 0)
            sp->noptions = i + 1;
    }
    for (size_t i = 0; i < sp->noptions; i++) {
        if (names[i].len == 0)
            shopify_error(c, sp, line, "%s: required, as %s is given",
                          shopify_colname(c, opt_name_col[i]),
                          shopify_colname(c, opt_name_col[sp->noptions - 1]));
        p->option_names[i] = dup(sp, names[i]);
    }
    if (sp->noptions == 1 && sv_eq(names[0], "Title") &&
        sv_eq(shopify_field(c->h, rec, COL_OPT1_VALUE), "Default Title")) {
        sp->noptions = 0;
        sp->default_title = true;
        p->option_names[0] = NULL;
    }
    read_variant(c, sp, rec);
    read_image(c, sp, rec);
}

void shopify_product_row(shopify_ctx_t *c, shopify_product_t *sp, const csv_record_t *rec)
{
    sp->last_line = csv_record_line(rec);
    if (row_has_variant(c->h, rec))
        read_variant(c, sp, rec);
    read_image(c, sp, rec);
}

/* Images in Image Position order; equal positions keep the file's order. */
static void sort_images(shopify_product_t *sp)
{
    size_t n = sp->p.nimages;
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && sp->ipos[j - 1] > sp->ipos[j]; j--) {
            image_t ti = sp->img[j];
            sp->img[j] = sp->img[j - 1];
            sp->img[j - 1] = ti;
            size_t tl = sp->iline[j];
            sp->iline[j] = sp->iline[j - 1];
            sp->iline[j - 1] = tl;
            int64_t tp = sp->ipos[j];
            sp->ipos[j] = sp->ipos[j - 1];
            sp->ipos[j - 1] = tp;
            int tv = sp->ivariant[j];
            sp->ivariant[j] = sp->ivariant[j - 1];
            sp->ivariant[j - 1] = tv;
        }
    }
    for (size_t i = 0; i < n; i++)
        sp->img[i].position = (int)i + 1;
}

bool shopify_product_finish(shopify_ctx_t *c, shopify_product_t *sp)
{
    sort_images(sp);
    /* A variant's image is one of the product's images, added at the end if
     * the rows did not list it. Our images show one variant each: an image
     * named by several variants shows the first. */
    for (size_t k = 0; k < sp->p.nvariants; k++) {
        const char *u = sp->vimage[k];
        if (u == NULL)
            continue;
        int64_t last = sp->p.nimages ? sp->ipos[sp->p.nimages - 1] : 0;
        add_image(c, sp, sp->vline[k], (sv_t){u, strlen(u)}, (sv_t){"", 0}, last + 1, (int)k);
    }
    for (size_t i = 0; i < sp->p.nimages; i++)
        sp->img[i].position = (int)i + 1;
    return !sp->rejected;
}
