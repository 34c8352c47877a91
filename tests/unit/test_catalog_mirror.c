/* test_catalog_mirror.c - the catalog mirror's freshness: a search never
 * answers from a snapshot older than the catalog it reads, whoever wrote
 * the change; the mirror catches up by itself; migration 0006's version
 * moves with every table a listing reads. That the mirror answers as the database
 * does is held by the search tests, which run through it too
 * (search_fixture.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"
#include "harness.h"
#include "search_fixture.h"
#include "shop/catalog.h"
#include "shop/catalog_mirror.h"

static const sbe_t MIRRORED = {"sqlite-mirror", DB_SQLITE, NULL, true};

/* Active Acme products, answered through the mirror without waiting for it. */
static int64_t acme_now(sfx_t *fx)
{
    catalog_query_t q = srch_query();
    q.vendors[q.nvendors++] = "Acme";
    q.want_facets = true;
    catalog_page_t pg;
    int rc = catalog_search_mirrored(fx->db, fx->mirror, &fx->a, &q, &pg);
    CHECK_INT(rc, 0);
    return rc == 0 ? pg.total : -1;
}

static int64_t acme_expected(void)
{
    int64_t n = 0;
    for (int i = 0; i < SRCH_NPRODUCTS; i++)
        n += strcmp(SRCH_PRODUCTS[i].vendor, "Acme") == 0 &&
             strcmp(SRCH_PRODUCTS[i].status, "active") == 0;
    return n;
}

/* The first active product of another vendor: its id. */
static int64_t other_vendor_id(void)
{
    for (int i = 0; i < SRCH_NPRODUCTS; i++)
        if (strcmp(SRCH_PRODUCTS[i].vendor, "Acme") != 0 &&
            strcmp(SRCH_PRODUCTS[i].status, "active") == 0)
            return i + 1;
    return 0;
}

TEST(catalog_mirror_never_answers_from_an_older_catalog)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_fresh", true))
        goto out;
    CHECK_INT(catalog_mirror_wait(fx.mirror, fx.db, 10000), 0);
    catalog_mirror_stats_t st0, st1;
    catalog_mirror_stats(fx.mirror, &st0);
    CHECK_INT(acme_now(&fx), acme_expected());
    catalog_mirror_stats(fx.mirror, &st1);
    CHECK_INT(st1.used, st0.used + 1);
    CHECK_INT(st1.products, SRCH_NPRODUCTS);

    /* A write on this connection: the very next search sees it, read from
     * the database while the snapshot is behind. */
    int64_t id = other_vendor_id();
    CHECK(id > 0);
    CHECK_INT(db_exec(fx.db, "UPDATE products SET vendor = 'Acme' WHERE id = $1",
                      (db_param_t[]){DB_INT(id)}, 1),
              1);
    catalog_mirror_stats(fx.mirror, &st0);
    CHECK_INT(acme_now(&fx), acme_expected() + 1);
    catalog_mirror_stats(fx.mirror, &st1);
    if (st1.used == st0.used)
        CHECK_INT(st1.stale, st0.stale + 1);
    /* The thread catches up by itself, and the answer is the same. */
    CHECK_INT(catalog_mirror_wait(fx.mirror, fx.db, 10000), 0);
    catalog_mirror_stats(fx.mirror, &st0);
    CHECK_INT(acme_now(&fx), acme_expected() + 1);
    catalog_mirror_stats(fx.mirror, &st1);
    CHECK_INT(st1.used, st0.used + 1);
    CHECK(st1.builds >= 2);

    /* Another connection (as `souk import` beside the server would be). */
    char err[256];
    db_t *other = NULL;
    db_config_t dbc = {.sqlite_path = fx.names.path};
    CHECK_INT(db_open(&dbc, &other, err, sizeof(err)), 0);
    if (other) {
        CHECK_INT(db_exec(other, "UPDATE products SET status = 'draft' WHERE vendor = 'Acme'", NULL,
                          0) > 0,
                  1);
        CHECK_INT(acme_now(&fx), 0);
        CHECK_INT(catalog_mirror_wait(fx.mirror, fx.db, 10000), 0);
        CHECK_INT(acme_now(&fx), 0);
        db_close(other);
    }
    /* A collection's order changed with no product row touched. */
    catalog_query_t q = srch_query();
    q.collection = "summer";
    q.sort = SORT_MANUAL;
    catalog_page_t before, after;
    CHECK_INT(catalog_search_mirrored(fx.db, fx.mirror, &fx.a, &q, &before), 0);
    CHECK(before.n >= 2);
    if (before.n >= 2) {
        CHECK_INT(db_exec(fx.db,
                          "UPDATE collection_products SET position = position + 100 WHERE "
                          "collection_id = $1 AND product_id = $2",
                          (db_param_t[]){DB_INT(SRCH_COLL_SUMMER), DB_INT(before.items[0].id)}, 2),
                  1);
        CHECK_INT(catalog_search_mirrored(fx.db, fx.mirror, &fx.a, &q, &after), 0);
        CHECK_INT(after.n, before.n);
        CHECK_INT(after.items[after.n - 1].id, before.items[0].id);
        CHECK_INT(catalog_mirror_wait(fx.mirror, fx.db, 10000), 0);
        CHECK_INT(catalog_search_mirrored(fx.db, fx.mirror, &fx.a, &q, &after), 0);
        CHECK_INT(after.items[after.n - 1].id, before.items[0].id);
    }
out:
    srch_done(&fx);
}

TEST(catalog_mirror_version_moves_with_what_listings_read)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_version", true))
        goto out;
    /* What a listing reads: the product row (which product_tags feeds
     * through migration 0005's triggers), collections and their products. */
    static const char *const WRITES[] = {
        "UPDATE products SET title = title || '!' WHERE id = 1",
        "INSERT INTO product_tags (product_id, tag) VALUES (1, 'fresh')",
        "UPDATE product_tags SET tag = 'fresher' WHERE tag = 'fresh'",
        "DELETE FROM product_tags WHERE tag = 'fresher'",
        "UPDATE collections SET title = 'Summer!' WHERE id = 1",
        "UPDATE collection_products SET position = position WHERE collection_id = 1",
        "DELETE FROM collection_products WHERE collection_id = 2",
        "INSERT INTO collections (id, public_id, handle, title, published, created_at, updated_at) "
        "VALUES (9, 'coll_t', 'fresh', 'Fresh', 1, '2024-01-01T00:00:00Z', "
        "'2024-01-01T00:00:00Z')",
        "INSERT INTO collection_products (collection_id, product_id, position) VALUES (9, 1, 1)",
        "DELETE FROM collections WHERE id = 9",
        "DELETE FROM products WHERE id = 2",
    };
    int64_t v0 = 0, v1 = 0;
    CHECK_INT(db_query_int(fx.db, "SELECT v FROM catalog_version", NULL, 0, &v0), 0);
    for (size_t i = 0; i < sizeof(WRITES) / sizeof(WRITES[0]); i++) {
        int64_t n = db_exec(fx.db, WRITES[i], NULL, 0);
        if (n < 1)
            test_fail(__FILE__, __LINE__, "%s: %lld (%s)", WRITES[i], (long long)n,
                      db_errmsg(fx.db));
        CHECK_INT(db_query_int(fx.db, "SELECT v FROM catalog_version", NULL, 0, &v1), 0);
        if (v1 <= v0)
            test_fail(__FILE__, __LINE__, "%s left the catalog version at %lld", WRITES[i],
                      (long long)v1);
        v0 = v1;
    }
    /* Tables no listing reads leave it alone: a bump is a write per row,
     * and an import writes many variants and images. */
    static const char *const OTHERS[] = {
        "UPDATE variants SET barcode = 'x' WHERE product_id = 1",
        "INSERT INTO settings (key, value) VALUES ('mirror_test', '1')",
        "CREATE TABLE scratch (x INTEGER)",
        "INSERT INTO scratch VALUES (1)",
    };
    for (size_t i = 0; i < sizeof(OTHERS) / sizeof(OTHERS[0]); i++) {
        if (db_exec(fx.db, OTHERS[i], NULL, 0) < 0)
            test_fail(__FILE__, __LINE__, "%s: %s", OTHERS[i], db_errmsg(fx.db));
        CHECK_INT(db_query_int(fx.db, "SELECT v FROM catalog_version", NULL, 0, &v1), 0);
        CHECK_INT(v1, v0);
    }
out:
    srch_done(&fx);
}

TEST(catalog_mirror_is_sqlite_only)
{
    db_config_t dbc = {.pg_conninfo = "postgresql://127.0.0.1:1/none"};
    CHECK(catalog_mirror_start(&dbc) == NULL);
    /* A NULL mirror is no mirror: the search reads the database. */
    const sbe_t *be = &(const sbe_t){"sqlite", DB_SQLITE, NULL, false};
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_none", true))
        goto out;
    CHECK_INT(acme_now(&fx), acme_expected());
out:
    srch_done(&fx);
}

/* Same pages with and without the mirror. */
static void same_answer(sfx_t *fx, const catalog_query_t *q)
{
    catalog_page_t a, b;
    CHECK_INT(catalog_mirror_wait(fx->mirror, fx->db, 10000), 0);
    CHECK_INT(catalog_search_mirrored(fx->db, fx->mirror, &fx->a, q, &a), 0);
    CHECK_INT(catalog_search(fx->db, &fx->a, q, &b), 0);
    srch_same_page(fx->be, &a, &b);
}

/* Ids far apart (most products deleted): the mirror finds them by search
 * rather than through its id table. */
TEST(catalog_mirror_sparse_ids)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_sparse", true))
        goto out;
    CHECK_INT(db_exec(fx.db, "DELETE FROM products WHERE id BETWEEN 2 AND 28", NULL, 0), 27);
    catalog_query_t q = srch_query();
    q.want_facets = true;
    same_answer(&fx, &q);
    catalog_mirror_stats_t st;
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.products, 3);
    q.sort = SORT_PRICE_DESC;
    same_answer(&fx, &q);
    q.q = "socks";
    q.sort = SORT_RELEVANCE;
    same_answer(&fx, &q);
    q.q = "shirt";
    same_answer(&fx, &q);
out:
    srch_done(&fx);
}

/* Phrase postings of every shape give FTS5's matches and ranks: 3,000
 * products whose words repeat with different periods, so that common words
 * are kept as bits, rarer ones as indexes walked by galloping, and words
 * fall in the title, the description or both, some several times. */
TEST(catalog_mirror_postings_agree_with_fts5)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_postings", false))
        goto out;
    int n = 3000;
    db_param_t p[] = {DB_INT(n), DB_TEXT("2024-01-01T00:00:00.000Z")};
    CHECK_INT(
        db_exec(fx.db,
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1) "
                "INSERT INTO products (id, public_id, handle, title, status, vendor, "
                "price_min, created_at, updated_at) SELECT x, 'prod_' || x, 'h-' || x, "
                "CASE WHEN x % 3 = 0 THEN 'Alpha ' ELSE '' END || CASE WHEN x % 61 = 0 "
                "THEN 'Beta ' ELSE '' END || CASE WHEN x % 5 = 0 THEN 'Gamma' ELSE 'Item' "
                "END, CASE WHEN x % 11 = 0 THEN 'draft' ELSE 'active' END, CASE WHEN x % "
                "2 = 0 THEN 'Acme' ELSE 'Globex' END, x % 97, $2, $2 FROM c",
                p, 2),
        n);
    CHECK_INT(db_exec(fx.db,
                      "INSERT INTO products_fts (rowid, title, body, vendor, tags, skus) SELECT "
                      "id, title, CASE WHEN id % 7 = 0 THEN 'alpha alpha ' ELSE '' END || CASE "
                      "WHEN id % 67 = 0 THEN 'beta delta ' ELSE '' END || CASE WHEN id % 59 = 0 "
                      "THEN 'delta' ELSE '' END, vendor, '', 'SKU-' || id FROM products",
                      NULL, 0),
              n);
    static const char *const TEXTS[] = {
        "alpha",      "beta",        "delta",       "alpha beta",       "beta delta",
        "delta beta", "alpha gamma", "gamma delta", "alpha beta delta", "acme beta",
        "sku-930",    "beta sku-9",  "zzz",         "alpha zzz",
    };
    for (size_t i = 0; i < sizeof(TEXTS) / sizeof(TEXTS[0]); i++) {
        catalog_query_t q = srch_query();
        q.q = TEXTS[i];
        q.limit = 50;
        q.want_facets = true;
        same_answer(&fx, &q);
        q.sort = SORT_PRICE_DESC;
        q.offset = 3;
        same_answer(&fx, &q);
    }
    catalog_mirror_stats_t st;
    catalog_mirror_stats(fx.mirror, &st);
    CHECK(st.phrase_hits > 0);
out:
    srch_done(&fx);
}

/* Searches on several threads at once, all wanting the same phrases none
 * has read yet: each phrase is read from the database once (the others
 * wait for it), and every thread gets the database's answer. */
#define SHARE_THREADS 4
static const char *const SHARED_TEXTS[] = {"shirt linen", "linen", "acme shirt", "socks"};

typedef struct {
    sfx_t *fx;
    pthread_barrier_t *start;
    int64_t total[sizeof(SHARED_TEXTS) / sizeof(SHARED_TEXTS[0])];
    int rc;
} share_t;

static void *share_main(void *arg)
{
    share_t *sh = arg;
    char err[256];
    db_t *db = NULL;
    db_config_t dbc = {.sqlite_path = sh->fx->names.path};
    sh->rc = db_open(&dbc, &db, err, sizeof(err));
    pthread_barrier_wait(sh->start);
    arena_t a = ARENA_INIT;
    for (size_t i = 0; sh->rc == 0 && i < sizeof(SHARED_TEXTS) / sizeof(SHARED_TEXTS[0]); i++) {
        catalog_query_t q = srch_query();
        q.q = SHARED_TEXTS[i];
        catalog_page_t pg;
        sh->rc = catalog_search_mirrored(db, sh->fx->mirror, &a, &q, &pg);
        sh->total[i] = pg.total;
    }
    arena_free(&a);
    db_close(db);
    return NULL;
}

TEST(catalog_mirror_phrases_shared_by_threads)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_shared", true))
        goto out;
    CHECK_INT(catalog_mirror_wait(fx.mirror, fx.db, 10000), 0);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, SHARE_THREADS);
    share_t sh[SHARE_THREADS];
    pthread_t th[SHARE_THREADS];
    for (int t = 0; t < SHARE_THREADS; t++) {
        sh[t] = (share_t){.fx = &fx, .start = &start};
        CHECK_INT(pthread_create(&th[t], NULL, share_main, &sh[t]), 0);
    }
    for (int t = 0; t < SHARE_THREADS; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    for (size_t i = 0; i < sizeof(SHARED_TEXTS) / sizeof(SHARED_TEXTS[0]); i++) {
        catalog_query_t q = srch_query();
        q.q = SHARED_TEXTS[i];
        catalog_page_t want;
        CHECK_INT(catalog_search(fx.db, &fx.a, &q, &want), 0);
        for (int t = 0; t < SHARE_THREADS; t++) {
            CHECK_INT(sh[t].rc, 0);
            CHECK_INT(sh[t].total[i], want.total);
        }
    }
    /* Six phrases a thread, five different: "shirt", "linen"* (twice),
     * "acme", "shirt"*, "socks"*. */
    catalog_mirror_stats_t st;
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.phrase_misses, 5);
    CHECK_INT(st.phrase_hits, SHARE_THREADS * 6 - 5);
out:
    srch_done(&fx);
}

/* A listing with no text and no filter counts its facets once per
 * snapshot: every sort and page of it after that reuses them, and answers
 * as the database does; anything else counts afresh, and so does a new
 * snapshot. */
TEST(catalog_mirror_keeps_unfiltered_facets)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_facets", true))
        goto out;
    catalog_mirror_stats_t st;
    catalog_query_t q = srch_query();
    q.collection = "summer";
    q.sort = SORT_MANUAL;
    q.want_facets = true;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.facet_hits, 0);
    q.sort = SORT_PRICE_DESC;
    q.limit = 2;
    q.offset = 1;
    same_answer(&fx, &q);
    q.sort = SORT_TITLE_ASC;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.facet_hits, 2);
    /* The whole catalog is kept apart from the collection. */
    q = srch_query();
    q.want_facets = true;
    same_answer(&fx, &q);
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.facet_hits, 3);
    /* A filter, a text, or unpublished products: counted afresh. */
    q.available_only = true;
    same_answer(&fx, &q);
    q.available_only = false;
    q.q = "shirt";
    same_answer(&fx, &q);
    q.q = NULL;
    q.include_unpublished = true;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.facet_hits, 3);
    /* A vendor renamed: the next snapshot counts it. */
    CHECK_INT(
        db_exec(fx.db, "UPDATE products SET vendor = 'Zenith' WHERE vendor = 'Acme'", NULL, 0) > 0,
        1);
    q = srch_query();
    q.want_facets = true;
    same_answer(&fx, &q);
    catalog_page_t pg;
    CHECK_INT(catalog_search_mirrored(fx.db, fx.mirror, &fx.a, &q, &pg), 0);
    bool zenith = false;
    for (size_t i = 0; i < pg.nvendors; i++)
        zenith |= strcmp(pg.vendors[i].value, "Zenith") == 0;
    CHECK(zenith);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.facet_hits, 1);
out:
    srch_done(&fx);
}

/* A phrase's postings are read once per snapshot and serve every search
 * holding the phrase: refining a search (a filter, another sort, the next
 * page) or searching it with other words reads only the new phrases; a new
 * snapshot reads again. */
TEST(catalog_mirror_keeps_phrase_postings)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_phrases", true))
        goto out;
    catalog_mirror_stats_t st;
    catalog_query_t q = srch_query();
    q.q = "shirt"; /* "shirt"*, the last word being a prefix */
    q.want_facets = true;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.phrase_misses, 1);
    CHECK_INT(st.phrase_hits, 0);
    CHECK(st.phrase_bytes > 0);
    q.vendors[q.nvendors++] = "Acme";
    same_answer(&fx, &q);
    q.sort = SORT_PRICE_ASC;
    q.limit = 2;
    q.offset = 1;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.phrase_misses, 1);
    CHECK_INT(st.phrase_hits, 2);
    q = srch_query();
    q.q = "linen shirt"; /* "linen" is new, "shirt"* kept */
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.phrase_misses, 2);
    CHECK_INT(st.phrase_hits, 3);
    q.q = "shirt linen"; /* both new: "shirt" and "linen"* */
    same_answer(&fx, &q);
    q.q = "linen linen shirt"; /* a phrase twice counts twice, as in FTS5 */
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.phrase_misses, 4);
    /* A product renamed: a new snapshot, whose keeping starts empty, and
     * the text finds the new name at once. */
    CHECK_INT(db_exec(fx.db, "UPDATE products SET title = 'Zephyr Shirt' WHERE id = 4", NULL, 0),
              1);
    CHECK_INT(catalog_index_product(fx.db, 4), 0);
    q = srch_query();
    q.q = "zephyr";
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.phrase_misses, 1);
    CHECK_INT(st.phrase_hits, 0);
    catalog_page_t pg;
    CHECK_INT(catalog_search_mirrored(fx.db, fx.mirror, &fx.a, &q, &pg), 0);
    CHECK_INT(pg.n, 1);
    if (pg.n == 1)
        CHECK_INT(pg.items[0].id, 4);
out:
    srch_done(&fx);
}
