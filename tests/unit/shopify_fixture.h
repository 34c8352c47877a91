/* shopify_fixture.h - what the Shopify CSV tests share: each case runs on
 * SQLite and, with SOUK_TEST_DATABASE_URL set, on PostgreSQL, in a fresh
 * migrated database (a file, or a schema of its own dropped at the end), and
 * imports files the way `souk import shopify` does. */
#ifndef SOUK_TESTS_SHOPIFY_FIXTURE_H
#define SOUK_TESTS_SHOPIFY_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "testdb.h"
#include "harness.h"
#include "shop/catalog.h"
#include "shop/shopify_csv.h"

#define DATA "tests/data/shopify/"

typedef struct {
    const char *name; /* "sqlite" or "postgresql", in failure messages */
    db_dialect_t dialect;
    const char *url; /* PostgreSQL only */
} backend_t;

typedef struct {
    const backend_t *be;
    testdb_names_t names; /* the case's own database */
    db_t *db;
} fixture_t;

/* Checks that name the backend, since each case runs on two. */
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
#define BCHECK_HAS(s, needle)                                                                      \
    do {                                                                                           \
        const char *s_ = (s), *n_ = (needle);                                                      \
        if (s_ == NULL || strstr(s_, n_) == NULL)                                                  \
            test_fail(__FILE__, __LINE__, "[%s] %s does not contain \"%s\": \"%s\"", be->name, #s, \
                      n_, s_ ? s_ : "(null)");                                                     \
    } while (0)

/* Run fn on SQLite, then on PostgreSQL if configured. */
void shop_run_each(void (*fn)(const backend_t *be));
#define SHOP_TEST(name)                                                                            \
    static void case_##name(const backend_t *be);                                                  \
    TEST(name)                                                                                     \
    {                                                                                              \
        shop_run_each(case_##name);                                                                \
    }                                                                                              \
    static void case_##name(const backend_t *be)

/* A fresh, migrated database for the case named tag; NULL (and a failure) if
 * it cannot be had. fx_done closes and drops it. */
db_t *shop_open(fixture_t *fx, const backend_t *be, const char *tag);
void shop_done(fixture_t *fx);

/* The import's messages: "line N: msg\n" for errors, "warning: line N: msg\n". */
typedef struct {
    buf_t text;
    size_t errors, warnings;
} sink_t;
#define SINK_INIT                                                                                  \
    {                                                                                              \
        BUF_INIT, 0, 0                                                                             \
    }

/* A shopify_report_fn that appends to the sink_t in ud. */
void shop_sink_report(void *ud, bool error, size_t line, const char *msg);
/* What `souk import shopify` does: check the encoding (SOUK_ENCODING with
 * *bad_offset when refused), then import. batch 0 is the default. */
int shop_import(db_t *db, const char *path, size_t batch, shopify_stats_t *st, sink_t *sink,
                uint64_t *bad_offset);
/* Write data to a file of that name in the test directory; its path (static
 * storage, four in rotation). */
const char *shop_write_tmp(const char *name, const char *data, size_t len);
/* The file's bytes (caller frees), NULL-safe: "" when unreadable. */
char *shop_read_all(const char *path, size_t *len);
/* A product by handle, or NULL. */
product_t *shop_get(db_t *db, arena_t *a, const char *handle);
int64_t shop_count(db_t *db);

#endif
