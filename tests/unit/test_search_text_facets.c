/* test_search_text_facets.c - facets and pages of text searches. On SQLite
 * a search with facets is counted in one pass over the text's matches, and
 * ranked there too; without facets it takes the plain SQL statements. The
 * plain path is the reference here: a search with facets must give the same
 * page and total, and each facet must count what a search without that
 * facet's own filter finds. Also: the window with a collection, and the
 * order of tied facet values, the same on both backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "harness.h"
#include "search_fixture.h"
#include "shop/catalog.h"

typedef struct {
    const char *value;
    int64_t count;
} want_t;

static int want_cmp(const void *x, const void *y)
{
    const want_t *a = x, *b = y;
    return a->count != b->count ? (a->count > b->count ? -1 : 1) : strcmp(a->value, b->value);
}

static void want_add(want_t *w, size_t *n, const char *v)
{
    size_t i = 0;
    while (i < *n && strcmp(w[i].value, v) != 0)
        i++;
    if (i == *n)
        w[(*n)++] = (want_t){v, 0};
    w[i].count++;
}

static const char *const TAGS[] = {"cotton", "kitchen", "linen",  "office", "outdoor",
                                   "sale",   "summer",  "winter", "wool"};

/* Every product the plain path finds for q (facets off), page by page. */
static size_t all_matches(sfx_t *fx, const catalog_query_t *q, product_t **out)
{
    catalog_query_t x = *q;
    x.want_facets = false;
    x.limit = CATALOG_MAX_PAGE_SIZE;
    size_t n = 0, cap = 0;
    *out = NULL;
    for (x.offset = 0; x.offset <= CATALOG_MAX_OFFSET; x.offset += x.limit) {
        catalog_page_t pg;
        if (srch_search(fx, &x, &pg) != 0 || pg.n == 0)
            break;
        if (n + pg.n > cap) {
            cap = (n + pg.n) * 2;
            product_t *bigger = arena_alloc(&fx->a, cap * sizeof(*bigger));
            if (n)
                memcpy(bigger, *out, n * sizeof(*bigger));
            *out = bigger;
        }
        memcpy(*out + n, pg.items, pg.n * sizeof(*pg.items));
        n += pg.n;
    }
    return n;
}

enum { K_VENDOR, K_TYPE, K_TAG };

/* What facet kind must list for q: the values of the products a search
 * without the facet's own filter finds. Tags are the fixture's (the
 * products added by a case have none). */
static void check_list(sfx_t *fx, int line, const catalog_query_t *q, int kind,
                       const facet_count_t *got, size_t ngot)
{
    const sbe_t *be = fx->be;
    catalog_query_t x = *q;
    if (kind == K_VENDOR)
        x.nvendors = 0;
    else if (kind == K_TYPE)
        x.ntypes = 0;
    else
        x.ntags = 0;
    product_t *all;
    size_t nall = all_matches(fx, &x, &all);
    want_t w[64];
    size_t n = 0;
    for (size_t i = 0; i < nall; i++) {
        const product_t *p = &all[i];
        if (kind == K_VENDOR && p->vendor[0])
            want_add(w, &n, p->vendor);
        if (kind == K_TYPE && p->product_type[0])
            want_add(w, &n, p->product_type);
        for (size_t t = 0; kind == K_TAG && p->id <= SRCH_NPRODUCTS && t < ARRAY_LEN(TAGS); t++)
            if (srch_has_tag(&SRCH_PRODUCTS[p->id - 1], TAGS[t]))
                want_add(w, &n, TAGS[t]);
    }
    qsort(w, n, sizeof(*w), want_cmp);
    bool same = n == ngot;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(w[i].value, got[i].value) == 0 && w[i].count == got[i].count;
    if (same)
        return;
    test_fail(__FILE__, line, "[%s] %s facet of \"%s\" differs:", be->name,
              kind == K_VENDOR ? "vendor"
              : kind == K_TYPE ? "type"
                               : "tag",
              q->q);
    for (size_t i = 0; i < n || i < ngot; i++)
        fprintf(stderr, "    want %s=%lld   got %s=%lld\n", i < n ? w[i].value : "-",
                i < n ? (long long)w[i].count : 0LL, i < ngot ? got[i].value : "-",
                i < ngot ? (long long)got[i].count : 0LL);
}

/* q with facets against the plain path: page, total, facets, price range
 * and in-stock count. */
static void check_text(sfx_t *fx, int line, const catalog_query_t *q)
{
    const sbe_t *be = fx->be;
    catalog_query_t f = *q, plain = *q;
    f.want_facets = true;
    plain.want_facets = false;
    catalog_page_t got, want;
    if (srch_search(fx, &f, &got) != 0 || srch_search(fx, &plain, &want) != 0)
        return;
    bool same = got.total == want.total && got.n == want.n && got.truncated == want.truncated;
    for (size_t i = 0; same && i < got.n; i++)
        same = got.items[i].id == want.items[i].id;
    if (!same) {
        test_fail(__FILE__, line, "[%s] page of \"%s\" differs: total %lld, expected %lld",
                  be->name, q->q, (long long)got.total, (long long)want.total);
        for (size_t i = 0; i < got.n || i < want.n; i++)
            fprintf(stderr, "    want %lld   got %lld\n",
                    i < want.n ? (long long)want.items[i].id : 0LL,
                    i < got.n ? (long long)got.items[i].id : 0LL);
    }
    /* The summaries of the page come with it, first image and sale price too. */
    for (size_t i = 0; same && i < got.n; i++) {
        const product_t *a = &got.items[i], *b = &want.items[i];
        if (strcmp(a->handle, b->handle) != 0 || a->nimages != b->nimages ||
            a->nvariants != b->nvariants ||
            (a->nimages && strcmp(a->images[0].src, b->images[0].src) != 0))
            test_fail(__FILE__, line, "[%s] summary of %s differs", be->name, a->handle);
    }
    check_list(fx, line, &f, K_VENDOR, got.vendors, got.nvendors);
    check_list(fx, line, &f, K_TYPE, got.types, got.ntypes);
    check_list(fx, line, &f, K_TAG, got.tags, got.ntags);

    catalog_query_t x = plain;
    x.price_min = x.price_max = -1;
    product_t *all;
    size_t nall = all_matches(fx, &x, &all);
    int64_t lo = 0, hi = 0, avail = 0;
    for (size_t i = 0; i < nall; i++) {
        int64_t p = all[i].price_min;
        lo = i == 0 || p < lo ? p : lo;
        hi = i == 0 || p > hi ? p : hi;
    }
    x = plain;
    x.available_only = false;
    nall = all_matches(fx, &x, &all);
    for (size_t i = 0; i < nall; i++)
        avail += all[i].available;
    if (got.price_floor != lo || got.price_ceiling != hi || got.available_count != avail)
        test_fail(__FILE__, line,
                  "[%s] \"%s\": price %lld..%lld in stock %lld, expected %lld..%lld %lld", be->name,
                  q->q, (long long)got.price_floor, (long long)got.price_ceiling,
                  (long long)got.available_count, (long long)lo, (long long)hi, (long long)avail);
}
#define CHECK_TEXT(fx, q) check_text((fx), __LINE__, (q))

SEARCH_TEST(text_facets)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "text_facets", true))
        goto out;
    /* Words in titles, descriptions, vendors and tags; a prefix; a SKU; a
     * product without tags. */
    static const char *const texts[] = {"everyday", "shirt", "linen",       "cotton",
                                        "polo",     "sh",    "borealis",    "wool",
                                        "ZX-900",   "teak",  "trail runner"};
    static const catalog_sort_t sorts[] = {SORT_RELEVANCE, SORT_PRICE_ASC, SORT_NEWEST,
                                           SORT_TITLE_DESC};
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        for (int filters = 0; filters < 9; filters++) {
            catalog_query_t q = srch_query();
            q.q = texts[t];
            q.sort = sorts[(t + (size_t)filters) % 4];
            switch (filters) {
            case 1:
                q.vendors[q.nvendors++] = "Acme";
                break;
            case 2:
                q.vendors[q.nvendors++] = "Acme";
                q.vendors[q.nvendors++] = "Cobalt";
                q.types[q.ntypes++] = "Shoes";
                q.types[q.ntypes++] = "Shirt";
                break;
            case 3:
                q.tags[q.ntags++] = "cotton";
                q.tags[q.ntags++] = "sale";
                break;
            case 4:
                q.price_min = 1500;
                q.price_max = 5000;
                break;
            case 5:
                q.available_only = true;
                q.tags[q.ntags++] = "summer";
                break;
            case 6:
                q.collection = "summer";
                break;
            case 7:
                q.include_unpublished = true;
                break;
            case 8: /* a page past the first, of three */
                q.limit = 3;
                q.offset = 3;
                break;
            }
            CHECK_TEXT(&fx, &q);
        }
    }
    /* Nothing matches: no page, no values, zero counts. */
    catalog_query_t q = srch_query();
    q.q = "zzzz";
    q.want_facets = true;
    catalog_page_t pg;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(pg.total == 0 && pg.n == 0 && pg.nvendors == 0 && pg.ntags == 0);
    BCHECK(pg.price_floor == 0 && pg.price_ceiling == 0 && pg.available_count == 0);
    /* Matches, none of them passing the filters. */
    q.q = "shirt";
    q.vendors[q.nvendors++] = "Dune";
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(pg.total == 0 && pg.n == 0);
    BCHECK(pg.nvendors > 0); /* the vendor list still shows what is there */
    /* An offset past the end: the total, no page. */
    q = srch_query();
    q.q = "everyday";
    q.want_facets = true;
    q.offset = 90;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(pg.total > 0 && pg.n == 0);
out:
    srch_done(&fx);
}

/* Tied facet values in code point order, capped at 50, on both backends. */
SEARCH_TEST(text_facet_order)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "text_facet_order", true))
        goto out;
    db_param_t ts[] = {DB_TEXT("2024-03-01T00:00:00.000Z")};
    BCHECK_INT(db_exec(fx.db,
                       "WITH RECURSIVE c(x) AS (SELECT 100 UNION ALL SELECT x + 1 FROM c "
                       "WHERE x < 159) INSERT INTO products (id, public_id, handle, title, vendor, "
                       "status, created_at, updated_at) SELECT x, 'prod_' || x, 'h-' || x, "
                       "'Zircon Gadget', CASE x % 3 WHEN 0 THEN 'alpha' WHEN 1 THEN 'Zeta' ELSE "
                       "'Alpha' END, 'active', $1, $1 FROM c",
                       ts, 1),
               60);
    BCHECK_INT(db_exec(fx.db,
                       "INSERT INTO product_tags (product_id, tag) SELECT id, 'z' || (id + 100) "
                       "FROM products WHERE id >= 100",
                       NULL, 0),
               60);
    for (int id = 100; id < 160; id++)
        BCHECK_INT(catalog_index_product(fx.db, id), 0);
    catalog_query_t q = srch_query();
    q.q = "zircon";
    q.want_facets = true;
    catalog_page_t pg;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, 60);
    BCHECK_INT(pg.nvendors, 3);
    if (pg.nvendors == 3) {
        BCHECK_STR(pg.vendors[0].value, "Alpha");
        BCHECK_STR(pg.vendors[1].value, "Zeta");
        BCHECK_STR(pg.vendors[2].value, "alpha");
        BCHECK_INT(pg.vendors[0].count, 20);
    }
    BCHECK_INT(pg.ntags, 50);
    if (pg.ntags == 50) {
        BCHECK_STR(pg.tags[0].value, "z200");
        BCHECK_STR(pg.tags[49].value, "z249");
        BCHECK_INT(pg.tags[49].count, 1);
    }
    /* Choosing a tag past the 50 still finds its product. */
    q.tags[q.ntags++] = "z259";
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK_INT(pg.total, 1);
    BCHECK(pg.n == 1 && pg.items[0].id == 159);
    BCHECK_INT(pg.ntags, 50); /* the tag list leaves the tag filter out */
out:
    srch_done(&fx);
}

/* A text search within a collection, past the window: the window is the
 * newest matches of the whole catalog, then the collection narrows it. */
SEARCH_TEST(text_window_collection)
{
    sfx_t fx;
    if (!srch_open(&fx, be, "text_window_collection", true))
        goto out;
    db_t *db = fx.db;
    int first = 1000, n = CATALOG_SEARCH_WINDOW + 200;
    db_param_t p[] = {DB_INT(first), DB_INT(first + n - 1), DB_TEXT("2024-02-01T00:00:00.000Z")};
    BCHECK_INT(
        db_exec(db,
                "WITH RECURSIVE c(x) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT x + 1 FROM c "
                "WHERE x < $2) INSERT INTO products (id, public_id, handle, title, vendor, "
                "status, price_min, available, created_at, updated_at) SELECT x, 'prod_' || x, "
                "'w-' || x, 'Widget', CASE WHEN x % 2 = 0 THEN 'Even' ELSE 'Odd' END, "
                "'active', x, x % 3 = 0, $3, $3 FROM c",
                p, 3),
        n);
    BCHECK_INT(db_exec(db,
                       be->dialect == DB_SQLITE
                           ? "INSERT INTO products_fts (rowid, title, body, vendor, tags, skus) "
                             "SELECT id, title, '', vendor, '', '' FROM products WHERE id >= 1000"
                           : "UPDATE products SET search = setweight(to_tsvector('english', "
                             "title), 'A') WHERE id >= 1000",
                       NULL, 0),
               n);
    /* Every 50th widget in "summer", at the end of its order. */
    db_param_t c[] = {DB_INT(SRCH_COLL_SUMMER)};
    BCHECK_INT(db_exec(db,
                       "INSERT INTO collection_products (collection_id, product_id, position) "
                       "SELECT $1, id, id FROM products WHERE id >= 1000 AND id % 50 = 0",
                       c, 1),
               n / 50);
    catalog_query_t q = srch_query();
    q.q = "widget";
    q.collection = "summer";
    q.limit = 5;
    CHECK_TEXT(&fx, &q);
    catalog_page_t pg;
    q.want_facets = true;
    BCHECK_INT(srch_search(&fx, &q, &pg), 0);
    BCHECK(pg.truncated);
    /* The newest WINDOW widgets have ids first + 200 .. first + n - 1. */
    int64_t members = 0;
    for (int id = first + 200; id < first + n; id++)
        members += id % 50 == 0;
    BCHECK_INT(pg.total, members);
    BCHECK_INT(pg.nvendors, 1); /* multiples of 50 are even */
    q.sort = SORT_PRICE_ASC;
    CHECK_TEXT(&fx, &q);
    q.available_only = true;
    q.sort = SORT_RELEVANCE;
    CHECK_TEXT(&fx, &q);
out:
    srch_done(&fx);
}
