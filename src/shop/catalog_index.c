/* catalog_index.c - the search index of the catalog and the tokenizer that
 * queries share with it (catalog_search_int.h).
 *
 * SQLite: products_fts (FTS5, porter over unicode61 with diacritics removed)
 * holds each product's raw text; FTS5 tokenizes it. PostgreSQL: products.search
 * is a weighted tsvector built from text that search_text_fold() has already
 * cut and folded, because PostgreSQL's own parser reads "ABC-123" as "abc" and
 * "-123", "shop.example" as one host name, and has no accent folding here. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/sanitize.h"
#include "core/utf8.h"
#include "core/util.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_search_int.h"

/* ---- tokenizer ---- */

/* The code point at s[*i], advancing *i; an invalid byte reads as U+FFFD
 * (a separator here) and advances by one. */
static uint32_t next_cp(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t left = len - *i;
    uint32_t c = u[0];
    size_t n = 1;
    if (c >= 0x80) {
        n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c < 0xC2 || c > 0xF4 || n > left || !utf8_valid(s + *i, n)) {
            (*i)++;
            return 0xFFFD;
        }
        c &= 0x3F >> (n - 1);
        for (size_t k = 1; k < n; k++)
            c = (c << 6) | (u[k] & 0x3F);
    }
    *i += n;
    return c;
}

/* Code points outside ASCII that never belong to a token: punctuation,
 * symbols, spaces, combining marks, emoji. Conservative on purpose: what
 * FTS5's unicode61 takes as a separator must be one here too, or a query
 * token could reach FTS5 as an empty phrase. */
static const struct {
    uint32_t lo, hi;
} SEPARATORS[] = {
    {0x0080, 0x00A9},   {0x00AB, 0x00B4}, {0x00B6, 0x00B9}, {0x00BB, 0x00BF},   {0x00D7, 0x00D7},
    {0x00F7, 0x00F7},   {0x02C2, 0x02C5}, {0x02D2, 0x02DF}, {0x0300, 0x036F},   {0x037E, 0x037E},
    {0x0387, 0x0387},   {0x055A, 0x055F}, {0x0589, 0x058A}, {0x05BE, 0x05BE},   {0x05C0, 0x05C0},
    {0x05C3, 0x05C3},   {0x05F3, 0x05F4}, {0x060C, 0x060D}, {0x061B, 0x061F},   {0x066A, 0x066D},
    {0x06D4, 0x06D4},   {0x0964, 0x0965}, {0x0E3F, 0x0E3F}, {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},
    {0x2000, 0x2BFF},   {0x2E00, 0x2E7F}, {0x3000, 0x3004}, {0x3008, 0x3020},   {0x3030, 0x3030},
    {0xFD3E, 0xFD3F},   {0xFE00, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF00, 0xFF0F},   {0xFF1A, 0xFF20},
    {0xFF3B, 0xFF40},   {0xFF5B, 0xFF65}, {0xFFE0, 0xFFFF}, {0x1D100, 0x1D24F}, {0x1F000, 0x1FAFF},
    {0xE0000, 0xE007F},
};

static bool is_token_cp(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    size_t lo = 0, hi = ARRAY_LEN(SEPARATORS);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < SEPARATORS[mid].lo)
            hi = mid;
        else if (c > SEPARATORS[mid].hi)
            lo = mid + 1;
        else
            return false;
    }
    return true;
}

static bool is_connector(char c)
{
    return c == '-' || c == '_' || c == '.' || c == '/' || c == '\'';
}

typedef struct {
    const char *s;
    size_t len, pos;
    size_t prev_end; /* end of the last token; SIZE_MAX before the first */
} tok_iter_t;

/* The next token s[*start, *end); *joined when only one connector lies
 * between it and the previous token. */
static bool tok_next(tok_iter_t *it, size_t *start, size_t *end, bool *joined)
{
    size_t i = it->pos, at;
    for (;;) {
        if (i >= it->len) {
            it->pos = i;
            return false;
        }
        at = i;
        if (is_token_cp(next_cp(it->s, it->len, &i)))
            break;
    }
    size_t e = i;
    while (e < it->len) {
        size_t j = e;
        if (!is_token_cp(next_cp(it->s, it->len, &j)))
            break;
        e = j;
    }
    *joined = it->prev_end != SIZE_MAX && at == it->prev_end + 1 && is_connector(it->s[at - 1]);
    *start = at;
    *end = e;
    it->prev_end = e;
    it->pos = e;
    return true;
}

/* ---- folding (PostgreSQL's view of a token) ---- */

/* U+00C0..U+017F to ASCII; NULL keeps the letter (or marks a separator). */
static const char *const LATIN[] = {
    /* C0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* D0 */ "d",  "n", "o",  "o",  "o", "o", "o",  NULL,
    "o",           "u", "u",  "u",  "u", "y", "th", "ss",
    /* E0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* F0 */ "d",  "n", "o",  "o",  "o", "o", "o",  NULL,
    "o",           "u", "u",  "u",  "u", "y", "th", "y",
    /* 100 */ "a", "a", "a",  "a",  "a", "a", "c",  "c",
    "c",           "c", "c",  "c",  "c", "c", "d",  "d",
    /* 110 */ "d", "d", "e",  "e",  "e", "e", "e",  "e",
    "e",           "e", "e",  "e",  "g", "g", "g",  "g",
    /* 120 */ "g", "g", "g",  "g",  "h", "h", "h",  "h",
    "i",           "i", "i",  "i",  "i", "i", "i",  "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k",  "k",
    "k",           "l", "l",  "l",  "l", "l", "l",  "l",
    /* 140 */ "l", "l", "l",  "n",  "n", "n", "n",  "n",
    "n",           "n", "n",  "n",  "o", "o", "o",  "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r",  "r",
    "r",           "r", "s",  "s",  "s", "s", "s",  "s",
    /* 160 */ "s", "s", "t",  "t",  "t", "t", "t",  "t",
    "u",           "u", "u",  "u",  "u", "u", "u",  "u",
    /* 170 */ "u", "u", "u",  "u",  "w", "w", "y",  "y",
    "y",           "z", "z",  "z",  "z", "z", "z",  "s",
};

static void fold_token(buf_t *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t at = i;
        uint32_t c = next_cp(s, len, &i);
        if (c < 0x80)
            buf_putc(out, (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
        else if (c >= 0xC0 && c <= 0x17F && LATIN[c - 0xC0])
            buf_puts(out, LATIN[c - 0xC0]);
        else
            buf_append(out, s + at, i - at);
    }
}

void search_text_fold(buf_t *out, const char *s, size_t len)
{
    tok_iter_t it = {s, len, 0, SIZE_MAX};
    size_t start, end;
    bool joined;
    while (tok_next(&it, &start, &end, &joined)) {
        if (out->len > 0)
            buf_putc(out, ' ');
        fold_token(out, s + start, end - start);
    }
}

/* ---- queries ---- */

/* Append s[0..len) with every q doubled (the escape of both quoting rules
 * used here; backslashes are doubled too, for tsquery). */
static void put_escaped(buf_t *b, const char *s, size_t len, char q)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == q || (q == '\'' && s[i] == '\\'))
            buf_putc(b, s[i]);
        buf_putc(b, s[i]);
    }
}

int search_text_parse(arena_t *a, const char *q, search_text_t *out)
{
    memset(out, 0, sizeof(*out));
    if (q == NULL || q[0] == '\0')
        return 0;
    size_t len = strnlen(q, CATALOG_MAX_QUERY + 1);
    if (len > CATALOG_MAX_QUERY)
        return SOUK_ELIMIT;
    if (!utf8_valid(q, len))
        return SOUK_EINVAL;

    struct {
        size_t start, end;
        bool joined;
    } tok[SEARCH_MAX_TERMS];
    size_t n = 0;
    tok_iter_t it = {q, len, 0, SIZE_MAX};
    while (n < SEARCH_MAX_TERMS && tok_next(&it, &tok[n].start, &tok[n].end, &tok[n].joined))
        n++;
    if (n == 0)
        return 0;
    tok[0].joined = false;
    size_t last = n - 1; /* the first token of the last group */
    while (tok[last].joined)
        last--;
    /* The last token is a prefix, as the shopper types, unless it is one
     * character: a prefix that short matches nearly every product, and
     * expanding it costs a scan of the whole term index. */
    size_t chars = 0;
    for (size_t i = tok[n - 1].start; i < tok[n - 1].end; i++)
        chars += ((unsigned char)q[i] & 0xC0) != 0x80;
    const char *fts_end = chars > 1 ? "\"*" : "\"", *ts_end = chars > 1 ? "':*" : "'";

    buf_t fts = BUF_INIT, head = BUF_INIT, tail = BUF_INIT, word = BUF_INIT;
    size_t from[SEARCH_MAX_TERMS], to[SEARCH_MAX_TERMS]; /* each group in fts */
    for (size_t i = 0; i < n; i++) {
        bool first = !tok[i].joined, end = i + 1 == n || !tok[i + 1].joined;
        const char *t = q + tok[i].start;
        size_t tl = tok[i].end - tok[i].start;
        if (first) {
            if (fts.len)
                buf_puts(&fts, " AND ");
            from[out->ngroups++] = fts.len;
            buf_putc(&fts, '"');
        } else {
            buf_putc(&fts, ' ');
        }
        put_escaped(&fts, t, tl, '"');
        if (end) {
            buf_puts(&fts, i == n - 1 ? fts_end : "\"");
            to[out->ngroups - 1] = fts.len;
        }

        buf_t *ts = i >= last ? &tail : &head;
        if (first)
            buf_puts(ts, ts->len ? " & '" : "'");
        else
            buf_putc(ts, ' ');
        buf_reset(&word);
        fold_token(&word, t, tl);
        put_escaped(ts, word.data, word.len, '\'');
        if (end)
            buf_puts(ts, i == n - 1 ? ts_end : "'");
    }
    out->fts = arena_strndup(a, buf_cstr(&fts), fts.len);
    for (size_t g = 0; g < out->ngroups; g++)
        out->phrase[g] = arena_strndup(a, fts.data + from[g], to[g] - from[g]);
    out->ts_head = arena_strndup(a, buf_cstr(&head), head.len);
    out->ts_last = arena_strndup(a, buf_cstr(&tail), tail.len);
    buf_free(&fts);
    buf_free(&head);
    buf_free(&tail);
    buf_free(&word);
    return 0;
}

/* ---- the index entry of one product ---- */

typedef struct {
    buf_t title, body_html, vendor, type, tags, skus;
} stored_text_t;

static void put_col(buf_t *b, db_rows_t *r, int col)
{
    size_t len;
    const char *s = db_rows_text(r, col, &len);
    buf_append(b, s, len);
}

/* The product's stored text: 0, SOUK_ENOTFOUND, or < 0. One statement per
 * product (tags and SKUs joined by the database), as a batch of an import
 * indexes thousands of products at once. */
static int load_text(db_t *db, int64_t id, stored_text_t *t)
{
    static const char sql_sqlite[] =
        "SELECT title, body_html, vendor, product_type, "
        "(SELECT group_concat(tag, ' ') FROM (SELECT tag FROM product_tags "
        "WHERE product_id = $1 ORDER BY tag)), "
        "(SELECT group_concat(sku, ' ') FROM (SELECT sku FROM variants "
        "WHERE product_id = $1 AND sku IS NOT NULL ORDER BY position, id)) "
        "FROM products WHERE id = $1";
    static const char sql_pg[] =
        "SELECT title, body_html, vendor, product_type, "
        "(SELECT string_agg(tag, ' ' ORDER BY tag) FROM product_tags WHERE product_id = $1), "
        "(SELECT string_agg(sku, ' ' ORDER BY position, id) FROM variants "
        "WHERE product_id = $1 AND sku IS NOT NULL) "
        "FROM products WHERE id = $1";
    db_rows_t *r;
    int rc = db_query(db, db_dialect(db) == DB_POSTGRES ? sql_pg : sql_sqlite,
                      (db_param_t[]){DB_INT(id)}, 1, &r);
    if (rc < 0)
        return rc;
    bool found = db_rows_next(r);
    if (found) {
        put_col(&t->title, r, 0);
        put_col(&t->body_html, r, 1);
        put_col(&t->vendor, r, 2);
        put_col(&t->type, r, 3);
        put_col(&t->tags, r, 4);
        put_col(&t->skus, r, 5);
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    return found ? 0 : SOUK_ENOTFOUND;
}

static int index_sqlite(db_t *db, int64_t id, const stored_text_t *t, const buf_t *body)
{
    db_param_t p[] = {
        DB_INT(id),
        DB_TEXTN(buf_cstr(&t->title), t->title.len),
        DB_TEXTN(buf_cstr(body), body->len),
        DB_TEXTN(buf_cstr(&t->vendor), t->vendor.len),
        DB_TEXTN(buf_cstr(&t->tags), t->tags.len),
        DB_TEXTN(buf_cstr(&t->skus), t->skus.len),
    };
    int64_t rc = db_exec(db, "DELETE FROM products_fts WHERE rowid = $1", p, 1);
    if (rc >= 0)
        rc = db_exec(db,
                     "INSERT INTO products_fts (rowid, title, body, vendor, tags, skus) "
                     "VALUES ($1, $2, $3, $4, $5, $6)",
                     p, 6);
    return rc < 0 ? (int)rc : 0;
}

/* Weights: title A; tags, type and SKUs B; vendor C; description D. SKUs and
 * the vendor are indexed unstemmed ('simple') as well, so that the prefix
 * form of the last query word (matched with both configurations) finds them
 * as typed. */
static int index_pg(db_t *db, int64_t id, const stored_text_t *t, const buf_t *body)
{
    buf_t f[5] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
    search_text_fold(&f[0], buf_cstr(&t->title), t->title.len);
    search_text_fold(&f[1], buf_cstr(&t->tags), t->tags.len);
    search_text_fold(&f[2], buf_cstr(&t->skus), t->skus.len);
    search_text_fold(&f[3], buf_cstr(&t->vendor), t->vendor.len);
    search_text_fold(&f[4], buf_cstr(body), body->len);
    db_param_t p[6] = {DB_INT(id)};
    for (int i = 0; i < 5; i++)
        p[i + 1] = DB_TEXTN(buf_cstr(&f[i]), f[i].len);
    int64_t rc =
        db_exec(db,
                "UPDATE products SET search = "
                "setweight(to_tsvector('english', $2), 'A') || "
                "setweight(to_tsvector('english', $3) || to_tsvector('english', $4) || "
                "to_tsvector('simple', $4), 'B') || "
                "setweight(to_tsvector('english', $5) || to_tsvector('simple', $5), 'C') || "
                "setweight(to_tsvector('english', $6), 'D') "
                "WHERE id = $1",
                p, 6);
    for (int i = 0; i < 5; i++)
        buf_free(&f[i]);
    return rc < 0 ? (int)rc : 0;
}

static int index_one(db_t *db, int64_t product_id)
{
    stored_text_t t = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
    buf_t body = BUF_INIT;
    bool sqlite = db_dialect(db) == DB_SQLITE;
    int rc = load_text(db, product_id, &t);
    if (rc == SOUK_ENOTFOUND) {
        /* Gone: so is its entry (PostgreSQL's went with the row). */
        rc = 0;
        if (sqlite) {
            int64_t ex = db_exec(db, "DELETE FROM products_fts WHERE rowid = $1",
                                 (db_param_t[]){DB_INT(product_id)}, 1);
            rc = ex < 0 ? (int)ex : 0;
        }
        goto out;
    }
    if (rc < 0)
        goto out;
    /* The type is searched with the tags ("shoes" finds the type Shoes). */
    if (t.type.len) {
        if (t.tags.len)
            buf_putc(&t.tags, ' ');
        buf_append(&t.tags, t.type.data, t.type.len);
    }
    rc = html_to_text(buf_cstr(&t.body_html), t.body_html.len, SEARCH_MAX_BODY_CHARS, &body);
    if (rc < 0)
        goto out;
    rc = sqlite ? index_sqlite(db, product_id, &t, &body) : index_pg(db, product_id, &t, &body);
out:
    buf_free(&t.title);
    buf_free(&t.body_html);
    buf_free(&t.vendor);
    buf_free(&t.type);
    buf_free(&t.tags);
    buf_free(&t.skus);
    buf_free(&body);
    return rc;
}

/* SQLite: the search index changed, so must the catalog version: the
 * catalog mirror keeps phrase postings per version (catalog_mirror_int.h), and
 * an index rebuilt apart from its product's row would otherwise go unseen. */
static int bump_version(db_t *db)
{
    if (db_dialect(db) != DB_SQLITE)
        return 0;
    int64_t rc = db_exec(db, "UPDATE catalog_version SET v = v + 1 WHERE id = 1", NULL, 0);
    return rc < 0 ? (int)rc : 0;
}

int catalog_index_product(db_t *db, int64_t product_id)
{
    int rc = index_one(db, product_id);
    return rc < 0 ? rc : bump_version(db);
}

int catalog_index_products(db_t *db, const int64_t *ids, size_t n)
{
    if (!db_in_tx(db))
        return SOUK_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int rc = index_one(db, ids[i]);
        if (rc < 0)
            return rc;
    }
    return n ? bump_version(db) : 0;
}
