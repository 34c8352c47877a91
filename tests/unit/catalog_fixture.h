/* catalog_fixture.h - what the catalog tests (test_catalog.c, test_collection.c)
 * share: as in test_db.c, every case runs on SQLite (a fresh file) and, when
 * SOUK_TEST_DATABASE_URL is set, on PostgreSQL in a fresh schema of its own,
 * migrated with the embedded migrations and dropped at the end. */
#ifndef SOUK_TESTS_CATALOG_FIXTURE_H
#define SOUK_TESTS_CATALOG_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "testdb.h"
#include "harness.h"
#include "shop/catalog.h"

typedef struct {
    const char *name;
    db_dialect_t dialect;
    const char *url;
} backend_t;

typedef struct {
    const backend_t *be;
    testdb_names_t names; /* the case's own database */
    db_t *db;
    arena_t a;
} fixture_t;

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
/* A save that must succeed; on failure show what the catalog said. */
#define SAVE_OK(fx, p)                                                                             \
    do {                                                                                           \
        catalog_errors_t e_ = {.n = 0};                                                            \
        int rc_ = catalog_product_save((fx)->db, &(fx)->a, (p), &e_);                              \
        if (rc_ != 0)                                                                              \
            cat_fail_errs(__FILE__, __LINE__, be, rc_, &e_, (fx)->db);                             \
    } while (0)
#define COLL_OK(fx, c)                                                                             \
    do {                                                                                           \
        catalog_errors_t e_ = {.n = 0};                                                            \
        int rc_ = catalog_collection_save((fx)->db, &(fx)->a, (c), &e_);                           \
        if (rc_ != 0)                                                                              \
            cat_fail_errs(__FILE__, __LINE__, be, rc_, &e_, (fx)->db);                             \
    } while (0)

void cat_fail_errs(const char *file, int line, const backend_t *be, int rc,
                   const catalog_errors_t *e, db_t *db);
/* Run fn on SQLite, then on PostgreSQL if configured. */
void cat_run_each(void (*fn)(const backend_t *be));
/* A case of the catalog: registered as catalog_<name>, run on each backend. */
#define CAT_TEST(name)                                                                             \
    static void case_##name(const backend_t *be);                                                  \
    TEST(catalog_##name)                                                                           \
    {                                                                                              \
        cat_run_each(case_##name);                                                                 \
    }                                                                                              \
    static void case_##name(const backend_t *be)

/* A fresh migrated database (and an arena) for the case named tag; NULL and a
 * failure if it cannot be had. cat_done closes and drops it. */
db_t *cat_open(fixture_t *fx, const backend_t *be, const char *tag);
void cat_done(fixture_t *fx);
int64_t cat_count(db_t *db, const char *table);
/* printf into a, any length. */
const char *cat_fmt(arena_t *a, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* s repeated n times, in a. */
char *cat_rep(arena_t *a, const char *s, size_t n);
/* An active product with one option ("Size") and n variants S0..Sn-1 priced
 * 1000, 1001, ... with 5 in stock. */
product_t *cat_product(arena_t *a, const char *title, size_t n);
/* n images products/0.jpg ... on p. */
void cat_images(arena_t *a, product_t *p, size_t n);
/* The message for field, or NULL. */
const char *cat_err_for(const catalog_errors_t *e, const char *field);
bool cat_iso_time(const char *s);
bool cat_is_public_id(const char *s, const char *prefix);

#endif
