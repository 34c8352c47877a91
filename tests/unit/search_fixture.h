/* search_fixture.h - what the search tests (test_catalog_search.c,
 * test_catalog_search_list.c) share. As in test_db.c, every case runs on
 * SQLite (a fresh file) and, when SOUK_TEST_DATABASE_URL is set, on PostgreSQL
 * in a fresh schema. The fixture catalog is written with plain SQL and indexed
 * with catalog_index_product(), so these tests do not depend on the product
 * repository; listings without text are checked against a reference filter,
 * sort and facet count written over the same table (srch_check_listing).
 *
 * On SQLite every case runs twice: reading the database, and through a
 * catalog mirror (shop/catalog_mirror.h) that srch_search waits to be
 * current before each search and checks was used, so that both ways of
 * answering are held to the same expectations. */
#ifndef SOUK_TESTS_SEARCH_FIXTURE_H
#define SOUK_TESTS_SEARCH_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "testdb.h"
#include "harness.h"
#include "shop/catalog.h"
#include "shop/catalog_mirror.h"

typedef struct {
    const char *name;
    db_dialect_t dialect;
    const char *url;
    bool mirror; /* searches answered from a catalog mirror */
} sbe_t;

typedef struct {
    const sbe_t *be;
    testdb_names_t names; /* the case's own database */
    db_t *db;
    arena_t a;
    catalog_mirror_t *mirror; /* be->mirror: started by srch_open */
} sfx_t;

#define BCHECK(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "[%s] CHECK(%s)", be->name, #cond);                      \
    } while (0)
#define BCHECK_INT(a, b)                                                                           \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            test_fail(__FILE__, __LINE__, "[%s] %s == %lld, expected %s == %lld", be->name, #a,    \
                      a_, #b, b_);                                                                 \
    } while (0)
#define BCHECK_STR(a, b)                                                                           \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                                       \
            test_fail(__FILE__, __LINE__, "[%s] %s == \"%s\", expected \"%s\"", be->name, #a,      \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                     \
    } while (0)

#define SEARCH_TEST(name)                                                                          \
    static void case_##name(const sbe_t *be);                                                      \
    TEST(catalog_search_##name)                                                                    \
    {                                                                                              \
        srch_run_each(case_##name);                                                                \
    }                                                                                              \
    static void case_##name(const sbe_t *be)

typedef struct {
    const char *handle, *title, *body, *vendor, *type, *status;
    int64_t price_min, price_max;
    bool available;
    const char *tags;     /* comma-separated */
    const char *variants; /* "SKU:price:compare_at,..." (compare_at -1: none); "" one plain */
    int day;              /* created 2024-01-DD; updated a day later */
    int summer;           /* position in the collection "summer"; 0: not in it */
} fprod_t;

#define SRCH_NPRODUCTS 30
/* 1-based ids: SRCH_PRODUCTS[i] has id i + 1 and public id prod_<id>. */
extern const fprod_t SRCH_PRODUCTS[SRCH_NPRODUCTS];
/* Collections: 1 "summer" (published; members by fprod_t.summer), 2 "hidden"
 * (unpublished; holds product 2), 3 "winter" (published, empty). */
#define SRCH_COLL_SUMMER 1

void srch_run_each(void (*fn)(const sbe_t *be));
/* A migrated database of its own named after tag, with the fixture catalog
 * when full; false (and a failure) if not. Always end with srch_done(). */
bool srch_open(sfx_t *fx, const sbe_t *be, const char *tag, bool full);
void srch_done(sfx_t *fx);
/* Active products in the fixture. */
int srch_nactive(void);
/* A query with every field at its default, limit CATALOG_MAX_PAGE_SIZE. */
catalog_query_t srch_query(void);
/* catalog_search (through the mirror when be->mirror), failing the test on
 * a database error, or if the mirror was not used. */
int srch_search(sfx_t *fx, const catalog_query_t *q, catalog_page_t *pg);
/* Fail unless x and y hold the same items, total and facets. */
void srch_same_page(const sbe_t *be, const catalog_page_t *x, const catalog_page_t *y);
/* rc, after failing the test if it is a database error. */
int srch_check_rc(sfx_t *fx, int rc);
/* A text search with defaults. */
int srch_find(sfx_t *fx, const char *text, catalog_page_t *pg);
/* Whether fixture product p has tag (fprod_t.tags). */
bool srch_has_tag(const fprod_t *p, const char *tag);
/* The index of handle in the page, or -1. */
int srch_pos(const catalog_page_t *pg, const char *handle);
/* Run q and compare the page, total and facets with the reference. */
void srch_check_listing(sfx_t *fx, int line, const catalog_query_t *q);
#define CHECK_LISTING(fx, q) srch_check_listing((fx), __LINE__, (q))

#endif
