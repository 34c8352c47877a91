/* catalog_search.c - listing, full-text search and facets.
 *
 * A search is a few statements over one filter. Without facets: the count,
 * then the page (ids in order, then their summaries). With facets, the
 * matching products are read once and counted in C (facets_pass, text_pass,
 * with catalog_facets.c) or, for a PostgreSQL listing, in one SQL statement
 * (facets_sql); a text search by relevance is ranked in that read and paged
 * from it. Then the page's products with their first image and on-sale
 * price (catalog_page.c). A text query matching more than CATALOG_SEARCH_WINDOW
 * products is cut to the newest that many, so the work stays bounded.
 *
 * On SQLite with a catalog mirror at the version the search reads
 * (catalog_mirror.h), all of that but the page's products comes from memory
 * instead (mirrored), the text's matches from postings read once per phrase;
 * the statements here remain the way when the mirror is behind, off, or on
 * PostgreSQL.
 *
 * The SQL is put together from fixed fragments; every value, and every list
 * of values (a JSON array on SQLite, an array literal on PostgreSQL, one
 * parameter each), is bound. Shopper text reaches the full-text engines only
 * as quoted tokens (catalog_search_int.h). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "core/util.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_facets.h"
#include "shop/catalog_int.h"
#include "shop/catalog_mirror_int.h"
#include "shop/catalog_search_int.h"

/* Relevance weights. SQLite souk_rank (sqlite_rank.h) per column, after the
 * MATCH text ($%d): SEARCH_RANK_WEIGHTS. PostgreSQL ts_rank_cd per weight
 * class {D, C, B, A}: description, vendor, tags and SKUs, title; a
 * description needs 20 mentions of a word to weigh what one in the title
 * does. Neither weighs a row by its length. */
#define FTS_RANK "souk_rank(products_fts, $%d, " SEARCH_RANK_WEIGHTS ")"
#define TS_RANK "ts_rank_cd('{0.05, 0.3, 0.6, 1.0}', p.search, $%d::tsquery)"

/* Whether a page's items may be cards only: they are then all active. */
static bool cards_only(const catalog_query_t *q)
{
    return q->cards_only && !q->include_unpublished;
}

/* The facet filters' columns (F_*, catalog_facets.h) in the facet
 * statement's materialized set. */
static const char *const FLAG[F_COUNT] = {"mv", "mt", "mg", "mp", "ma"};

/* A search, validated and resolved. */
typedef struct {
    const catalog_query_t *q;
    bool pg;
    search_text_t text;
    const char *tsq;                    /* PostgreSQL: the query as tsquery text, made once */
    int64_t window;                     /* SQLite, > 0: only text matches with this id or above */
    const char *cand;                   /* PostgreSQL: the text's matches, an id array */
    int64_t coll_id;                    /* 0: no collection */
    const char *vendors, *types, *tags; /* list parameters; NULL: no filter */
    catalog_sort_t sort;
} search_t;

/* A statement being put together. */
typedef struct {
    buf_t sql;
    db_param_t p[16];
    int n;
    bool where; /* a WHERE has been written */
    int tsq;    /* the placeholder of the text (tsquery, or MATCH), once bound */
} sqlb_t;

static void sb_put(sqlb_t *b, const char *s)
{
    buf_puts(&b->sql, s);
}

/* Bind v as the next parameter; its number. */
static int sb_bind(sqlb_t *b, db_param_t v)
{
    ASSERT((size_t)b->n < ARRAY_LEN(b->p));
    b->p[b->n++] = v;
    return b->n;
}

/* Bind v and write its placeholder. */
static void sb_param(sqlb_t *b, db_param_t v)
{
    buf_printf(&b->sql, "$%d", sb_bind(b, v));
}

static void sb_and(sqlb_t *b)
{
    sb_put(b, b->where ? " AND " : " WHERE ");
    b->where = true;
}

/* ---- filters ---- */

/* A list of values as one parameter: ["a","b"] for json_each() on SQLite,
 * {"a","b"} for ::text[] on PostgreSQL. */
static const char *list_param(arena_t *a, bool pg, const char *const *v, size_t n)
{
    buf_t b = BUF_INIT;
    buf_putc(&b, pg ? '{' : '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_putc(&b, '"');
        if (pg) {
            for (const char *s = v[i]; *s; s++) {
                if (*s == '"' || *s == '\\')
                    buf_putc(&b, '\\');
                buf_putc(&b, *s);
            }
        } else {
            buf_json_str(&b, v[i], strlen(v[i]));
        }
        buf_putc(&b, '"');
    }
    buf_putc(&b, pg ? '}' : ']');
    char *s = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return s;
}

static bool filter_on(const search_t *s, int f)
{
    switch (f) {
    case F_VENDORS:
        return s->vendors != NULL;
    case F_TYPES:
        return s->types != NULL;
    case F_TAGS:
        return s->tags != NULL;
    case F_PRICE:
        return s->q->price_min >= 0 || s->q->price_max >= 0;
    default:
        return s->q->available_only;
    }
}

/* filter_on() of every facet filter, in on; returns on. */
static const bool *filters_on(const search_t *s, bool on[F_COUNT])
{
    for (int f = 0; f < F_COUNT; f++)
        on[f] = filter_on(s, f);
    return on;
}

/* "col IN list" for a list parameter. */
static void sb_in_list(sqlb_t *b, const search_t *s, const char *col, const char *list)
{
    sb_put(b, col);
    sb_put(b, s->pg ? " = ANY (" : " IN (SELECT value FROM json_each(");
    sb_param(b, DB_TEXT(list));
    sb_put(b, s->pg ? "::text[])" : "))");
}

/* The condition of filter f (which must be on), in parentheses. */
static void sb_filter(sqlb_t *b, const search_t *s, int f)
{
    const catalog_query_t *q = s->q;
    sb_put(b, "(");
    switch (f) {
    case F_VENDORS:
        sb_in_list(b, s, "p.vendor", s->vendors);
        break;
    case F_TYPES:
        sb_in_list(b, s, "p.product_type", s->types);
        break;
    case F_TAGS:
        sb_in_list(b, s, "p.id IN (SELECT t.product_id FROM product_tags t WHERE t.tag", s->tags);
        sb_put(b, ")");
        break;
    case F_PRICE:
        if (q->price_min >= 0) {
            sb_put(b, "p.price_min >= ");
            sb_param(b, DB_INT(q->price_min));
        }
        if (q->price_min >= 0 && q->price_max >= 0)
            sb_put(b, " AND ");
        if (q->price_max >= 0) {
            sb_put(b, "p.price_min <= ");
            sb_param(b, DB_INT(q->price_max));
        }
        break;
    default:
        sb_put(b, "p.available");
    }
    sb_put(b, ")");
}

/* FROM: the products, narrowed by the text match and the collection, then
 * join (NULL or " JOIN ..."). On SQLite, CROSS JOIN fixes the join order so
 * that the match list, else the collection, drives: its planner may
 * otherwise run one FTS5 query per product, or scan every product to find a
 * collection's. A join over the whole catalog (facets_pass) reads the table
 * in id order: through the status index, the rows would then be sorted back
 * into id order, four times slower. */
static void sb_from(sqlb_t *b, const search_t *s, const char *join)
{
    if (s->text.ngroups && !s->pg)
        sb_put(b, " FROM products_fts CROSS JOIN products p ON p.id = products_fts.rowid");
    else if (s->coll_id && !s->pg)
        sb_put(b, " FROM collection_products cp CROSS JOIN products p ON p.id = cp.product_id");
    else if (join && !s->pg)
        sb_put(b, " FROM products p NOT INDEXED");
    else
        sb_put(b, " FROM products p");
    if (s->coll_id && (s->pg || s->text.ngroups))
        sb_put(b, " JOIN collection_products cp ON cp.product_id = p.id");
    if (join)
        sb_put(b, join);
    if (s->coll_id) {
        sb_and(b);
        sb_put(b, "cp.collection_id = ");
        sb_param(b, DB_INT(s->coll_id));
    }
}

/* WHERE: the text, the status, and every facet filter f whose bit 1 << f is
 * not in skip. */
static void sb_where(sqlb_t *b, const search_t *s, unsigned skip)
{
    if (s->text.ngroups && s->pg && s->cand) {
        sb_and(b);
        sb_put(b, "p.id = ANY (");
        sb_param(b, DB_TEXT(s->cand));
        sb_put(b, "::bigint[])");
    } else if (s->text.ngroups && s->pg) {
        /* A bound tsquery, not an expression: computed once, not per row. */
        b->tsq = sb_bind(b, DB_TEXT(s->tsq));
        sb_and(b);
        buf_printf(&b->sql, "p.search @@ $%d::tsquery", b->tsq);
    } else if (s->text.ngroups) {
        /* Bound once: the rank reads it too. */
        b->tsq = sb_bind(b, DB_TEXT(s->text.fts));
        sb_and(b);
        buf_printf(&b->sql, "products_fts MATCH $%d", b->tsq);
    }
    if (s->window) {
        sb_and(b);
        sb_put(b, s->pg ? "p.id >= " : "products_fts.rowid >= ");
        sb_param(b, DB_INT(s->window));
    }
    if (!s->q->include_unpublished) {
        sb_and(b);
        sb_put(b, "p.status = 'active'");
    }
    for (int f = 0; f < F_COUNT; f++) {
        if (!(skip & (1u << f)) && filter_on(s, f)) {
            sb_and(b);
            sb_filter(b, s, f);
        }
    }
}

static void sb_order_by(sqlb_t *b, const search_t *s)
{
    switch (s->sort) {
    case SORT_RELEVANCE:
        if (b->tsq == 0)
            b->tsq = sb_bind(b, DB_TEXT(s->pg ? s->tsq : s->text.fts));
        if (s->pg)
            buf_printf(&b->sql, " ORDER BY " TS_RANK " DESC, p.created_at DESC, p.id DESC", b->tsq);
        else
            buf_printf(&b->sql, " ORDER BY " FTS_RANK ", p.created_at DESC, p.id DESC", b->tsq);
        return;
    case SORT_MANUAL:
        sb_put(b, " ORDER BY cp.position, p.id");
        return;
    case SORT_PRICE_ASC:
        sb_put(b, " ORDER BY p.price_min, p.id");
        return;
    case SORT_PRICE_DESC:
        sb_put(b, " ORDER BY p.price_min DESC, p.id DESC");
        return;
    case SORT_NEWEST:
        sb_put(b, " ORDER BY p.created_at DESC, p.id DESC");
        return;
    /* Code point order on both backends (as SQLite's BINARY), whatever the
     * PostgreSQL database's collation: the same pages, and a cheap sort. */
    case SORT_TITLE_ASC:
        sb_put(b, s->pg ? " ORDER BY lower(p.title) COLLATE \"C\", p.id"
                        : " ORDER BY lower(p.title), p.id");
        return;
    case SORT_TITLE_DESC:
        sb_put(b, s->pg ? " ORDER BY lower(p.title) COLLATE \"C\" DESC, p.id DESC"
                        : " ORDER BY lower(p.title) DESC, p.id DESC");
        return;
    }
    BUG("sort %d", (int)s->sort);
}

static int sb_query(db_t *db, sqlb_t *b, db_rows_t **out)
{
    return db_query(db, buf_cstr(&b->sql), b->p, b->n, out);
}

/* ---- validation ---- */

static int check_values(const char *const *v, size_t n, size_t max_bytes)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL)
            return SOUK_EINVAL;
        size_t len = strnlen(v[i], max_bytes + 1);
        if (len > max_bytes)
            return SOUK_ELIMIT;
        if (!utf8_valid(v[i], len))
            return SOUK_EINVAL;
    }
    return 0;
}

static int validate(const catalog_query_t *q)
{
    if (q->limit < 1 || q->limit > CATALOG_MAX_PAGE_SIZE || q->offset < 0 ||
        q->offset > CATALOG_MAX_OFFSET)
        return SOUK_ERANGE;
    if (q->price_min < -1 || q->price_max < -1 ||
        (q->price_min >= 0 && q->price_max >= 0 && q->price_min > q->price_max))
        return SOUK_ERANGE;
    if ((unsigned)q->sort > SORT_TITLE_DESC)
        return SOUK_EINVAL;
    if (q->nvendors > ARRAY_LEN(q->vendors) || q->ntypes > ARRAY_LEN(q->types) ||
        q->ntags > ARRAY_LEN(q->tags))
        return SOUK_ELIMIT;
    /* Stored values are at most this many characters of up to 4 bytes. */
    int rc;
    if ((rc = check_values(q->vendors, q->nvendors, 4 * CATALOG_MAX_SHORT_TEXT)) < 0 ||
        (rc = check_values(q->types, q->ntypes, 4 * CATALOG_MAX_SHORT_TEXT)) < 0 ||
        (rc = check_values(q->tags, q->ntags, 4 * CATALOG_MAX_TAG)) < 0)
        return rc;
    if (q->collection && strnlen(q->collection, CATALOG_MAX_HANDLE + 1) > CATALOG_MAX_HANDLE)
        return SOUK_ELIMIT;
    return 0;
}

/* The collection's id; SOUK_ENOTFOUND if none, or unpublished for a shopper. */
static int resolve_collection(db_t *db, const catalog_query_t *q, int64_t *id)
{
    db_rows_t *r;
    int rc =
        db_query(db, "SELECT id, published FROM collections WHERE handle = $1 OR public_id = $1",
                 (db_param_t[]){DB_TEXT(q->collection)}, 1, &r);
    if (rc < 0)
        return rc;
    bool found = false;
    if (db_rows_next(r)) {
        found = q->include_unpublished || db_rows_int(r, 1) != 0;
        *id = db_rows_int(r, 0);
    }
    rc = db_rows_end(r);
    return rc < 0 ? rc : found ? 0 : SOUK_ENOTFOUND;
}

/* ---- the page ---- */

/* The page in two steps: the ids in order (the sort reads only its keys
 * for every matching product), then the summaries of those ids alone. */
static int fetch_page(db_t *db, arena_t *a, const search_t *s, catalog_page_t *out)
{
    size_t limit = (size_t)s->q->limit, n = 0;
    int64_t *ids = arena_alloc(a, st_mult(limit, sizeof(int64_t)));
    sqlb_t b = {BUF_INIT, {{0}}, 0, false, 0};
    sb_put(&b, "SELECT p.id");
    sb_from(&b, s, NULL);
    sb_where(&b, s, 0);
    sb_order_by(&b, s);
    sb_put(&b, " LIMIT ");
    sb_param(&b, DB_INT(s->q->limit));
    sb_put(&b, " OFFSET ");
    sb_param(&b, DB_INT(s->q->offset));
    db_rows_t *r;
    int rc = sb_query(db, &b, &r);
    if (rc < 0)
        goto out;
    while (db_rows_next(r)) {
        ASSERT(n < limit);
        ids[n++] = db_rows_int(r, 0);
    }
    if ((rc = db_rows_end(r)) == 0)
        rc = catalog_page_summaries(db, a, s->pg, cards_only(s->q), ids, n, out);
out:
    buf_free(&b.sql);
    return rc;
}

/* ---- totals and facets ---- */

static int fetch_total(db_t *db, const search_t *s, catalog_page_t *out)
{
    sqlb_t b = {BUF_INIT, {{0}}, 0, false, 0};
    sb_put(&b, "SELECT count(*)");
    sb_from(&b, s, NULL);
    sb_where(&b, s, 0);
    int rc = db_query_int(db, buf_cstr(&b.sql), b.p, b.n, &out->total);
    buf_free(&b.sql);
    return rc;
}

/* "mv AND mt ...": every facet filter that is on but skip, or TRUE. */
static void flags_but(buf_t *sql, const search_t *s, int skip)
{
    bool any = false;
    for (int f = 0; f < F_COUNT; f++) {
        if (f != skip && filter_on(s, f)) {
            buf_printf(sql, "%s%s", any ? " AND " : "", FLAG[f]);
            any = true;
        }
    }
    if (!any)
        buf_puts(sql, "TRUE");
}

/* SQLite, a listing (no text) with facets: one statement streams the
 * products of the collection (or catalog), a row each with its tags
 * (products.tags), however many there are. */
static int facets_pass(db_t *db, arena_t *a, const search_t *s, catalog_page_t *out)
{
    ASSERT(!s->pg && !s->text.ngroups);
    sqlb_t b = {BUF_INIT, {{0}}, 0, false, 0};
    sb_put(&b, "SELECT p.id, p.vendor, p.product_type, p.price_min, p.available, p.tags");
    sb_from(&b, s, NULL);
    sb_where(&b, s, F_ALL);
    facets_t fc;
    bool on[F_COUNT];
    facets_init(&fc, s->q, filters_on(s, on));
    facet_item_t it = {0};
    db_rows_t *r;
    int rc = sb_query(db, &b, &r);
    if (rc < 0)
        goto out;
    while (db_rows_next(r)) {
        it.id = db_rows_int(r, 0);
        facets_read(&fc, r, 1, &it);
        facets_item(&fc, &it);
    }
    if ((rc = db_rows_end(r)) < 0)
        goto out;
    facets_done(&fc, a, out);
out:
    facets_free(&fc);
    free(it.tags);
    buf_free(&b.sql);
    return rc;
}

/* A text search with facets: the window, the facets and, sorted by
 * relevance, the page, from one read of the text's matches newest first.
 * Separately, set_window, the facet statement and the page would each match
 * the text again, and the page would rank every match again. Each match
 * the shopper may see (at most the window's) is counted as facets_pass
 * counts, and with relevance kept if it passes the filters. The relevance
 * order is sb_order_by's:
 * rank, then newest, then id descending. With another sort the page is left
 * to fetch_page, bounded by the window found here (s->window on SQLite, the
 * matches' ids as s->cand on PostgreSQL). *paged: the page is in out. */
typedef struct {
    int64_t id;
    double rank;         /* lower first */
    const char *created; /* in the caller's arena */
} titem_t;

static int titem_relevance(const void *x, const void *y)
{
    const titem_t *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    int d = strcmp(b->created, a->created);
    if (d)
        return d;
    return (a->id < b->id) - (a->id > b->id);
}

/* The statement of text_pass: id, visible, in the collection, vendor, type,
 * price, available, tags (products.tags), then with rel the rank (lower
 * first) and created_at. */
static void text_pass_sql(sqlb_t *b, const search_t *s, bool rel)
{
    const char *visible = s->q->include_unpublished ? "1" : "p.status = 'active'";
    buf_printf(&b->sql,
               "SELECT p.id, %s, %s, p.vendor, p.product_type, p.price_min, p.available, p.tags",
               visible, s->coll_id ? "cp.product_id IS NOT NULL" : "1");
    if (!s->pg) {
        b->tsq = sb_bind(b, DB_TEXT(s->text.fts));
        if (rel)
            buf_printf(&b->sql, ", " FTS_RANK ", p.created_at", b->tsq);
        sb_put(b, " FROM products_fts CROSS JOIN products p ON p.id = products_fts.rowid");
    } else {
        /* The newest matches first (GIN finds them, a top-N sort keeps the
         * window), ranked after the cut: ts_rank_cd reads each tsvector. */
        b->tsq = sb_bind(b, DB_TEXT(s->tsq));
        /* created_at to the microsecond, fixed width: compared as text, it
         * orders as the timestamps do. */
        if (rel)
            buf_printf(&b->sql,
                       ", -" TS_RANK ", to_char(p.created_at AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD HH24:MI:SS.US')",
                       b->tsq);
        buf_printf(&b->sql,
                   " FROM (SELECT id, status, vendor, product_type, price_min, available, tags, "
                   "created_at, search FROM products WHERE search @@ $%d::tsquery ORDER BY id "
                   "DESC LIMIT $%d) p",
                   b->tsq, sb_bind(b, DB_INT(CATALOG_SEARCH_WINDOW + 1)));
    }
    if (s->coll_id) {
        sb_put(b, " LEFT JOIN collection_products cp ON cp.product_id = p.id AND "
                  "cp.collection_id = ");
        sb_param(b, DB_INT(s->coll_id));
    }
    if (!s->pg) {
        buf_printf(&b->sql, " WHERE products_fts MATCH $%d", b->tsq);
        sb_put(b, " ORDER BY products_fts.rowid DESC LIMIT ");
        sb_param(b, DB_INT(CATALOG_SEARCH_WINDOW + 1));
    } else {
        sb_put(b, " ORDER BY p.id DESC");
    }
}

static int text_pass(db_t *db, arena_t *a, search_t *s, catalog_page_t *out, bool *paged)
{
    const catalog_query_t *q = s->q;
    bool rel = s->sort == SORT_RELEVANCE;
    sqlb_t b = {BUF_INIT, {{0}}, 0, false, 0};
    text_pass_sql(&b, s, rel);

    facets_t fc;
    bool on[F_COUNT];
    facets_init(&fc, s->q, filters_on(s, on));
    facet_item_t f = {0};
    titem_t *items = NULL;
    buf_t ids = BUF_INIT;
    size_t ncand = 0, cap = 0, nmatch = 0;
    db_rows_t *r;
    int rc = sb_query(db, &b, &r);
    if (rc < 0)
        goto out;
    if (s->pg)
        buf_putc(&ids, '{');
    while (db_rows_next(r)) {
        int64_t id = db_rows_int(r, 0);
        if (nmatch == CATALOG_SEARCH_WINDOW) {
            /* One match more than the window: keep the newest (set_window). */
            s->window = id + 1;
            out->truncated = true;
            break;
        }
        /* PostgreSQL: every match of the window bounds fetch_page. */
        if (s->pg)
            buf_printf(&ids, "%s%" PRId64, nmatch ? "," : "", id);
        nmatch++;
        if (!db_rows_int(r, 1) || !db_rows_int(r, 2))
            continue;
        /* Counted as it is read; only what passes every filter is kept. */
        f.id = id;
        facets_read(&fc, r, 3, &f);
        if (!facets_item(&fc, &f) || !rel)
            continue;
        if (ncand == cap) {
            cap = cap ? st_mult(cap, 2) : 64;
            items = xrealloc(items, st_mult(cap, sizeof(*items)));
        }
        titem_t *it = &items[ncand++];
        it->id = id;
        /* Compared exactly, as the ORDER BY of sb_order_by compares it. */
        it->rank = db_rows_double(r, 8);
        it->created = catalog_col_str(a, r, 9);
    }
    if ((rc = db_rows_end(r)) < 0)
        goto out;
    if (s->pg) {
        buf_putc(&ids, '}');
        s->cand = arena_strndup(a, ids.data, ids.len);
    }
    facets_done(&fc, a, out);
    if (rel) {
        *paged = true;
        if (ncand > 1) /* items is NULL when nothing matched */
            qsort(items, ncand, sizeof(*items), titem_relevance);
        size_t m = 0;
        int64_t *page = arena_alloc(a, st_mult((size_t)q->limit, sizeof(int64_t)));
        for (size_t i = (size_t)q->offset; i < ncand && m < (size_t)q->limit; i++)
            page[m++] = items[i].id;
        rc = catalog_page_summaries(db, a, s->pg, cards_only(q), page, m, out);
    }
out:
    facets_free(&fc);
    free(f.tags);
    free(items);
    buf_free(&ids);
    buf_free(&b.sql);
    return rc;
}

/* PostgreSQL, a listing (no text) with facets: one statement for the total,
 * price range, in-stock count and the three facet lists, so that a large
 * collection is counted where it lies rather than shipped here whole (libpq
 * reads a result at once). The products matching the collection and status
 * are read once into m (materialized), each with a flag per facet filter;
 * every count then takes the rows whose flags, but its own, are all set. */
static int facets_sql(db_t *db, arena_t *a, const search_t *s, catalog_page_t *out)
{
    sqlb_t b = {BUF_INIT, {{0}}, 0, false, 0};
    sb_put(&b, "WITH m AS MATERIALIZED (SELECT p.id, p.vendor, p.product_type, p.price_min, "
               "p.available");
    for (int f = 0; f < F_COUNT; f++) {
        if (filter_on(s, f)) {
            sb_put(&b, ", ");
            sb_filter(&b, s, f);
            buf_printf(&b.sql, " AS %s", FLAG[f]);
        }
    }
    sb_from(&b, s, NULL);
    sb_where(&b, s, F_ALL);
    buf_t *q = &b.sql;
    buf_puts(q, ") SELECT kind, value, n, lo, hi FROM (SELECT 0 AS kind, '' AS value, "
                "count(CASE WHEN ");
    flags_but(q, s, F_COUNT);
    buf_puts(q, " THEN 1 END) AS n, coalesce(min(CASE WHEN ");
    flags_but(q, s, F_PRICE);
    buf_puts(q, " THEN price_min END), 0) AS lo, coalesce(max(CASE WHEN ");
    flags_but(q, s, F_PRICE);
    buf_puts(q, " THEN price_min END), 0) AS hi FROM m UNION ALL SELECT 4, '', count(*), 0, 0 "
                "FROM m WHERE available AND ");
    flags_but(q, s, F_AVAIL);
    static const struct {
        int kind, filter;
        const char *col;
    } LISTS[] = {{1, F_VENDORS, "vendor"}, {2, F_TYPES, "product_type"}, {3, F_TAGS, "ft.tag"}};
    for (size_t i = 0; i < ARRAY_LEN(LISTS); i++) {
        const char *col = LISTS[i].col;
        buf_printf(q,
                   " UNION ALL SELECT * FROM (SELECT %d AS kind, %s AS value, count(*) AS n, 0 "
                   "AS lo, 0 AS hi FROM m",
                   LISTS[i].kind, col);
        if (LISTS[i].filter == F_TAGS)
            buf_puts(q, " JOIN product_tags ft ON ft.product_id = m.id");
        buf_puts(q, " WHERE ");
        flags_but(q, s, LISTS[i].filter);
        /* Ties in code point order whatever the database's collation, as
         * on SQLite: the same 50 values on both backends. */
        buf_printf(q,
                   " AND %s <> '' GROUP BY %s ORDER BY count(*) DESC, %s COLLATE \"C\" LIMIT %d) "
                   "AS f%d",
                   col, col, col, FACET_MAX_VALUES, LISTS[i].kind);
    }
    buf_puts(q, ") AS facets ORDER BY kind, n DESC, value COLLATE \"C\"");

    db_rows_t *r;
    int rc = db_query(db, buf_cstr(q), b.p, b.n, &r);
    buf_free(q);
    if (rc < 0)
        return rc;
    facet_count_t **lists[] = {&out->vendors, &out->types, &out->tags};
    size_t *counts[] = {&out->nvendors, &out->ntypes, &out->ntags};
    for (int i = 0; i < 3; i++) {
        *lists[i] = arena_alloc(a, FACET_MAX_VALUES * sizeof(facet_count_t));
        *counts[i] = 0;
    }
    while (db_rows_next(r)) {
        int64_t kind = db_rows_int(r, 0), n = db_rows_int(r, 2);
        if (kind == 0) {
            out->total = n;
            out->price_floor = db_rows_int(r, 3);
            out->price_ceiling = db_rows_int(r, 4);
        } else if (kind == 4) {
            out->available_count = n;
        } else if (kind <= 3 && *counts[kind - 1] < FACET_MAX_VALUES) {
            facet_count_t *fc = &(*lists[kind - 1])[(*counts[kind - 1])++];
            fc->value = catalog_col_str(a, r, 1);
            fc->count = n;
        }
    }
    return db_rows_end(r);
}

/* PostgreSQL: the shopper's query as tsquery text, computed once: every
 * group but the last stemmed; the last a prefix, stemmed or as typed (once
 * when both read the same, which also keeps the planner's estimate honest).
 * "" when nothing is left. */
static int make_tsquery(db_t *db, arena_t *a, search_t *s)
{
    db_param_t p[] = {DB_TEXT(s->text.ts_head), DB_TEXT(s->text.ts_last)};
    db_rows_t *r;
    int rc = db_query(db,
                      "SELECT (to_tsquery('english', $1) && CASE WHEN to_tsquery('english', $2) "
                      "= to_tsquery('simple', $2) THEN to_tsquery('english', $2) ELSE "
                      "to_tsquery('english', $2) || to_tsquery('simple', $2) END)::text",
                      p, 2, &r);
    if (rc < 0)
        return rc;
    s->tsq = db_rows_next(r) ? catalog_col_str(a, r, 0) : "";
    return db_rows_end(r);
}

/* Bound the work of a text query on a large catalog: when more than
 * CATALOG_SEARCH_WINDOW products match the text, keep the newest that many
 * (the highest ids), found by walking the match list from its end. A
 * catalog with no id above the window cannot match more, and skips this.
 *
 * SQLite: FTS5 walks its match list backwards cheaply and takes a rowid
 * range, so the window is a lower bound on the rowid. PostgreSQL: the
 * matches (at most the window's) are fetched here as ids, and every later
 * statement looks them up by primary key, so that the tsvectors are read
 * and matched once, not once per statement. */
static int set_window(db_t *db, arena_t *a, search_t *s, catalog_page_t *out)
{
    int64_t top = 0, edge = 0;
    int rc = db_query_int(db, "SELECT coalesce(max(id), 0) FROM products", NULL, 0, &top);
    if (rc < 0 || top <= CATALOG_SEARCH_WINDOW)
        return rc;
    if (!s->pg) {
        db_param_t p[] = {DB_TEXT(s->text.fts), DB_INT(CATALOG_SEARCH_WINDOW)};
        rc = db_query_int(db,
                          "SELECT rowid FROM products_fts WHERE products_fts MATCH $1 "
                          "ORDER BY rowid DESC LIMIT 1 OFFSET $2",
                          p, 2, &edge);
        if (rc == SOUK_ENOTFOUND)
            return 0;
        if (rc < 0)
            return rc;
        s->window = edge + 1;
        out->truncated = true;
        return 0;
    }
    db_param_t p[] = {DB_TEXT(s->tsq), DB_INT(CATALOG_SEARCH_WINDOW + 1)};
    db_rows_t *r;
    if ((rc = db_query(db,
                       "SELECT id FROM products WHERE search @@ $1::tsquery "
                       "ORDER BY id DESC LIMIT $2",
                       p, 2, &r)) < 0)
        return rc;
    buf_t ids = BUF_INIT;
    int n = 0;
    buf_putc(&ids, '{');
    while (db_rows_next(r)) {
        if (n == CATALOG_SEARCH_WINDOW) {
            out->truncated = true;
            continue;
        }
        buf_printf(&ids, "%s%" PRId64, n++ ? "," : "", db_rows_int(r, 0));
    }
    buf_putc(&ids, '}');
    s->cand = arena_strndup(a, ids.data, ids.len);
    buf_free(&ids);
    return db_rows_end(r);
}

/* ---- from the mirror ---- */

static int mirrored(db_t *db, arena_t *a, const search_t *s, const mirror_snap_t *snap,
                    catalog_page_t *out)
{
    mquery_t mq = {.q = s->q, .coll_id = s->coll_id, .sort = s->sort, .text = s->text.ngroups > 0};
    int rc;
    if (mq.text && (rc = mirror_text_matches(snap, db, a, s->text.phrase, s->text.ngroups,
                                             s->sort == SORT_RELEVANCE, &mq, &out->truncated)) < 0)
        return rc;
    int64_t *ids;
    size_t n;
    mirror_search(snap, a, &mq, out, &ids, &n);
    if (n == 0)
        return 0;
    return catalog_page_summaries(db, a, false, cards_only(s->q), ids, n, out);
}

int catalog_search(db_t *db, arena_t *a, const catalog_query_t *q, catalog_page_t *out)
{
    return catalog_search_mirrored(db, NULL, a, q, out);
}

int catalog_search_mirrored(db_t *db, catalog_mirror_t *m, arena_t *a, const catalog_query_t *q,
                            catalog_page_t *out)
{
    memset(out, 0, sizeof(*out));
    int rc = validate(q);
    if (rc < 0)
        return rc;
    search_t s = {.q = q, .pg = db_dialect(db) == DB_POSTGRES, .sort = q->sort};
    if ((rc = search_text_parse(a, q->q, &s.text)) < 0)
        return rc;
    if (q->collection && q->collection[0] && (rc = resolve_collection(db, q, &s.coll_id)) < 0)
        return rc;
    if (q->nvendors)
        s.vendors = list_param(a, s.pg, q->vendors, q->nvendors);
    if (q->ntypes)
        s.types = list_param(a, s.pg, q->types, q->ntypes);
    if (q->ntags)
        s.tags = list_param(a, s.pg, q->tags, q->ntags);
    if (s.sort == SORT_RELEVANCE && s.text.ngroups == 0)
        s.sort = SORT_MANUAL;
    if (s.sort == SORT_MANUAL && s.coll_id == 0)
        s.sort = SORT_NEWEST;

    if (s.pg && s.text.ngroups) {
        if ((rc = make_tsquery(db, a, &s)) < 0)
            return rc;
        if (s.tsq[0] == '\0')
            return 0; /* stop words only: nothing matches */
    }
    if (m && !s.pg) {
        const mirror_snap_t *snap = catalog_mirror_acquire(m, db);
        if (snap) {
            rc = mirrored(db, a, &s, snap, out);
            catalog_mirror_release(m, snap);
            return rc;
        }
    }
    bool paged = false;
    if (q->want_facets && s.text.ngroups) {
        if ((rc = text_pass(db, a, &s, out, &paged)) < 0)
            return rc;
    } else {
        if (s.text.ngroups && (rc = set_window(db, a, &s, out)) < 0)
            return rc;
        rc = !q->want_facets ? fetch_total(db, &s, out)
             : s.pg          ? facets_sql(db, a, &s, out)
                             : facets_pass(db, a, &s, out);
        if (rc < 0)
            return rc;
    }
    if (!paged && out->total > q->offset)
        return fetch_page(db, a, &s, out);
    return 0;
}
