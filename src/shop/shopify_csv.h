/* shopify_csv.h - products in and out as Shopify's product CSV.
 *
 * `souk import shopify FILE` and `souk export shopify [FILE]` are thin wrappers
 * around shopify_import() and shopify_export(). Both stream: the importer holds
 * one product's rows at a time (plus 16 bytes per product for the handles
 * already seen, to refuse a product whose rows are split), the exporter one
 * page of products. Neither opens files: the caller does, and checks the
 * encoding first with csv_detect_encoding().
 *
 * Columns: Shopify's classic names ("Handle", "Body (HTML)", "Variant Price",
 * ...) and the names of its newer exports ("URL handle", "Description",
 * "Price", "Continue selling when out of stock", ...), compared without case
 * and surrounding spaces. Columns we know but keep nothing of (Gift Card,
 * Variant Tax Code, fulfillment service, inventory tracker, unit prices,
 * Option Linked To) are skipped quietly; any other column is ignored with one
 * warning.
 *
 * Rows: the first row of a handle carries the product and its first variant;
 * the next rows with the same handle add a variant (option values and variant
 * columns) and/or an image (Image Src, Image Position, Image Alt Text). A
 * handle that comes back after other products is an error: those later rows
 * are rejected, the earlier product stays. A product with any bad row is
 * rejected whole and every problem is reported with its line; the rest of the
 * file is imported.
 *
 * Idempotent: a product is matched by handle, its variants by SKU (else by
 * option values) and its images by URL, so ids survive an update, and a
 * product equal to what is stored is not written at all ("unchanged").
 * Products are written in batches of SHOPIFY_DEFAULT_BATCH per transaction,
 * each save under a savepoint so one product's failure never touches another;
 * on SQLite the connection is tuned for the load meanwhile (db_bulk).
 *
 * The batch size: a commit writes every page its batch dirtied, and random
 * public ids spread each batch over the whole of three indexes, so larger
 * batches write much less (a 1,000,000-product import on SQLite took about a
 * fifth less time at 10,000 than at 2,000). A batch holds SQLite's write lock
 * throughout, about 2 s at 10,000 products on a small machine: well inside
 * the 5 s other writers wait by default (database.busy_timeout_ms). */
#ifndef SOUK_SHOP_SHOPIFY_CSV_H
#define SOUK_SHOP_SHOPIFY_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/csv.h"
#include "db/db.h"

#define SHOPIFY_DEFAULT_BATCH 10000 /* products per transaction (see above) */
#define SHOPIFY_BULK_CACHE_MIB 512  /* SQLite page cache while importing (db_bulk) */
#define SHOPIFY_EXPORT_PAGE 200     /* products read per page by the exporter */
#define SHOPIFY_MAX_REPORTED 10000  /* messages passed to report(); then only counted */

/* Counts so far; the last call of progress() and the return hold the totals. */
typedef struct {
    uint64_t created, updated, unchanged, rejected;
    uint64_t warnings;   /* unknown columns, normalized handles, ... */
    uint64_t rows;       /* CSV records read, the header included */
    uint64_t bytes_read; /* of the input, for a progress bar */
} shopify_stats_t;

/* One message for people: error (the row or product is not imported) or a
 * warning; line is the CSV line it is about (0: none); msg is lowercase after
 * the column name, and is valid during the call only. */
typedef void (*shopify_report_fn)(void *ud, bool error, size_t line, const char *msg);

typedef struct {
    const char *currency;     /* the store's ISO 4217 code; NULL: "USD" */
    size_t batch;             /* products per transaction; 0: SHOPIFY_DEFAULT_BATCH; 1: each
                                 product in the catalog's own transaction, no savepoints */
    shopify_report_fn report; /* NULL: the application log */
    void (*progress)(void *ud, const shopify_stats_t *st); /* after each product; may be NULL */
    void *ud;                                              /* for report and progress */
    const csv_limits_t *limits;                            /* NULL: csv.h's defaults */
} shopify_import_opts_t;

/* Import the products of in, read as enc. Returns 0 once the whole input was
 * read (st->rejected tells whether some products were turned down), or:
 *   SOUK_EINVAL  the header names no Handle and no Title column (nothing read);
 *   SOUK_EIO     reading failed;
 *   SOUK_EDB     the database failed (SOUK_EBUSY: it stayed locked);
 * on SOUK_EIO and SOUK_EDB the batch in progress is rolled back and earlier
 * batches stay: importing the file again completes the import.
 * st (required) is filled in every case. db must not be in a transaction. */
int shopify_import(db_t *db, FILE *in, csv_encoding_t enc, const shopify_import_opts_t *opts,
                   shopify_stats_t *st);

/* Write every product to out in the classic column set: one row per variant,
 * images on the rows in order and on extra rows past the last variant, the
 * variant's image URL in Variant Image. Importing the output into an empty
 * store gives back the same catalog. currency NULL: "USD". *nproducts (if not
 * NULL) counts the products written. 0, SOUK_EIO (write failed) or SOUK_EDB. */
int shopify_export(db_t *db, FILE *out, const char *currency, uint64_t *nproducts);

/* ---- progress on a terminal or in a log (the CLI's) ---- */

/* A progress line on out: when tty, one line redrawn at most 10 times a second
 * (percent of total_bytes, products/s, counts); otherwise a plain line every
 * 10 seconds. Messages go through the same object so that they do not tear
 * the bar. */
typedef struct {
    FILE *out;
    bool tty;
    bool drawn; /* a bar is on the screen (tty) */
    uint64_t total_bytes;
    int64_t start_ms, last_ms;
} shopify_progress_t;

void shopify_progress_init(shopify_progress_t *p, FILE *out, bool tty, uint64_t total_bytes);
/* For shopify_import_opts_t: ud is the shopify_progress_t. */
void shopify_progress_update(void *ud, const shopify_stats_t *st);
void shopify_progress_report(void *ud, bool error, size_t line, const char *msg);
/* Clear the bar (tty) and write the last figures (elapsed time, products/s). */
void shopify_progress_end(shopify_progress_t *p, const shopify_stats_t *st);

#endif
