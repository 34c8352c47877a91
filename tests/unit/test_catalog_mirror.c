/* test_catalog_mirror.c - the catalog mirror's freshness: a search never
 * answers from a snapshot older than the catalog it reads, whoever wrote
 * the change; the mirror catches up by itself; migration 0006's version
 * moves with every table a listing reads. That the mirror answers as the database
 * does is held by the search tests, which run through it too
 * (search_fixture.h). */
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

/* A text's matches are read once per snapshot: refining the search (a
 * filter, another sort, the next page) reuses them; a new text or a new
 * snapshot reads again. */
TEST(catalog_mirror_keeps_text_matches)
{
    const sbe_t *be = &MIRRORED;
    sfx_t fx;
    if (!srch_open(&fx, be, "mirror_matches", true))
        goto out;
    catalog_mirror_stats_t st;
    catalog_query_t q = srch_query();
    q.q = "shirt";
    q.want_facets = true;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.match_misses, 1);
    CHECK_INT(st.match_hits, 0);
    q.vendors[q.nvendors++] = "Acme";
    same_answer(&fx, &q);
    q.sort = SORT_PRICE_ASC; /* needs no rank: the kept ranked matches serve */
    q.limit = 2;
    q.offset = 1;
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.match_misses, 1);
    CHECK_INT(st.match_hits, 2);
    q.q = "shirts linen";
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.match_misses, 2);
    /* A product renamed: a new snapshot, whose keeping starts empty, and
     * the text finds the new name at once. */
    CHECK_INT(db_exec(fx.db, "UPDATE products SET title = 'Zephyr Shirt' WHERE id = 4", NULL, 0),
              1);
    CHECK_INT(catalog_index_product(fx.db, 4), 0);
    q = srch_query();
    q.q = "zephyr";
    same_answer(&fx, &q);
    catalog_mirror_stats(fx.mirror, &st);
    CHECK_INT(st.match_misses, 1);
    CHECK_INT(st.match_hits, 0);
    catalog_page_t pg;
    CHECK_INT(catalog_search_mirrored(fx.db, fx.mirror, &fx.a, &q, &pg), 0);
    CHECK_INT(pg.n, 1);
    if (pg.n == 1)
        CHECK_INT(pg.items[0].id, 4);
out:
    srch_done(&fx);
}
