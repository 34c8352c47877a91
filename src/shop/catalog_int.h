/* catalog_int.h - what the catalog's own files share: the rules in catalog.c,
 * the product SQL in catalog_repo.c and the collection SQL in collection_repo.c.
 * Not for other modules: they use catalog.h. */
#ifndef SOUK_SHOP_CATALOG_INT_H
#define SOUK_SHOP_CATALOG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "shop/catalog.h"

/* Generated handles tried with "-2", "-3", ... up to this many, then with a
 * random suffix. */
#define CATALOG_HANDLE_ATTEMPTS 100
/* products.tags joins a product's tags with this byte; triggers of migration
 * 0005 keep it from product_tags. A tag cannot hold it (catalog.c refuses
 * control characters). */
#define CATALOG_TAG_SEP '\x1f'

/* The next tag of a products.tags value ending at end: *tag and *len, and
 * *s moved past it and its separator; false when none is left. */
static inline bool catalog_tags_next(const char **s, const char *end, const char **tag, size_t *len)
{
    if (*s >= end)
        return false;
    const char *e = memchr(*s, CATALOG_TAG_SEP, (size_t)(end - *s));
    if (e == NULL)
        e = end;
    *tag = *s;
    *len = (size_t)(e - *s);
    *s = e + 1;
    return true;
}

/* A time column as ISO 8601 UTC with milliseconds: SQLite stores that text,
 * PostgreSQL's timestamptz is formatted on read. */
#define CATALOG_PG_TS(col)                                                                         \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Add one problem to e (ignored once e is full; e may be NULL). field and msg
 * must outlive e: literals or arena strings. */
void catalog_err(catalog_errors_t *e, const char *field, const char *msg);
/* A field path such as "variants[2].price", allocated in a. */
const char *catalog_fieldf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* prefix ("prod_", "var_", ...) and 20 base32 characters, in a: 10 of the
 * creation time, so later ids sort later, then 10 random. */
char *catalog_new_public_id(arena_t *a, const char *prefix);
/* Column col of the current row of r as a string in a ("" for NULL).
 * catalog_repo.c. */
const char *catalog_col_str(arena_t *a, db_rows_t *r, int col);
/* The current UTC time, "2026-11-22T03:04:05.123Z". */
void catalog_now(char out[32]);
/* base + "-n", base shortened (on a '-' when possible) so the result stays a
 * valid handle of at most CATALOG_MAX_HANDLE bytes. */
char *catalog_handle_suffixed(arena_t *a, const char *base, const char *suffix);
/* Order for tags and titles: ASCII letters compared without case, then bytes. */
int catalog_text_cmp(const char *x, const char *y);

/* Validate in and write its normalized form to out (strings trimmed and
 * copied into a, body_html sanitized, tags trimmed and merged, positions
 * 1..n, price_min/price_max/available derived). Ids and public ids are
 * copied as given; the repository checks them against the database.
 * 0, or SOUK_EINVAL with every problem in errs. */
int catalog_product_prepare(arena_t *a, const product_t *in, product_t *out,
                            catalog_errors_t *errs);
int catalog_collection_prepare(arena_t *a, const collection_t *in, collection_t *out,
                               catalog_errors_t *errs);

/* ---- shared by the repositories (catalog_repo.c) ---- */

/* The handle to store for a product (collections == false) or a collection,
 * inside the caller's write transaction. An explicit handle taken by another
 * row is SOUK_ECONFLICT naming "handle"; an empty one on an update keeps
 * current; an empty one on a create is made from title, with a suffix if
 * taken. */
int catalog_pick_handle(db_t *db, arena_t *a, bool collections, int64_t self_id, const char *given,
                        const char *current, const char *title, const char **out,
                        catalog_errors_t *errs);
/* Every write is one unit of work: a DB_TX_WRITE transaction of its own, or,
 * when the caller has a transaction open (the importer's batches), a
 * savepoint inside it. catalog_tx_end commits/releases when rc is 0, else
 * rolls the unit back, and returns the final code. */
int catalog_tx_begin(db_t *db, bool *nested);
int catalog_tx_end(db_t *db, bool nested, int rc);
/* The internal id of a product by handle or public id: 0, SOUK_ENOTFOUND or < 0. */
int catalog_product_resolve(db_t *db, const char *handle_or_id, int64_t *id);

#endif
