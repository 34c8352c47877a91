/* migrate.c - applies the numbered migrations embedded in the binary.
 *
 * Each migration runs in its own write transaction together with its row in
 * schema_migrations, so it is applied whole or not at all. On PostgreSQL an
 * advisory lock taken inside that transaction serialises instances running
 * `souk migrate` at the same time; each re-reads the version once it holds
 * the lock. On SQLite, BEGIN IMMEDIATE does the same. */
#include "db/migrate.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/migrate_int.h"

/* The advisory lock of migrations: "soukmigr" in ASCII. */
#define MIGRATE_LOCK_KEY INT64_C(0x736f756b6d696772)

static const char SQL_CREATE_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       "version INTEGER PRIMARY KEY, "
                                       "name TEXT NOT NULL, "
                                       "applied_at TEXT NOT NULL)";
static const char SQL_MAX_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

const db_migration_t *migrate_list(db_dialect_t dialect, size_t *count)
{
    const db_migration_t *list =
        dialect == DB_POSTGRES ? db_migrations_postgres : db_migrations_sqlite;
    size_t n = 0;
    while (list[n].sql)
        n++;
    if (count)
        *count = n;
    return list;
}

int migrate_latest(db_dialect_t dialect)
{
    size_t n;
    const db_migration_t *list = migrate_list(dialect, &n);
    return n ? list[n - 1].version : 0;
}

/* 1 if schema_migrations exists (as unqualified SQL would find it), 0 if not. */
static int table_exists(db_t *db)
{
    const char *sql =
        db_dialect(db) == DB_POSTGRES
            ? "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"
            : "SELECT count(*) FROM sqlite_master "
              "WHERE type = 'table' AND name = 'schema_migrations'";
    int64_t v;
    int rc = db_query_int(db, sql, NULL, 0, &v);
    return rc < 0 ? rc : v != 0;
}

static int max_version(db_t *db)
{
    int64_t v;
    int rc = db_query_int(db, SQL_MAX_VERSION, NULL, 0, &v);
    if (rc < 0)
        return rc;
    if (v < 0 || v > INT_MAX)
        return SOUK_ERANGE;
    return (int)v;
}

int migrate_current(db_t *db)
{
    int rc = table_exists(db);
    if (rc <= 0)
        return rc;
    return max_version(db);
}

/* PostgreSQL, inside the migration's transaction: wait for any other
 * migrator (without lock_timeout, a migration may take long), then put the
 * configured lock_timeout back for the migration's own statements, so that
 * DDL queued behind a long transaction fails instead of blocking the site. */
static int pg_lock(db_t *db)
{
    db_rows_t *rows;
    char saved[32];
    int rc = db_query(db, "SELECT current_setting('lock_timeout')", NULL, 0, &rows);
    if (rc < 0)
        return rc;
    snprintf(saved, sizeof(saved), "%s", db_rows_next(rows) ? db_rows_text(rows, 0, NULL) : "0");
    rc = db_rows_end(rows);
    if (rc < 0)
        return rc;
    int64_t r = db_exec(db, "SELECT set_config('lock_timeout', '0', true)", NULL, 0);
    if (r >= 0) {
        db_param_t key = DB_INT(MIGRATE_LOCK_KEY);
        r = db_exec(db, "SELECT pg_advisory_xact_lock($1)", &key, 1);
    }
    if (r >= 0) {
        db_param_t value = DB_TEXT(saved);
        r = db_exec(db, "SELECT set_config('lock_timeout', $1, true)", &value, 1);
    }
    return r < 0 ? (int)r : 0;
}

/* Begin a write transaction, holding the migration lock on PostgreSQL. */
static int begin_locked(db_t *db)
{
    int rc = db_begin(db, DB_TX_WRITE);
    if (rc == 0 && db_dialect(db) == DB_POSTGRES)
        rc = pg_lock(db);
    return rc;
}

static int ensure_table(db_t *db)
{
    int rc = table_exists(db);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = begin_locked(db);
    if (rc == 0) {
        int64_t r = db_exec(db, SQL_CREATE_TABLE, NULL, 0);
        rc = r < 0 ? (int)r : db_commit(db);
    }
    if (rc < 0) {
        log_error("cannot create table schema_migrations: %s", db_errmsg(db));
        db_rollback(db);
    }
    return rc;
}

/* Apply m unless another instance did while we waited for the lock: 1 if
 * applied now, 0 if it was there already, < 0 (rolled back and logged). */
static int apply_one(db_t *db, const db_migration_t *m)
{
    int did = 0;
    int rc = begin_locked(db);
    if (rc < 0)
        goto out;
    rc = max_version(db);
    if (rc < 0)
        goto out;
    if (rc < m->version) {
        rc = db_exec_script(db, m->sql);
        if (rc < 0)
            goto out;
        char now[32];
        log_time_iso(now);
        db_param_t p[] = {DB_INT(m->version), DB_TEXT(m->name), DB_TEXT(now)};
        int64_t r = db_exec(db,
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES ($1, $2, $3)",
                            p, 3);
        if (r < 0) {
            rc = (int)r;
            goto out;
        }
        did = 1;
    }
    rc = db_commit(db);
out:
    if (rc < 0) {
        log_error("migration %04d_%s failed: %s", m->version, m->name, db_errmsg(db));
        db_rollback(db);
        return rc;
    }
    if (did)
        log_info("applied migration %04d_%s", m->version, m->name);
    return did;
}

/* Warn about migrations at or below the current version that were never
 * applied: one added out of order, after a later one ran. */
static int check_gaps(db_t *db, const db_migration_t *list, size_t n, int current)
{
    db_rows_t *rows;
    int rc = db_query(db, "SELECT version FROM schema_migrations ORDER BY version", NULL, 0, &rows);
    if (rc < 0)
        return rc;
    size_t i = 0;
    bool more = db_rows_next(rows);
    for (; i < n && list[i].version <= current; i++) {
        while (more && db_rows_int(rows, 0) < list[i].version)
            more = db_rows_next(rows);
        if (!more || db_rows_int(rows, 0) != list[i].version)
            log_warn("migration %04d_%s was never applied but the database is at version %d",
                     list[i].version, list[i].name, current);
    }
    return db_rows_end(rows);
}

int migrate_apply_list(db_t *db, const db_migration_t *list, size_t n, int *applied)
{
    for (size_t i = 0; i < n; i++) {
        ASSERT(list[i].version > 0 && list[i].name != NULL && list[i].sql != NULL);
        ASSERT(i == 0 || list[i].version > list[i - 1].version);
    }
    int count = 0;
    int rc = ensure_table(db);
    if (rc < 0)
        goto out;
    rc = migrate_current(db);
    if (rc < 0) {
        log_error("cannot read the schema version: %s", db_errmsg(db));
        goto out;
    }
    int current = rc;
    rc = check_gaps(db, list, n, current);
    if (rc < 0) {
        log_error("cannot read schema_migrations: %s", db_errmsg(db));
        goto out;
    }
    if (n && current > list[n - 1].version)
        log_warn("database schema version %d is newer than this build's %d", current,
                 list[n - 1].version);
    for (size_t i = 0; i < n; i++) {
        if (list[i].version <= current)
            continue;
        rc = apply_one(db, &list[i]);
        if (rc < 0)
            goto out;
        count += rc;
    }
    rc = 0;
out:
    if (applied)
        *applied = count;
    return rc;
}

int migrate_apply(db_t *db, int *applied)
{
    size_t n;
    const db_migration_t *list = migrate_list(db_dialect(db), &n);
    return migrate_apply_list(db, list, n, applied);
}
