/* migrate.h - numbered schema migrations per dialect, embedded in the binary.
 *
 * migrations/sqlite/NNNN_name.sql and migrations/postgres/NNNN_name.sql are
 * compiled in (build/gen/migrations.c). Each applies in its own transaction
 * together with its row in schema_migrations, so a failing one leaves the
 * database as it was, and applying twice is a no-op. */
#ifndef SOUK_DB_MIGRATE_H
#define SOUK_DB_MIGRATE_H

#include "db/db.h"

typedef struct {
    int version;      /* NNNN, strictly increasing */
    const char *name; /* file name without the number and .sql */
    const char *sql;
} db_migration_t;

/* The embedded migrations of a dialect (generated at build time). */
const db_migration_t *migrate_list(db_dialect_t dialect, size_t *count);
/* The newest version compiled into this binary. */
int migrate_latest(db_dialect_t dialect);
/* Apply every pending migration; *applied (if given) counts those applied now.
 * 0 on success; on failure the failing migration is rolled back and logged. */
int migrate_apply(db_t *db, int *applied);
/* The database's current version (0 if none applied yet), or < 0 on error. */
int migrate_current(db_t *db);

#endif
