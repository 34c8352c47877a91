/* testdb.h - a throwaway, migrated database per test case, on SQLite (a file
 * under test_tmpdir()) or on PostgreSQL (a schema of its own in the database
 * at SOUK_TEST_DATABASE_URL, reached through search_path). Shared by the
 * fixtures of the catalog, search and Shopify tests. */
#ifndef SOUK_TESTS_TESTDB_H
#define SOUK_TESTS_TESTDB_H

#include <stdbool.h>

#include "db/db.h"

typedef struct {
    char path[256];      /* SQLite */
    char schema[96];     /* PostgreSQL */
    char conninfo[2048]; /* PostgreSQL: the url with search_path set to schema */
} testdb_names_t;

/* Send log lines to /dev/null (quiet) or back to stderr. */
void testdb_quiet_log(bool quiet);

/* Run sql on the PostgreSQL database at url, on a connection of its own;
 * failures are test failures labelled with who. */
void testdb_pg_admin(const char *who, const char *url, const char *sql);

/* Create the database "PREFIX_TAG" (a fresh file, or a fresh schema), open it
 * and apply the migrations. The opened connection, or NULL after reporting
 * the failure. n receives the names (for testdb_drop). */
db_t *testdb_open(const char *who, db_dialect_t dialect, const char *url, const char *prefix,
                  const char *tag, testdb_names_t *n, int busy_timeout_ms);

/* Remove the schema made by testdb_open (a no-op on SQLite, whose files live
 * in the test's scratch directory). */
void testdb_drop(const char *who, db_dialect_t dialect, const char *url, const testdb_names_t *n);

#endif
