/* db_sqlite.c - the SQLite backend of db.h (libsqlite3).
 *
 * One sqlite3 handle per db_t, in WAL mode with foreign keys on. Statements
 * are prepared once per connection and kept in a cache keyed by their SQL
 * text; "$1".."$n" are SQLite named parameters, bound by name so that a
 * placeholder may appear several times or out of order. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "db/db_int.h"
#include "db/sqlite_map.h"
#include "db/sqlite_rank.h"

/* The longest sleep souk_sleep() accepts, so a typo cannot hang a test run. */
#define SOUK_SLEEP_MAX_MS 60000
/* How long sq_set_wal waits before asking for the journal mode switch again. */
#define WAL_RETRY_MS 5

typedef struct {
    db_rows_t base;
    sqlite3_stmt *stmt;
    bool cached;  /* stmt belongs to the cache: reset it, do not finalize it */
    bool pending; /* db_query fetched a row that db_rows_next has not returned */
    bool done;    /* no more rows (or an error) */
} sqlite_rows_t;

typedef struct {
    db_t base;
    sqlite3 *conn;
    db_cache_t cache;
    sqlite_rows_t rows;   /* the one result set a connection may have open */
    int64_t data_version; /* db_watch: the last PRAGMA data_version seen; -1 before */
} sqlite_db_t;

static const db_ops_t sqlite_ops;

static sqlite_db_t *sq(db_t *db)
{
    return (sqlite_db_t *)db;
}

/* Record the connection's last error and map its code to a SOUK_E* code. */
static int sq_fail(sqlite_db_t *d, int rc)
{
    db_set_err(&d->base, "sqlite: %s", sqlite3_errmsg(d->conn));
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return SOUK_ECONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return SOUK_EBUSY;
    default:
        return SOUK_EDB;
    }
}

static void sq_release_stmt(sqlite3_stmt *st, bool cached)
{
    if (cached) {
        /* reset() repeats the statement's last error: already reported. */
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
}

static void finalize_cb(void *stmt, void *ctx)
{
    UNUSED(ctx);
    sqlite3_finalize(stmt);
}

/* True if text holds no statement (only spaces, comments or semicolons). */
static bool sq_tail_empty(sqlite_db_t *d, const char *tail)
{
    while (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';')
        tail++;
    if (*tail == '\0')
        return true;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(d->conn, tail, -1, &st, NULL);
    sqlite3_finalize(st);
    return rc == SQLITE_OK && st == NULL;
}

/* The prepared statement for sql: from the cache, or prepared now (and
 * cached if there is room). A cached statement still held by the open result
 * set is not shared: a fresh, uncached one is prepared instead. */
static int sq_prepare(sqlite_db_t *d, const char *sql, sqlite3_stmt **out, bool *cached)
{
    sqlite3_stmt *st = db_cache_get(&d->cache, sql);
    bool in_use = st && d->base.rows_open && d->rows.stmt == st;
    if (st && !in_use) {
        *out = st;
        *cached = true;
        return 0;
    }
    const char *tail = NULL;
    unsigned flags = st ? 0 : SQLITE_PREPARE_PERSISTENT;
    sqlite3_stmt *fresh = NULL;
    int rc = sqlite3_prepare_v3(d->conn, sql, -1, flags, &fresh, &tail);
    if (rc != SQLITE_OK)
        return sq_fail(d, rc);
    if (fresh == NULL) {
        db_set_err(&d->base, "empty sql statement");
        return SOUK_EINVAL;
    }
    if (!sq_tail_empty(d, tail)) {
        sqlite3_finalize(fresh);
        db_set_err(&d->base, "more than one sql statement (use db_exec_script)");
        return SOUK_EINVAL;
    }
    *out = fresh;
    *cached = st == NULL && db_cache_put(&d->cache, sql, fresh);
    return 0;
}

/* Bind $1..$n by name. The statement must use exactly those names, as
 * PostgreSQL requires, so a miscounted call fails the same on both backends.
 * copy: SQLite keeps its own copy of text and blobs (db_query, whose steps
 * outlive the caller's parameters). */
/* Whether name is "$k". */
static bool names_placeholder(const char *name, int k)
{
    if (name == NULL || name[0] != '$' || name[1] == '\0')
        return false;
    long v = 0;
    for (const char *c = name + 1; *c; c++) {
        if (*c < '0' || *c > '9' || v > INT_MAX / 10)
            return false;
        v = v * 10 + (*c - '0');
    }
    return v == k;
}

static int sq_bind(sqlite_db_t *d, sqlite3_stmt *st, const db_param_t *params, int n, bool copy)
{
    int have = sqlite3_bind_parameter_count(st);
    if (have != n) {
        db_set_err(&d->base, "statement has %d parameters, %d given", have, n);
        return SOUK_EINVAL;
    }
    sqlite3_destructor_type dtor = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
    for (int i = 0; i < n; i++) {
        /* SQLite numbers "$N" parameters in order of first use, so in most
         * statements $k is parameter k: checking that costs a few compares,
         * where looking the name up formats it and scans every name. */
        int idx = i + 1;
        if (!names_placeholder(sqlite3_bind_parameter_name(st, idx), idx)) {
            char name[16];
            snprintf(name, sizeof(name), "$%d", i + 1);
            idx = sqlite3_bind_parameter_index(st, name);
            if (idx == 0) {
                db_set_err(&d->base, "statement does not use placeholder %s", name);
                return SOUK_EINVAL;
            }
        }
        const db_param_t *p = &params[i];
        /* A NULL pointer would bind SQL NULL: an empty value is not NULL. */
        const char *s = p->s ? p->s : "";
        int rc;
        switch (p->type) {
        case DB_T_INT:
            rc = sqlite3_bind_int64(st, idx, p->i);
            break;
        case DB_T_TEXT:
            rc = sqlite3_bind_text64(st, idx, s, p->len, dtor, SQLITE_UTF8);
            break;
        case DB_T_BLOB:
            rc = sqlite3_bind_blob64(st, idx, s, p->len, dtor);
            break;
        default:
            rc = sqlite3_bind_null(st, idx);
            break;
        }
        if (rc != SQLITE_OK)
            return sq_fail(d, rc);
    }
    return 0;
}

static int64_t sq_exec(db_t *db, const char *sql, const db_param_t *params, int nparams)
{
    sqlite_db_t *d = sq(db);
    sqlite3_stmt *st;
    bool cached;
    int64_t ret = sq_prepare(d, sql, &st, &cached);
    if (ret < 0)
        return ret;
    ret = sq_bind(d, st, params, nparams, false);
    if (ret < 0)
        goto out;
    /* sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so
     * a statement that changed nothing (DDL, SELECT) must report 0 itself. */
    sqlite3_int64 before = sqlite3_total_changes64(d->conn);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        ret = sq_fail(d, rc);
        goto out;
    }
    ret = sqlite3_total_changes64(d->conn) == before ? 0 : sqlite3_changes64(d->conn);
out:
    sq_release_stmt(st, cached);
    return ret;
}

static int sq_exec_script(db_t *db, const char *sql)
{
    sqlite_db_t *d = sq(db);
    int rc = sqlite3_exec(d->conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(d, rc);
}

static int sq_query(db_t *db, const char *sql, const db_param_t *params, int nparams,
                    db_rows_t **out)
{
    sqlite_db_t *d = sq(db);
    sqlite3_stmt *st;
    bool cached;
    int ret = sq_prepare(d, sql, &st, &cached);
    if (ret < 0)
        return ret;
    ret = sq_bind(d, st, params, nparams, true);
    if (ret < 0)
        goto fail;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        ret = sq_fail(d, rc);
        goto fail;
    }
    sqlite_rows_t *r = &d->rows;
    memset(r, 0, sizeof(*r));
    r->base.db = db;
    r->base.ncols = sqlite3_column_count(st);
    r->stmt = st;
    r->cached = cached;
    r->pending = rc == SQLITE_ROW;
    r->done = rc == SQLITE_DONE;
    *out = &r->base;
    return 0;
fail:
    sq_release_stmt(st, cached);
    return ret;
}

static bool sq_rows_next(db_rows_t *rows)
{
    sqlite_rows_t *r = (sqlite_rows_t *)rows;
    if (r->pending) {
        r->pending = false;
        return true;
    }
    if (r->done)
        return false;
    int rc = sqlite3_step(r->stmt);
    if (rc == SQLITE_ROW)
        return true;
    r->done = true;
    if (rc != SQLITE_DONE)
        rows->err = sq_fail(sq(rows->db), rc);
    return false;
}

static bool sq_rows_isnull(const db_rows_t *rows, int col)
{
    const sqlite_rows_t *r = (const sqlite_rows_t *)rows;
    return sqlite3_column_type(r->stmt, col) == SQLITE_NULL;
}

static int64_t sq_rows_int(const db_rows_t *rows, int col)
{
    const sqlite_rows_t *r = (const sqlite_rows_t *)rows;
    return sqlite3_column_int64(r->stmt, col);
}

static double sq_rows_double(const db_rows_t *rows, int col)
{
    const sqlite_rows_t *r = (const sqlite_rows_t *)rows;
    return sqlite3_column_double(r->stmt, col);
}

static const char *sq_rows_text(const db_rows_t *rows, int col, size_t *len)
{
    const sqlite_rows_t *r = (const sqlite_rows_t *)rows;
    /* A BLOB reads as its bytes here too (SQLite only appends a NUL), so no
     * type check: a listing page reads hundreds of text columns. */
    const void *p = sqlite3_column_text(r->stmt, col);
    /* Bytes after the pointer call, as the SQLite documentation asks. */
    int n = sqlite3_column_bytes(r->stmt, col);
    if (p == NULL) {
        *len = 0;
        return ""; /* NULL, or an empty blob */
    }
    *len = (size_t)n;
    return p;
}

static void sq_rows_release(db_rows_t *rows)
{
    sqlite_rows_t *r = (sqlite_rows_t *)rows;
    sq_release_stmt(r->stmt, r->cached);
    r->stmt = NULL;
}

static bool sq_in_tx(db_t *db)
{
    return !sqlite3_get_autocommit(sq(db)->conn);
}

static int sq_begin(db_t *db, db_tx_t kind)
{
    /* SQLite transactions are serializable; IMMEDIATE takes the write lock
     * up front so that a read-then-write never fails at its first write. */
    const char *sql = kind == DB_TX_DEFAULT ? "BEGIN" : "BEGIN IMMEDIATE";
    int64_t rc = sq_exec(db, sql, NULL, 0);
    return rc < 0 ? (int)rc : 0;
}

static int sq_commit(db_t *db)
{
    int64_t rc = sq_exec(db, "COMMIT", NULL, 0);
    return rc < 0 ? (int)rc : 0;
}

static void sq_rollback(db_t *db)
{
    if (sq_exec(db, "ROLLBACK", NULL, 0) < 0)
        log_warn("sqlite rollback failed: %s", db->errmsg);
}

static int sq_ping(db_t *db)
{
    int64_t rc = sq_exec(db, "SELECT 1", NULL, 0);
    return rc < 0 ? (int)rc : 0;
}

/* How often db_watch looks at data_version: a change is seen this late at most. */
#define SQ_WATCH_POLL_MS 100

static int sq_watch(db_t *db, const char *channel, int timeout_ms)
{
    UNUSED(channel);
    sqlite_db_t *d = sq(db);
    for (int waited = 0;; waited += SQ_WATCH_POLL_MS) {
        int64_t v;
        int rc = db_query_int(db, "PRAGMA data_version", NULL, 0, &v);
        if (rc < 0)
            return rc;
        if (v != d->data_version) {
            d->data_version = v;
            return 1;
        }
        if (waited >= timeout_ms)
            return 0;
        struct timespec ts = {0, SQ_WATCH_POLL_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static size_t sq_cache_size(const db_t *db)
{
    return ((const sqlite_db_t *)db)->cache.count;
}

static void sq_close(db_t *db)
{
    sqlite_db_t *d = sq(db);
    if (db->rows_open)
        sq_rows_release(&d->rows.base);
    db_cache_clear(&d->cache, finalize_cb, NULL);
    /* Rolls back an open transaction. */
    if (sqlite3_close(d->conn) != SQLITE_OK)
        BUG("sqlite close failed: %s", sqlite3_errmsg(d->conn));
    free(d);
}

/* souk_sleep(ms): sleep, then return ms. Registered only for tests
 * (db_config_t.test_functions), to make a query slow on purpose. */
static void fn_souk_sleep(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    UNUSED(argc);
    sqlite3_int64 ms = sqlite3_value_int64(argv[0]);
    if (ms < 0 || ms > SOUK_SLEEP_MAX_MS) {
        sqlite3_result_error(ctx, "souk_sleep: milliseconds out of range", -1);
        return;
    }
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
    sqlite3_result_int64(ctx, ms);
}

/* Switch to WAL; an in-memory database stays "memory", which is fine.
 *
 * On a new file, still in rollback mode, two connections opening at once
 * (the server's workers and its page-cache watcher, or the CLI beside a
 * server) can each hold a shared lock while asking for the exclusive one the
 * switch needs. SQLite answers SQLITE_BUSY at once there, without calling the
 * busy handler, since waiting could deadlock; one of them has to let go and
 * try again. So retry, a few milliseconds apart, for up to timeout_ms. */
static int sq_set_wal(sqlite_db_t *d, int timeout_ms)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(d->conn, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(d, rc);
    for (int waited = 0;; waited += WAL_RETRY_MS) {
        rc = sqlite3_step(st);
        if ((rc & 0xff) != SQLITE_BUSY || waited >= timeout_ms)
            break;
        sqlite3_reset(st);
        struct timespec ts = {.tv_sec = 0, .tv_nsec = WAL_RETRY_MS * 1000000L};
        while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
            ;
    }
    if (rc != SQLITE_ROW) {
        int ret = sq_fail(d, rc);
        sqlite3_finalize(st);
        return ret;
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    int ret = 0;
    if (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
        db_set_err(&d->base, "sqlite: cannot switch to wal journal mode (got %s)",
                   mode ? mode : "nothing");
        ret = SOUK_EDB;
    }
    sqlite3_finalize(st);
    return ret;
}

int db_sqlite_open(const db_config_t *cfg, db_t **out, char *errbuf, size_t errcap)
{
    sqlite_db_t *d = xcalloc(1, sizeof(*d));
    d->data_version = -1;
    d->base.ops = &sqlite_ops;
    d->base.dialect = DB_SQLITE;
    int timeout = cfg->busy_timeout_ms ? cfg->busy_timeout_ms : DB_DEFAULT_BUSY_TIMEOUT_MS;
    /* One thread at a time uses a connection (db.h), so no per-call mutex. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(cfg->sqlite_path, &d->conn, flags, sqlite_map_vfs());
    int ret = 0;
    if (rc != SQLITE_OK) {
        db_set_err(&d->base, "sqlite: cannot open %s: %s", cfg->sqlite_path,
                   d->conn ? sqlite3_errmsg(d->conn) : sqlite3_errstr(rc));
        ret = SOUK_EDB;
        goto out;
    }
    sqlite3_extended_result_codes(d->conn, 1);
    sqlite3_busy_timeout(d->conn, timeout);
    ret = sq_set_wal(d, timeout);
    if (ret < 0)
        goto out;
    /* Reads go through a memory map of the file rather than a pread per page
     * (page reads were most of a product page's time on a 10,000-product
     * catalog), one map per process shared by all connections (sqlite_map.h);
     * mmap_size only has to be non-zero for the pager to use it, and bounds
     * the per-connection map the default VFS falls back to; 0 (no_map) turns
     * it off. Each connection keeps 16 MiB of pages. */
    char pragmas[160];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
             "PRAGMA mmap_size = %lld; PRAGMA cache_size = -16384;",
             cfg->no_map ? 0LL : (long long)SQLITE_MMAP_BYTES);
    rc = sqlite3_exec(d->conn, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        ret = sq_fail(d, rc);
        goto out;
    }
    if ((rc = sqlite_rank_register(d->conn)) != SQLITE_OK) {
        db_set_err(&d->base, "sqlite: cannot register souk_rank: %s", sqlite3_errstr(rc));
        ret = SOUK_EDB;
        goto out;
    }
    if (cfg->test_functions) {
        rc = sqlite3_create_function_v2(d->conn, "souk_sleep", 1, SQLITE_UTF8, NULL, fn_souk_sleep,
                                        NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            ret = sq_fail(d, rc);
            goto out;
        }
    }
out:
    if (ret < 0) {
        if (errbuf && errcap)
            snprintf(errbuf, errcap, "%s", d->base.errmsg);
        sqlite3_close(d->conn); /* accepts NULL */
        free(d);
        return SOUK_EDB;
    }
    *out = &d->base;
    return 0;
}

static const db_ops_t sqlite_ops = {
    .close = sq_close,
    .ping = sq_ping,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .rows_next = sq_rows_next,
    .rows_isnull = sq_rows_isnull,
    .rows_int = sq_rows_int,
    .rows_double = sq_rows_double,
    .rows_text = sq_rows_text,
    .rows_release = sq_rows_release,
    .in_tx = sq_in_tx,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .cache_size = sq_cache_size,
    .watch = sq_watch,
};
