/* catalog.c - the catalog's rules, with no SQL: validation and normalization
 * of products and collections, handles and slugs, public ids, the enums.
 * catalog_repo.c and collection_repo.c call catalog_*_prepare() before they
 * write anything, so every rule lives here once. */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/sanitize.h"
#include "core/utf8.h"
#include "core/util.h"
#include "shop/catalog.h"
#include "shop/catalog_int.h"

/* ---- enums ---- */

static const char *const status_names[] = {"draft", "active", "archived"};
static const char *const unit_names[] = {"g", "kg", "lb", "oz"};

const char *product_status_name(product_status_t s)
{
    return (unsigned)s < ARRAY_LEN(status_names) ? status_names[s] : "draft";
}

int product_status_parse(const char *s, product_status_t *out)
{
    for (size_t i = 0; s && i < ARRAY_LEN(status_names); i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (product_status_t)i;
            return 0;
        }
    }
    return SOUK_EINVAL;
}

const char *weight_unit_name(weight_unit_t u)
{
    return (unsigned)u < ARRAY_LEN(unit_names) ? unit_names[u] : "kg";
}

int weight_unit_parse(const char *s, weight_unit_t *out)
{
    for (size_t i = 0; s && i < ARRAY_LEN(unit_names); i++) {
        if (strcmp(s, unit_names[i]) == 0) {
            *out = (weight_unit_t)i;
            return 0;
        }
    }
    return SOUK_EINVAL;
}

/* ---- small helpers ---- */

void catalog_err(catalog_errors_t *e, const char *field, const char *msg)
{
    if (e && e->n < ARRAY_LEN(e->items)) {
        e->items[e->n].field = field;
        e->items[e->n].message = msg;
        e->n++;
    }
}

const char *catalog_fieldf(arena_t *a, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    return arena_strdup(a, tmp);
}

static void sodium_once(void)
{
    if (sodium_init() < 0)
        BUG("libsodium failed to initialise");
}

/* Ids are base32 in an alphabet listed in byte order, so that comparing two
 * ids as bytes (as the UNIQUE indexes on public_id do) compares their
 * values. The first half is the time of creation in milliseconds, the second
 * half random: ids made later sort later, so a bulk import appends to the
 * public_id indexes instead of dirtying leaf pages all over them (with fully
 * random ids a 10,000-product batch touched most of three indexes, and a
 * 1,000,000-product import on SQLite took about two fifths longer). 50
 * random bits keep an id unguessable even knowing when it was made; the
 * time it tells is the created_at every product shows anyway. */
#define ID_CHARS 20
#define ID_TIME_CHARS 10 /* 50 bits of milliseconds: past the year 30,000 */

/* Random bits for ids, drawn from libsodium a block at a time: drawn per
 * id, each was a getrandom() system call, about 5% of an import's time. */
static uint64_t id_random(void)
{
    static _Thread_local uint64_t pool[64];
    static _Thread_local size_t left;
    if (left == 0) {
        randombytes_buf(pool, sizeof(pool));
        left = ARRAY_LEN(pool);
    }
    return pool[--left];
}

char *catalog_new_public_id(arena_t *a, const char *prefix)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static const char b32[] = "234567abcdefghijklmnopqrstuvwxyz";
    pthread_once(&once, sodium_once);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    uint64_t rnd = id_random();
    size_t plen = strlen(prefix);
    char *s = arena_alloc(a, plen + ID_CHARS + 1);
    memcpy(s, prefix, plen);
    char *t = s + plen;
    for (int i = ID_TIME_CHARS - 1; i >= 0; i--, ms >>= 5)
        t[i] = b32[ms & 31];
    for (int i = ID_TIME_CHARS; i < ID_CHARS; i++, rnd >>= 5)
        t[i] = b32[rnd & 31];
    t[ID_CHARS] = '\0';
    return s;
}

void catalog_now(char out[32])
{
    log_time_iso(out);
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int catalog_text_cmp(const char *x, const char *y)
{
    const unsigned char *p = (const unsigned char *)x, *q = (const unsigned char *)y;
    for (; *p && ascii_lower(*p) == ascii_lower(*q); p++, q++)
        ;
    int d = ascii_lower(*p) - ascii_lower(*q);
    return d ? d : strcmp(x, y);
}

static bool same_nocase(const char *x, const char *y)
{
    for (; *x && ascii_lower((unsigned char)*x) == ascii_lower((unsigned char)*y); x++, y++)
        ;
    return *x == '\0' && *y == '\0';
}

/* ---- handles and slugs ---- */

bool catalog_handle_valid(const char *s)
{
    if (s == NULL || s[0] == '\0' || s[0] == '-')
        return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
        if (n >= CATALOG_MAX_HANDLE)
            return false;
    }
    return s[n - 1] != '-';
}

/* Latin-1 Supplement, Latin Extended-A and the Romanian commas of
 * Extended-B, folded to ASCII as a merchant would spell them in a URL. */
static const struct {
    uint16_t lo, hi;
    const char *ascii;
} folds[] = {
    {0xC0, 0xC5, "a"},   {0xC6, 0xC6, "ae"},   {0xC7, 0xC7, "c"},   {0xC8, 0xCB, "e"},
    {0xCC, 0xCF, "i"},   {0xD0, 0xD0, "d"},    {0xD1, 0xD1, "n"},   {0xD2, 0xD6, "o"},
    {0xD8, 0xD8, "o"},   {0xD9, 0xDC, "u"},    {0xDD, 0xDD, "y"},   {0xDE, 0xDE, "th"},
    {0xDF, 0xDF, "ss"},  {0xE0, 0xE5, "a"},    {0xE6, 0xE6, "ae"},  {0xE7, 0xE7, "c"},
    {0xE8, 0xEB, "e"},   {0xEC, 0xEF, "i"},    {0xF0, 0xF0, "d"},   {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"},   {0xF8, 0xF8, "o"},    {0xF9, 0xFC, "u"},   {0xFD, 0xFD, "y"},
    {0xFE, 0xFE, "th"},  {0xFF, 0xFF, "y"},    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"},
    {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},  {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},
    {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"}, {0x136, 0x138, "k"},
    {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},  {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},  {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
    {0x174, 0x175, "w"}, {0x176, 0x178, "y"},  {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
    {0x218, 0x219, "s"}, {0x21A, 0x21B, "t"},
};

static const char *fold(uint32_t cp)
{
    for (size_t i = 0; i < ARRAY_LEN(folds); i++) {
        if (cp >= folds[i].lo && cp <= folds[i].hi)
            return folds[i].ascii;
    }
    return NULL;
}

/* Decode one code point from s (lenient: a bad byte is returned as U+FFFD
 * and skipped alone). Returns the bytes used. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    if (n == 0 || !utf8_valid((const char *)s, n) || memchr(s, 0, n)) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = n == 1 ? s[0] : s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        v = v << 6 | (s[i] & 0x3F);
    *cp = v;
    return n;
}

/* Shorten s[0..*n) to at most max bytes, on a '-' when one is left, and
 * without a trailing '-'. */
static void cut_handle(char *s, size_t *n, size_t max)
{
    if (*n > max) {
        size_t cut = max;
        if (s[max] != '-') {
            for (size_t k = max; k > 0; k--) {
                if (s[k - 1] == '-') {
                    cut = k - 1;
                    break;
                }
            }
            if (cut == 0)
                cut = max;
        }
        *n = cut;
    }
    while (*n > 0 && s[*n - 1] == '-')
        (*n)--;
}

char *catalog_slugify(arena_t *a, const char *title)
{
    char tmp[CATALOG_MAX_HANDLE + 2];
    size_t n = 0;
    bool sep = false;
    const unsigned char *s = (const unsigned char *)(title ? title : "");
    while (*s && n <= CATALOG_MAX_HANDLE) {
        uint32_t cp;
        s += decode(s, &cp);
        char one[2] = {0, 0};
        const char *rep = NULL;
        if (cp == '\'' || cp == 0x2019) /* "men's" -> "mens", as Shopify */
            continue;
        if (cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))) {
            one[0] = (char)cp;
            rep = one;
        } else if (cp >= 'A' && cp <= 'Z') {
            one[0] = (char)ascii_lower((int)cp);
            rep = one;
        } else {
            rep = fold(cp);
        }
        if (rep == NULL) {
            sep = true;
            continue;
        }
        for (; *rep && n <= CATALOG_MAX_HANDLE; rep++) {
            if (sep && n > 0)
                tmp[n++] = '-';
            sep = false;
            if (n <= CATALOG_MAX_HANDLE)
                tmp[n++] = *rep;
        }
    }
    cut_handle(tmp, &n, CATALOG_MAX_HANDLE);
    if (n == 0)
        return arena_strdup(a, "product");
    return arena_strndup(a, tmp, n);
}

char *catalog_handle_suffixed(arena_t *a, const char *base, const char *suffix)
{
    size_t blen = strlen(base), slen = strlen(suffix);
    ASSERT(slen + 2 < CATALOG_MAX_HANDLE);
    char *s = arena_alloc(a, blen + slen + 2);
    memcpy(s, base, blen);
    size_t n = blen;
    cut_handle(s, &n, CATALOG_MAX_HANDLE - 1 - slen);
    if (n == 0) {
        memcpy(s, "product", 7);
        n = 7;
    }
    s[n++] = '-';
    memcpy(s + n, suffix, slen + 1);
    return s;
}

/* ---- text ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The problem with s[0..len) as text, or NULL: valid UTF-8, and no C0, DEL
 * or C1 control characters (tab, LF and CR allowed when multiline). */
static const char *text_problem(const char *s, size_t len, bool multiline)
{
    if (!utf8_valid(s, len))
        return "must be valid utf-8";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            if (multiline && (c == '\t' || c == '\n' || c == '\r'))
                continue;
            return "must not contain control characters";
        }
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9F)
            return "must not contain control characters";
    }
    return NULL;
}

typedef struct {
    arena_t *a;
    catalog_errors_t *errs;
    int nerr; /* problems found, even past what errs can hold */
} vctx_t;

static void verr(vctx_t *v, const char *field, const char *msg)
{
    catalog_err(v->errs, field, msg);
    v->nerr++;
}

static const char *too_long(vctx_t *v, size_t max, const char *unit)
{
    return catalog_fieldf(v->a, "must be at most %zu %s", max, unit);
}

/* s trimmed (NULL is "") and copied into the arena; a problem with it (not
 * valid text, more than max characters) is reported under field. */
static const char *line(vctx_t *v, const char *field, const char *s, size_t max, bool multiline)
{
    if (s == NULL)
        s = "";
    size_t len = strlen(s);
    while (len > 0 && is_space(s[len - 1]))
        len--;
    while (len > 0 && is_space(*s))
        s++, len--;
    const char *bad = text_problem(s, len, multiline);
    if (bad)
        verr(v, field, bad);
    else if (utf8_chars(s, len) > max)
        verr(v, field, too_long(v, max, "characters"));
    return arena_strndup(v->a, s, len);
}

static const char *opt_line(vctx_t *v, const char *field, const char *s, size_t max)
{
    const char *t = line(v, field, s, max, false);
    return t[0] ? t : NULL;
}

static const char *handle_field(vctx_t *v, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return "";
    if (!catalog_handle_valid(s)) {
        if (strlen(s) > CATALOG_MAX_HANDLE)
            verr(v, "handle", too_long(v, CATALOG_MAX_HANDLE, "bytes"));
        else
            verr(v, "handle", "must be lowercase letters, digits and inner '-'");
        return "";
    }
    return arena_strdup(v->a, s);
}

static const char *body_field(vctx_t *v, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return "";
    size_t len = strlen(s);
    if (len > CATALOG_MAX_BODY_HTML) {
        verr(v, "body_html", too_long(v, CATALOG_MAX_BODY_HTML, "bytes"));
        return "";
    }
    const char *bad = text_problem(s, len, true);
    if (bad) {
        verr(v, "body_html", bad);
        return "";
    }
    buf_t out = BUF_INIT;
    int rc = sanitize_html(s, len, &out);
    const char *r = "";
    if (rc == 0)
        r = arena_strndup(v->a, buf_cstr(&out), out.len);
    else
        verr(v, "body_html",
             rc == SOUK_ELIMIT ? "is too large or too deeply nested" : "could not be read as html");
    buf_free(&out);
    return r;
}

static const char *public_id_field(vctx_t *v, const char *s)
{
    return s && s[0] ? arena_strdup(v->a, s) : NULL;
}

/* ---- products ---- */

static bool url_char_ok(unsigned char c)
{
    return c > 0x20 && c != 0x7F && strchr("\"<>\\^`{|}", c) == NULL;
}

/* An absolute http(s) URL with a host, or a relative path in the media store:
 * segments of [A-Za-z0-9-._~!$&'()*+,;=@] or non-ASCII, none empty, "." or "..". */
static bool src_ok(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (!url_char_ok((unsigned char)*p))
            return false;
    }
    const char *host = NULL;
    if (strncasecmp(s, "http://", 7) == 0)
        host = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        host = s + 8;
    if (host)
        return *host && strchr("/?#", *host) == NULL;
    const char *seg = s;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '/' || c == '\0') {
            size_t n = (size_t)(p - seg);
            if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
                return false;
            if (c == '\0')
                return true;
            seg = p + 1;
        } else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                 (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=@", c))) {
            return false;
        }
    }
}

static void prepare_options(vctx_t *v, const product_t *in, product_t *out, size_t *nopts)
{
    *nopts = 0;
    for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++) {
        const char *f = catalog_fieldf(v->a, "option_names[%zu]", k);
        const char *name = opt_line(v, f, in->option_names[k], CATALOG_MAX_SHORT_TEXT);
        out->option_names[k] = name;
        if (name == NULL)
            continue;
        if (*nopts != k) {
            verr(v, f, "follows an empty option name");
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            if (out->option_names[j] && same_nocase(out->option_names[j], name))
                verr(v, f, catalog_fieldf(v->a, "repeats option_names[%zu]", j));
        }
        *nopts = k + 1;
    }
}

static void prepare_tags(vctx_t *v, const product_t *in, product_t *out)
{
    if (in->ntags > CATALOG_MAX_TAGS) {
        verr(v, "tags", catalog_fieldf(v->a, "must be at most %d tags", CATALOG_MAX_TAGS));
        return;
    }
    if (in->ntags == 0 || in->tags == NULL)
        return;
    const char **tags = arena_alloc(v->a, in->ntags * sizeof(*tags));
    size_t n = 0;
    for (size_t i = 0; i < in->ntags; i++) {
        const char *f = catalog_fieldf(v->a, "tags[%zu]", i);
        const char *t = line(v, f, in->tags[i], CATALOG_MAX_TAG, false);
        if (t[0] == '\0')
            continue;
        if (strchr(t, ',')) {
            verr(v, f, "must not contain a comma");
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = same_nocase(tags[j], t);
        if (!dup)
            tags[n++] = t;
    }
    out->tags = tags;
    out->ntags = n;
}

static bool in_range(int64_t x, int64_t lo, int64_t hi)
{
    return x >= lo && x <= hi;
}

static void prepare_variant(vctx_t *v, const variant_t *in, variant_t *out, size_t i, size_t nopts)
{
    arena_t *a = v->a;
    memset(out, 0, sizeof(*out));
    out->id = in->id;
    out->public_id = public_id_field(v, in->public_id);
    out->position = (int)i + 1;
    out->sku =
        opt_line(v, catalog_fieldf(a, "variants[%zu].sku", i), in->sku, CATALOG_MAX_SHORT_TEXT);
    for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++) {
        const char *f = catalog_fieldf(a, "variants[%zu].options[%zu]", i, k);
        const char *val = opt_line(v, f, in->options[k], CATALOG_MAX_SHORT_TEXT);
        if (k < nopts && val == NULL)
            verr(v, f, "is required");
        else if (k >= nopts && val != NULL)
            verr(v, f, catalog_fieldf(a, "must be empty: the product has %zu options", nopts));
        out->options[k] = k < nopts ? val : NULL;
    }
    char range[64];
    snprintf(range, sizeof(range), "between 0 and %lld", (long long)CATALOG_MAX_PRICE);
    out->price = in->price;
    if (!in_range(in->price, 0, CATALOG_MAX_PRICE))
        verr(v, catalog_fieldf(a, "variants[%zu].price", i),
             catalog_fieldf(a, "must be %s", range));
    out->compare_at_price = in->compare_at_price;
    if (in->compare_at_price != -1 && !in_range(in->compare_at_price, 0, CATALOG_MAX_PRICE))
        verr(v, catalog_fieldf(a, "variants[%zu].compare_at_price", i),
             catalog_fieldf(a, "must be -1 (none) or %s", range));
    out->cost = in->cost;
    if (in->cost != -1 && !in_range(in->cost, 0, CATALOG_MAX_PRICE))
        verr(v, catalog_fieldf(a, "variants[%zu].cost", i),
             catalog_fieldf(a, "must be -1 (none) or %s", range));
    out->weight_grams = in->weight_grams;
    if (!in_range(in->weight_grams, 0, CATALOG_MAX_WEIGHT_GRAMS))
        verr(v, catalog_fieldf(a, "variants[%zu].weight_grams", i),
             catalog_fieldf(a, "must be between 0 and %lld", (long long)CATALOG_MAX_WEIGHT_GRAMS));
    out->weight_unit = in->weight_unit;
    if ((unsigned)in->weight_unit >= ARRAY_LEN(unit_names))
        verr(v, catalog_fieldf(a, "variants[%zu].weight_unit", i), "must be g, kg, lb or oz");
    out->barcode = opt_line(v, catalog_fieldf(a, "variants[%zu].barcode", i), in->barcode,
                            CATALOG_MAX_SHORT_TEXT);
    out->requires_shipping = in->requires_shipping;
    out->taxable = in->taxable;
    out->inventory_policy = in->inventory_policy;
    bool policy_ok =
        in->inventory_policy == INVENTORY_DENY || in->inventory_policy == INVENTORY_CONTINUE;
    if (!policy_ok)
        verr(v, catalog_fieldf(a, "variants[%zu].inventory_policy", i), "must be deny or continue");
    out->inventory_quantity = in->inventory_quantity;
    const char *fq = catalog_fieldf(a, "variants[%zu].inventory_quantity", i);
    if (!in_range(in->inventory_quantity, -CATALOG_MAX_QUANTITY, CATALOG_MAX_QUANTITY))
        verr(v, fq,
             catalog_fieldf(a, "must be between -%lld and %lld", (long long)CATALOG_MAX_QUANTITY,
                            (long long)CATALOG_MAX_QUANTITY));
    else if (in->inventory_quantity < 0 && policy_ok && in->inventory_policy == INVENTORY_DENY)
        verr(v, fq, "may be negative only when selling on backorder");
}

static bool same_options(const variant_t *x, const variant_t *y)
{
    for (size_t k = 0; k < CATALOG_MAX_OPTIONS; k++) {
        if ((x->options[k] == NULL) != (y->options[k] == NULL))
            return false;
        if (x->options[k] && !same_nocase(x->options[k], y->options[k]))
            return false;
    }
    return true;
}

static void prepare_variants(vctx_t *v, const product_t *in, product_t *out, size_t nopts)
{
    if (in->nvariants == 0 || in->variants == NULL) {
        verr(v, "variants", "at least one variant is required");
        return;
    }
    if (in->nvariants > CATALOG_MAX_VARIANTS) {
        verr(v, "variants",
             catalog_fieldf(v->a, "must be at most %d variants", CATALOG_MAX_VARIANTS));
        return;
    }
    size_t n = in->nvariants;
    variant_t *vs = arena_alloc(v->a, n * sizeof(*vs));
    for (size_t i = 0; i < n; i++) {
        prepare_variant(v, &in->variants[i], &vs[i], i, nopts);
        for (size_t j = 0; j < i; j++) {
            if (vs[i].public_id && vs[j].public_id && strcmp(vs[i].public_id, vs[j].public_id) == 0)
                verr(v, catalog_fieldf(v->a, "variants[%zu].public_id", i),
                     catalog_fieldf(v->a, "repeats variants[%zu]", j));
            if (vs[i].sku && vs[j].sku && strcmp(vs[i].sku, vs[j].sku) == 0)
                verr(v, catalog_fieldf(v->a, "variants[%zu].sku", i),
                     catalog_fieldf(v->a, "repeats the sku of variants[%zu]", j));
            if (same_options(&vs[i], &vs[j]))
                verr(v, catalog_fieldf(v->a, "variants[%zu].options", i),
                     catalog_fieldf(v->a, "repeat the options of variants[%zu]", j));
        }
    }
    out->variants = vs;
    out->nvariants = n;
}

static void prepare_images(vctx_t *v, const product_t *in, product_t *out)
{
    if (in->nimages > CATALOG_MAX_IMAGES) {
        verr(v, "images", catalog_fieldf(v->a, "must be at most %d images", CATALOG_MAX_IMAGES));
        return;
    }
    if (in->nimages == 0 || in->images == NULL)
        return;
    arena_t *a = v->a;
    size_t n = in->nimages;
    image_t *im = arena_alloc(a, n * sizeof(*im));
    for (size_t i = 0; i < n; i++) {
        const image_t *src = &in->images[i];
        image_t *dst = &im[i];
        memset(dst, 0, sizeof(*dst));
        dst->id = src->id;
        dst->public_id = public_id_field(v, src->public_id);
        dst->position = (int)i + 1;
        for (size_t j = 0; j < i; j++) {
            if (dst->public_id && im[j].public_id && strcmp(dst->public_id, im[j].public_id) == 0)
                verr(v, catalog_fieldf(a, "images[%zu].public_id", i),
                     catalog_fieldf(a, "repeats images[%zu]", j));
        }
        const char *f = catalog_fieldf(a, "images[%zu].src", i);
        size_t nerr = (size_t)v->nerr;
        dst->src = line(v, f, src->src, CATALOG_MAX_URL, false);
        if ((size_t)v->nerr == nerr) {
            if (dst->src[0] == '\0')
                verr(v, f, "is required");
            else if (strlen(dst->src) > CATALOG_MAX_URL)
                verr(v, f, too_long(v, CATALOG_MAX_URL, "bytes"));
            else if (!src_ok(dst->src))
                verr(v, f, "must be an http(s) url or a media path without '..'");
        }
        dst->alt = line(v, catalog_fieldf(a, "images[%zu].alt", i), src->alt,
                        CATALOG_MAX_SHORT_TEXT, false);
        dst->variant_public_id = public_id_field(v, src->variant_public_id);
        if (dst->variant_public_id) {
            bool found = false;
            for (size_t k = 0; k < out->nvariants && !found; k++) {
                const char *vp = out->variants[k].public_id;
                found = vp && strcmp(vp, dst->variant_public_id) == 0;
            }
            if (!found)
                verr(v, catalog_fieldf(a, "images[%zu].variant_public_id", i),
                     "is not one of this product's variants");
        }
        dst->width = src->width;
        dst->height = src->height;
        char msg[48];
        snprintf(msg, sizeof(msg), "must be between 0 and %d", CATALOG_MAX_IMAGE_SIDE);
        if (!in_range(src->width, 0, CATALOG_MAX_IMAGE_SIDE))
            verr(v, catalog_fieldf(a, "images[%zu].width", i), arena_strdup(a, msg));
        if (!in_range(src->height, 0, CATALOG_MAX_IMAGE_SIDE))
            verr(v, catalog_fieldf(a, "images[%zu].height", i), arena_strdup(a, msg));
    }
    out->images = im;
    out->nimages = n;
}

int catalog_product_prepare(arena_t *a, const product_t *in, product_t *out, catalog_errors_t *errs)
{
    vctx_t v = {a, errs, 0};
    memset(out, 0, sizeof(*out));
    out->id = in->id;
    out->public_id = public_id_field(&v, in->public_id);
    out->title = line(&v, "title", in->title, CATALOG_MAX_TITLE, false);
    if (out->title[0] == '\0' && v.nerr == 0)
        verr(&v, "title", "is required");
    out->handle = handle_field(&v, in->handle);
    out->body_html = body_field(&v, in->body_html);
    out->vendor = line(&v, "vendor", in->vendor, CATALOG_MAX_SHORT_TEXT, false);
    out->product_type = line(&v, "product_type", in->product_type, CATALOG_MAX_SHORT_TEXT, false);
    out->status = in->status;
    if ((unsigned)in->status >= ARRAY_LEN(status_names))
        verr(&v, "status", "must be draft, active or archived");
    out->seo_title = line(&v, "seo_title", in->seo_title, CATALOG_MAX_TITLE, false);
    out->seo_description =
        line(&v, "seo_description", in->seo_description, CATALOG_MAX_SEO_DESCRIPTION, false);
    size_t nopts;
    prepare_options(&v, in, out, &nopts);
    prepare_tags(&v, in, out);
    prepare_variants(&v, in, out, nopts);
    prepare_images(&v, in, out);
    for (size_t i = 0; i < out->nvariants; i++) {
        const variant_t *va = &out->variants[i];
        if (i == 0 || va->price < out->price_min)
            out->price_min = va->price;
        if (i == 0 || va->price > out->price_max)
            out->price_max = va->price;
        if (va->inventory_quantity > 0 || va->inventory_policy == INVENTORY_CONTINUE)
            out->available = true;
    }
    return v.nerr ? SOUK_EINVAL : 0;
}

/* ---- collections ---- */

int catalog_collection_prepare(arena_t *a, const collection_t *in, collection_t *out,
                               catalog_errors_t *errs)
{
    vctx_t v = {a, errs, 0};
    memset(out, 0, sizeof(*out));
    out->id = in->id;
    out->public_id = public_id_field(&v, in->public_id);
    int before = v.nerr;
    out->title = line(&v, "title", in->title, CATALOG_MAX_TITLE, false);
    if (out->title[0] == '\0' && v.nerr == before)
        verr(&v, "title", "is required");
    out->handle = handle_field(&v, in->handle);
    out->body_html = body_field(&v, in->body_html);
    out->parent_public_id =
        opt_line(&v, "parent_public_id", in->parent_public_id, CATALOG_MAX_SHORT_TEXT);
    out->position = in->position;
    if (in->position < 0)
        verr(&v, "position", "must be 0 (at the end) or more");
    out->featured = in->featured;
    out->published = in->published;
    out->seo_title = line(&v, "seo_title", in->seo_title, CATALOG_MAX_TITLE, false);
    out->seo_description =
        line(&v, "seo_description", in->seo_description, CATALOG_MAX_SEO_DESCRIPTION, false);
    return v.nerr ? SOUK_EINVAL : 0;
}

int catalog_product_validate(arena_t *a, const product_t *p, catalog_errors_t *errs)
{
    product_t out;
    return catalog_product_prepare(a, p, &out, errs);
}
