/* test_db.c - the storage layer (db.h, migrate.h) on both backends.
 *
 * Every case is written once and runs on SQLite (a file in test_tmpdir()) and,
 * when SOUK_TEST_DATABASE_URL is set, on PostgreSQL, where each case works in
 * its own schema (souk_unit_<pid>_<case>) that it drops at the end, so the
 * database can be reused across runs and by concurrent runs. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_int.h"
#include "db/migrate.h"
#include "db/migrate_int.h"
#include "db/sqlite_map.h"
#include "harness.h"

typedef struct {
    const char *name; /* "sqlite" or "postgresql", in failure messages */
    db_dialect_t dialect;
    const char *url; /* PostgreSQL only */
} backend_t;

/* A case's database: a fresh SQLite file or a fresh PostgreSQL schema. */
typedef struct {
    const backend_t *be;
    char path[256];      /* SQLite */
    char schema[96];     /* PostgreSQL */
    char conninfo[2048]; /* PostgreSQL: url with search_path set to schema */
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
/* Run a statement that must succeed; on failure show the database's message. */
#define EXEC(db, sql, params, n)                                                                   \
    do {                                                                                           \
        int64_t r_ = db_exec((db), (sql), (params), (n));                                          \
        if (r_ < 0)                                                                                \
            test_fail(__FILE__, __LINE__, "[%s] %s: %s", be->name, (sql), db_errmsg(db));          \
    } while (0)

static const char *pick(const backend_t *be, const char *sqlite_sql, const char *pg_sql)
{
    return be->dialect == DB_POSTGRES ? pg_sql : sqlite_sql;
}

static void run_each(void (*fn)(const backend_t *be))
{
    static bool told;
    const backend_t sqlite = {"sqlite", DB_SQLITE, NULL};
    fn(&sqlite);
    const char *url = getenv("SOUK_TEST_DATABASE_URL");
    if (url && *url) {
        const backend_t pg = {"postgresql", DB_POSTGRES, url};
        fn(&pg);
    } else if (!told) {
        printf("test_db: SOUK_TEST_DATABASE_URL unset, PostgreSQL cases not run\n");
        fflush(stdout);
        told = true;
    }
}

#define DB_TEST(name)                                                                              \
    static void case_##name(const backend_t *be);                                                  \
    TEST(name)                                                                                     \
    {                                                                                              \
        run_each(case_##name);                                                                     \
    }                                                                                              \
    static void case_##name(const backend_t *be)

static db_t *fx_open_cfg(fixture_t *fx, int busy_ms, bool test_functions)
{
    const backend_t *be = fx->be;
    db_config_t cfg = {.busy_timeout_ms = busy_ms, .test_functions = test_functions};
    if (be->dialect == DB_POSTGRES)
        cfg.pg_conninfo = fx->conninfo;
    else
        cfg.sqlite_path = fx->path;
    db_t *db = NULL;
    char err[256];
    int rc = db_open(&cfg, &db, err, sizeof(err));
    if (rc != 0)
        test_fail(__FILE__, __LINE__, "[%s] db_open: %s", be->name, err);
    return db;
}

static db_t *fx_open(fixture_t *fx)
{
    return fx_open_cfg(fx, 0, false);
}

/* Run a script on the PostgreSQL database outside the case's schema. */
static void pg_admin(const backend_t *be, const char *sql)
{
    db_config_t cfg = {.pg_conninfo = be->url};
    db_t *db;
    char err[256];
    if (db_open(&cfg, &db, err, sizeof(err)) != 0) {
        test_fail(__FILE__, __LINE__, "[%s] db_open: %s", be->name, err);
        return;
    }
    if (db_exec_script(db, sql) != 0)
        test_fail(__FILE__, __LINE__, "[%s] %s: %s", be->name, sql, db_errmsg(db));
    db_close(db);
}

static void fx_init(fixture_t *fx, const backend_t *be, const char *tag)
{
    memset(fx, 0, sizeof(*fx));
    fx->be = be;
    if (be->dialect == DB_SQLITE) {
        snprintf(fx->path, sizeof(fx->path), "%s/%s.db", test_tmpdir(), tag);
        const char *suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            char p[300];
            snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
            unlink(p);
        }
        return;
    }
    snprintf(fx->schema, sizeof(fx->schema), "souk_unit_%ld_%s", (long)getpid(), tag);
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", fx->schema,
             fx->schema);
    pg_admin(be, sql);
    /* In the conninfo, so that it survives a reconnect. */
    bool uri =
        strncmp(be->url, "postgres://", 11) == 0 || strncmp(be->url, "postgresql://", 13) == 0;
    if (uri)
        snprintf(fx->conninfo, sizeof(fx->conninfo), "%s%soptions=-csearch_path%%3D%s", be->url,
                 strchr(be->url, '?') ? "&" : "?", fx->schema);
    else
        snprintf(fx->conninfo, sizeof(fx->conninfo), "%s options='-csearch_path=%s'", be->url,
                 fx->schema);
}

static void fx_done(fixture_t *fx)
{
    if (fx->be->dialect == DB_POSTGRES) {
        char sql[160];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", fx->schema);
        pg_admin(fx->be, sql);
    }
}

static int64_t count_rows(db_t *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    int64_t n = -1;
    if (db_query_int(db, sql, NULL, 0, &n) != 0)
        return -1;
    return n;
}

static void quiet_log(bool quiet)
{
    static int devnull = -1;
    if (devnull < 0)
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    log_set_fd(quiet && devnull >= 0 ? devnull : 2);
}

/* --- values ---------------------------------------------------------------- */

static const char FANCY[] =
    "it's \"quoted\" -- back\\slash; ünïcödé 日本語 🛒 ' OR '1'='1";
static const unsigned char BLOB[] = {0x00, 0xff, 0x27, 0x5c, 0x00, 0x78, 0x80, 0x0a};

DB_TEST(db_roundtrip_values)
{
    fixture_t fx;
    fx_init(&fx, be, "values");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    int64_t r = db_exec(db,
                        pick(be,
                             "CREATE TABLE t_values (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, "
                             "b BLOB)",
                             "CREATE TABLE t_values (id INTEGER PRIMARY KEY, n BIGINT, s TEXT, "
                             "b BYTEA)"),
                        NULL, 0);
    BCHECK_INT(r, 0);
    const char *ins = "INSERT INTO t_values (id, n, s, b) VALUES ($1, $2, $3, $4)";
    db_param_t p1[] = {DB_INT(1), DB_INT(INT64_MAX), DB_TEXT(FANCY), DB_BLOB(BLOB, sizeof(BLOB))};
    db_param_t p2[] = {DB_INT(2), DB_INT(INT64_MIN), DB_TEXT(""), DB_BLOB(NULL, 0)};
    db_param_t p3[] = {DB_INT(3), DB_NULL, DB_NULL, DB_NULL};
    db_param_t p4[] = {DB_INT(4), DB_INT(-1), DB_TEXTN("abcdef", 3), DB_BLOB("xyz", 3)};
    BCHECK_INT(db_exec(db, ins, p1, 4), 1);
    BCHECK_INT(db_exec(db, ins, p2, 4), 1);
    BCHECK_INT(db_exec(db, ins, p3, 4), 1);
    BCHECK_INT(db_exec(db, ins, p4, 4), 1);

    db_rows_t *rows;
    int rc = db_query(db, "SELECT id, n, s, b FROM t_values ORDER BY id", NULL, 0, &rows);
    BCHECK_INT(rc, 0);
    if (rc != 0)
        goto out;
    BCHECK_INT(db_rows_ncols(rows), 4);
    size_t len;
    BCHECK(db_rows_next(rows));
    BCHECK_INT(db_rows_int(rows, 0), 1);
    BCHECK(db_rows_int(rows, 1) == INT64_MAX);
    BCHECK_STR(db_rows_text(rows, 1, NULL), "9223372036854775807");
    BCHECK_STR(db_rows_text(rows, 2, &len), FANCY);
    BCHECK_INT(len, strlen(FANCY));
    const char *b = db_rows_text(rows, 3, &len);
    BCHECK_INT(len, sizeof(BLOB));
    BCHECK(len == sizeof(BLOB) && memcmp(b, BLOB, len) == 0);
    BCHECK(!db_rows_isnull(rows, 3));

    BCHECK(db_rows_next(rows));
    BCHECK(db_rows_int(rows, 1) == INT64_MIN);
    BCHECK_STR(db_rows_text(rows, 2, &len), "");
    BCHECK_INT(len, 0);
    BCHECK(!db_rows_isnull(rows, 2)); /* empty is not NULL */
    db_rows_text(rows, 3, &len);
    BCHECK_INT(len, 0);
    BCHECK(!db_rows_isnull(rows, 3));

    BCHECK(db_rows_next(rows));
    for (int c = 1; c < 4; c++) {
        BCHECK(db_rows_isnull(rows, c));
        BCHECK_INT(db_rows_int(rows, c), 0);
        BCHECK_STR(db_rows_text(rows, c, &len), "");
        BCHECK_INT(len, 0);
    }

    BCHECK(db_rows_next(rows));
    BCHECK_INT(db_rows_int(rows, 1), -1);
    BCHECK_STR(db_rows_text(rows, 2, NULL), "abc");
    b = db_rows_text(rows, 3, &len);
    BCHECK(len == 3 && memcmp(b, "xyz", 3) == 0);
    BCHECK(!db_rows_next(rows));
    BCHECK(!db_rows_next(rows));
    BCHECK_INT(db_rows_end(rows), 0);

    /* A parameter straight back, without a table. */
    db_param_t echo[] = {DB_TEXT(FANCY)};
    rc = db_query(db, "SELECT $1", echo, 1, &rows);
    BCHECK_INT(rc, 0);
    if (rc == 0) {
        BCHECK(db_rows_next(rows));
        BCHECK_STR(db_rows_text(rows, 0, NULL), FANCY);
        BCHECK_INT(db_rows_end(rows), 0);
    }

    /* Bad parameters fail cleanly and leave the connection usable. */
    db_param_t nul[] = {DB_TEXTN("a\0b", 3)};
    BCHECK_INT(db_exec(db, "SELECT $1", nul, 1), SOUK_EINVAL);
    db_param_t two[] = {DB_INT(1), DB_INT(2)};
    BCHECK_INT(db_exec(db, "SELECT $1", two, 2), SOUK_EINVAL);
    BCHECK_INT(db_exec(db, "SELECT $1", NULL, 0), SOUK_EINVAL);
    BCHECK(strlen(db_errmsg(db)) > 0);
    BCHECK(db_exec(db, "SELECT nonsense FROM", NULL, 0) < 0);
    BCHECK_INT(count_rows(db, "t_values"), 4);
out:
    db_close(db);
    fx_done(&fx);
}

DB_TEST(db_placeholders_repeated_and_out_of_order)
{
    fixture_t fx;
    fx_init(&fx, be, "placeholders");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    EXEC(db, "CREATE TABLE t_ph (a INTEGER, b INTEGER, c INTEGER, s TEXT)", NULL, 0);
    db_param_t p[] = {DB_INT(10), DB_INT(20), DB_TEXT("x")};
    BCHECK_INT(db_exec(db, "INSERT INTO t_ph (s, a, b, c) VALUES ($3, $2, $1, $2)", p, 3), 1);
    db_rows_t *rows;
    int rc = db_query(db, "SELECT a, b, c, s FROM t_ph", NULL, 0, &rows);
    BCHECK_INT(rc, 0);
    if (rc == 0) {
        BCHECK(db_rows_next(rows));
        BCHECK_INT(db_rows_int(rows, 0), 20);
        BCHECK_INT(db_rows_int(rows, 1), 10);
        BCHECK_INT(db_rows_int(rows, 2), 20);
        BCHECK_STR(db_rows_text(rows, 3, NULL), "x");
        BCHECK_INT(db_rows_end(rows), 0);
    }
    db_param_t q[] = {DB_INT(20), DB_INT(10)};
    int64_t n = -1;
    BCHECK_INT(
        db_query_int(db, "SELECT count(*) FROM t_ph WHERE c = $1 AND a = $1 AND b = $2", q, 2, &n),
        0);
    BCHECK_INT(n, 1);
    BCHECK_INT(db_query_int(db, "SELECT count(*) FROM t_ph WHERE b = $2 AND a = $1", q, 2, &n), 0);
    BCHECK_INT(n, 1);
    BCHECK_INT(
        db_query_int(db, "SELECT a FROM t_ph WHERE a = $1", (db_param_t[]){DB_INT(99)}, 1, &n),
        SOUK_ENOTFOUND);
out:
    db_close(db);
    fx_done(&fx);
}

DB_TEST(db_statement_cache_reuse)
{
    fixture_t fx;
    fx_init(&fx, be, "cache");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    EXEC(db, "CREATE TABLE t_cache (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)", NULL, 0);
    const char *ins = "INSERT INTO t_cache (id, v) VALUES ($1, $2)";
    EXEC(db, ins, ((db_param_t[]){DB_INT(0), DB_INT(0)}), 2);
    size_t cached = db_cache_size(db);
    BCHECK(cached >= 1);
    int failures = 0;
    for (int i = 1; i < 1000; i++) {
        db_param_t p[] = {DB_INT(i), DB_INT(i * 2)};
        if (db_exec(db, ins, p, 2) != 1)
            failures++;
    }
    BCHECK_INT(failures, 0);
    BCHECK_INT(db_cache_size(db), cached); /* the same statement, reused */
    int64_t sum = 0;
    BCHECK_INT(db_query_int(db, "SELECT sum(v) FROM t_cache", NULL, 0, &sum), 0);
    BCHECK_INT(sum, 999 * 1000);
    BCHECK_INT(count_rows(db, "t_cache"), 1000);

    /* A cached SELECT * whose table changes shape is prepared again. */
    db_rows_t *rows;
    BCHECK_INT(db_query(db, "SELECT * FROM t_cache WHERE id = 1", NULL, 0, &rows), 0);
    BCHECK_INT(db_rows_ncols(rows), 2);
    db_rows_end(rows);
    EXEC(db, "ALTER TABLE t_cache ADD COLUMN w INTEGER", NULL, 0);
    int rc = db_query(db, "SELECT * FROM t_cache WHERE id = 1", NULL, 0, &rows);
    BCHECK_INT(rc, 0);
    if (rc == 0) {
        BCHECK_INT(db_rows_ncols(rows), 3);
        db_rows_end(rows);
    }
out:
    db_close(db);
    fx_done(&fx);
}

DB_TEST(db_exec_counts_changed_rows)
{
    fixture_t fx;
    fx_init(&fx, be, "changes");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    BCHECK_INT(db_exec(db, "CREATE TABLE t_ch (id INTEGER PRIMARY KEY, v INTEGER)", NULL, 0), 0);
    BCHECK_INT(db_exec_script(db, "INSERT INTO t_ch VALUES (1, 0); INSERT INTO t_ch VALUES (2, 0);"
                                  " INSERT INTO t_ch VALUES (3, 5)"),
               0);
    BCHECK_INT(db_exec(db, "UPDATE t_ch SET v = v + 1", NULL, 0), 3);
    /* DDL and SELECT after a DML statement still report 0. */
    BCHECK_INT(db_exec(db, "CREATE TABLE t_ch2 (x INTEGER)", NULL, 0), 0);
    BCHECK_INT(db_exec(db, "SELECT * FROM t_ch", NULL, 0), 0);
    BCHECK_INT(db_exec(db, "DELETE FROM t_ch WHERE v > $1", (db_param_t[]){DB_INT(100)}, 1), 0);
    BCHECK_INT(db_exec(db, "DELETE FROM t_ch WHERE v = $1", (db_param_t[]){DB_INT(1)}, 1), 2);
    /* One statement per db_exec; several need db_exec_script. */
    BCHECK(db_exec(db, "DELETE FROM t_ch; DELETE FROM t_ch2", NULL, 0) < 0);
    BCHECK_INT(count_rows(db, "t_ch"), 1);
    BCHECK(db_exec_script(db, "DELETE FROM t_ch; SELECT * FROM no_such_table") < 0);
    BCHECK(strlen(db_errmsg(db)) > 0);
out:
    db_close(db);
    fx_done(&fx);
}

/* --- errors and transactions ---------------------------------------------- */

DB_TEST(db_constraint_violations_conflict)
{
    fixture_t fx;
    fx_init(&fx, be, "conflict");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    EXEC(db, "CREATE TABLE t_parent (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)", NULL, 0);
    EXEC(db,
         "CREATE TABLE t_child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t_parent(id))",
         NULL, 0);
    const char *ins = "INSERT INTO t_parent (id, email) VALUES ($1, $2)";
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(1), DB_TEXT("a@example.com")}), 2), 1);
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(2), DB_TEXT("a@example.com")}), 2),
               SOUK_ECONFLICT);
    /* The message names the constraint, never the row's values. */
    BCHECK(strlen(db_errmsg(db)) > 0);
    BCHECK(strstr(db_errmsg(db), "a@example.com") == NULL);
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(1), DB_TEXT("b@example.com")}), 2),
               SOUK_ECONFLICT);
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(3), DB_NULL}), 2), SOUK_ECONFLICT);
    /* Foreign keys are enforced (SQLite: PRAGMA foreign_keys). */
    BCHECK_INT(db_exec(db, "INSERT INTO t_child (id, parent) VALUES (1, 42)", NULL, 0),
               SOUK_ECONFLICT);
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(2), DB_TEXT("b@example.com")}), 2), 1);

    /* Inside a transaction: the conflict, a rollback, and the connection works. */
    BCHECK_INT(db_begin(db, DB_TX_WRITE), 0);
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(5), DB_TEXT("c@example.com")}), 2), 1);
    BCHECK_INT(db_exec(db, ins, ((db_param_t[]){DB_INT(6), DB_TEXT("c@example.com")}), 2),
               SOUK_ECONFLICT);
    db_rollback(db);
    BCHECK_INT(count_rows(db, "t_parent"), 2);
out:
    db_close(db);
    fx_done(&fx);
}

DB_TEST(db_transactions_commit_and_rollback)
{
    fixture_t fx;
    fx_init(&fx, be, "tx");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    EXEC(db, "CREATE TABLE t_tx (id INTEGER PRIMARY KEY)", NULL, 0);
    const db_tx_t kinds[] = {DB_TX_DEFAULT, DB_TX_WRITE, DB_TX_SERIALIZABLE};
    for (int k = 0; k < 3; k++) {
        BCHECK_INT(db_begin(db, kinds[k]), 0);
        BCHECK_INT(db_exec(db, "INSERT INTO t_tx (id) VALUES ($1)", (db_param_t[]){DB_INT(k)}, 1),
                   1);
        BCHECK_INT(count_rows(db, "t_tx"), 1); /* the transaction sees its own write */
        db_rollback(db);
        BCHECK_INT(count_rows(db, "t_tx"), 0); /* and the rollback discards it */
    }
    for (int k = 0; k < 3; k++) {
        BCHECK_INT(db_begin(db, kinds[k]), 0);
        BCHECK_INT(db_exec(db, "INSERT INTO t_tx (id) VALUES ($1)", (db_param_t[]){DB_INT(k)}, 1),
                   1);
        BCHECK_INT(db_commit(db), 0);
    }
    BCHECK_INT(count_rows(db, "t_tx"), 3);
    db_rollback(db); /* a no-op outside a transaction */
    BCHECK_INT(db_commit(db), SOUK_EINVAL);
    BCHECK_INT(db_begin(db, DB_TX_DEFAULT), 0);
    BCHECK_INT(db_begin(db, DB_TX_DEFAULT), SOUK_EINVAL);
    /* A failed statement inside a transaction: the commit fails, nothing stays. */
    BCHECK_INT(db_exec(db, "INSERT INTO t_tx (id) VALUES (10)", NULL, 0), 1);
    BCHECK_INT(db_exec(db, "INSERT INTO t_tx (id) VALUES (10)", NULL, 0), SOUK_ECONFLICT);
    if (be->dialect == DB_POSTGRES)
        BCHECK(db_commit(db) < 0);
    else
        db_rollback(db);
    BCHECK_INT(db_begin(db, DB_TX_DEFAULT), 0); /* no transaction left open */
    db_rollback(db);
    BCHECK_INT(count_rows(db, "t_tx"), 3);
out:
    db_close(db);
    fx_done(&fx);
}

DB_TEST(db_two_connections_see_commits)
{
    fixture_t fx;
    fx_init(&fx, be, "twoconn");
    db_t *a = fx_open(&fx), *b = fx_open(&fx);
    if (a == NULL || b == NULL)
        goto out;
    EXEC(a, "CREATE TABLE t_two (id INTEGER PRIMARY KEY, v TEXT)", NULL, 0);
    BCHECK_INT(db_begin(a, DB_TX_WRITE), 0);
    EXEC(a, "INSERT INTO t_two (id, v) VALUES (1, 'one')", NULL, 0);
    BCHECK_INT(count_rows(b, "t_two"), 0); /* not before the commit */
    BCHECK_INT(db_commit(a), 0);
    BCHECK_INT(count_rows(b, "t_two"), 1);
    EXEC(b, "UPDATE t_two SET v = 'uno' WHERE id = 1", NULL, 0);
    db_rows_t *rows;
    if (db_query(a, "SELECT v FROM t_two WHERE id = 1", NULL, 0, &rows) == 0) {
        BCHECK(db_rows_next(rows));
        BCHECK_STR(db_rows_text(rows, 0, NULL), "uno");
        db_rows_end(rows);
    }
    BCHECK_INT(db_ping(a), 0);
    BCHECK_INT(db_ping(b), 0);
out:
    db_close(a);
    db_close(b);
    fx_done(&fx);
}

DB_TEST(db_write_contention_is_busy)
{
    fixture_t fx;
    fx_init(&fx, be, "busy");
    db_t *a = fx_open(&fx), *b = fx_open_cfg(&fx, 100, false);
    if (a == NULL || b == NULL)
        goto out;
    EXEC(a, "CREATE TABLE t_busy (id INTEGER PRIMARY KEY, v INTEGER)", NULL, 0);
    EXEC(a, "INSERT INTO t_busy (id, v) VALUES (1, 0)", NULL, 0);
    /* A holds the row (PostgreSQL) or the write lock (SQLite); B gives up
     * after its 100 ms timeout with SOUK_EBUSY, the caller's cue to retry. */
    BCHECK_INT(db_begin(a, DB_TX_WRITE), 0);
    BCHECK_INT(db_exec(a, "UPDATE t_busy SET v = 1 WHERE id = 1", NULL, 0), 1);
    int rc = db_begin(b, DB_TX_WRITE);
    if (rc == 0)
        rc = (int)db_exec(b, "UPDATE t_busy SET v = 2 WHERE id = 1", NULL, 0);
    BCHECK_INT(rc, SOUK_EBUSY);
    db_rollback(b);
    BCHECK_INT(db_commit(a), 0);

    /* Write skew between two serializable transactions: one must fail. */
    BCHECK_INT(db_begin(a, DB_TX_SERIALIZABLE), 0);
    BCHECK_INT(count_rows(a, "t_busy"), 1);
    rc = db_begin(b, DB_TX_SERIALIZABLE);
    if (rc == 0)
        rc = count_rows(b, "t_busy") == 1 ? 0 : SOUK_EDB;
    BCHECK_INT(db_exec(a, "INSERT INTO t_busy (id, v) VALUES (2, 0)", NULL, 0), 1);
    if (rc == 0)
        rc = (int)db_exec(b, "INSERT INTO t_busy (id, v) VALUES (3, 0)", NULL, 0);
    BCHECK_INT(db_commit(a), 0);
    if (rc >= 0)
        rc = db_commit(b);
    BCHECK_INT(rc, SOUK_EBUSY);
    db_rollback(b);
    BCHECK_INT(count_rows(b, "t_busy"), 2);
out:
    db_close(a);
    db_close(b);
    fx_done(&fx);
}

/* --- connections ----------------------------------------------------------- */

DB_TEST(db_open_errors_keep_secrets)
{
    char err[512];
    db_t *db = NULL;
    if (be->dialect == DB_SQLITE) {
        db_config_t cfg = {.sqlite_path = "/nonexistent-dir/souk/x.db"};
        BCHECK_INT(db_open(&cfg, &db, err, sizeof(err)), SOUK_EDB);
        BCHECK(db == NULL);
        BCHECK(strstr(err, "/nonexistent-dir/souk/x.db") != NULL);
        db_config_t none = {0};
        BCHECK_INT(db_open(&none, &db, err, sizeof(err)), SOUK_EDB);
        BCHECK(strlen(err) > 0);
        return;
    }
    /* Malformed URIs: libpq's own messages would quote the password. */
    const char *bad[] = {
        "postgresql://souk:TopSecret99@[::1/souk_test",
        "postgresql://souk:%zzTopSecret99@127.0.0.1/souk_test",
        "postgresql://souk:TopSecret99@127.0.0.1:notaport/souk_test",
        "host=127.0.0.1 password=TopSecret99 bogus",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        db_config_t cfg = {.pg_conninfo = bad[i]};
        BCHECK_INT(db_open(&cfg, &db, err, sizeof(err)), SOUK_EDB);
        BCHECK(strlen(err) > 0);
        if (strstr(err, "TopSecret99"))
            test_fail(__FILE__, __LINE__, "[%s] password in message: %s", be->name, err);
    }
    /* A wrong password for the test server's user. */
    const char *url = be->url, *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? memchr(scheme + 3, ':', (size_t)(at ? at - scheme - 3 : 0)) : NULL;
    if (at && colon) {
        char wrong[1024];
        snprintf(wrong, sizeof(wrong), "%.*s:Wr0ngSecretPw%s", (int)(colon - url), url, at);
        db_config_t cfg = {.pg_conninfo = wrong};
        BCHECK_INT(db_open(&cfg, &db, err, sizeof(err)), SOUK_EDB);
        BCHECK(strstr(err, "Wr0ngSecretPw") == NULL);
        BCHECK(strstr(err, "password authentication failed") != NULL);
    }
}

DB_TEST(db_test_functions_only_when_asked)
{
    fixture_t fx;
    fx_init(&fx, be, "testfn");
    db_t *plain = fx_open(&fx), *testing = fx_open_cfg(&fx, 0, true);
    if (plain == NULL || testing == NULL)
        goto out;
    int64_t v = 0;
    quiet_log(true);
    BCHECK(db_query_int(plain, "SELECT souk_sleep(1)", NULL, 0, &v) < 0);
    quiet_log(false);
    if (be->dialect == DB_SQLITE) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        BCHECK_INT(
            db_query_int(testing, "SELECT souk_sleep($1)", (db_param_t[]){DB_INT(50)}, 1, &v), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        BCHECK_INT(v, 50);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        BCHECK(ms >= 50);
        BCHECK(db_query_int(testing, "SELECT souk_sleep(-1)", NULL, 0, &v) < 0);
    }
out:
    db_close(plain);
    db_close(testing);
    fx_done(&fx);
}

/* Wait until the server has ended backend pid (PostgreSQL). */
static void wait_gone(db_t *db, int64_t pid)
{
    for (int i = 0; i < 500; i++) {
        int64_t n = 1;
        db_query_int(db, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                     (db_param_t[]){DB_INT(pid)}, 1, &n);
        if (n == 0)
            return;
        usleep(10000);
    }
}

/* The session settings db_open makes on PostgreSQL. */
static void check_pg_session(const backend_t *be, db_t *db, int lock_ms)
{
    db_rows_t *rows;
    int rc =
        db_query(db,
                 "SELECT current_setting('application_name'), "
                 "current_setting('TimeZone'), "
                 "(extract(epoch FROM current_setting('lock_timeout')::interval) * 1000)::bigint",
                 NULL, 0, &rows);
    BCHECK_INT(rc, 0);
    if (rc != 0)
        return;
    BCHECK(db_rows_next(rows));
    BCHECK_STR(db_rows_text(rows, 0, NULL), "souk");
    BCHECK_STR(db_rows_text(rows, 1, NULL), "UTC");
    BCHECK_INT(db_rows_int(rows, 2), lock_ms);
    db_rows_end(rows);
}

DB_TEST(db_ping_and_reconnect)
{
    fixture_t fx;
    fx_init(&fx, be, "reconnect");
    db_t *a = fx_open(&fx), *b = fx_open(&fx);
    if (a == NULL || b == NULL)
        goto out;
    BCHECK_INT(db_ping(a), 0);
    EXEC(a, "CREATE TABLE t_re (id INTEGER PRIMARY KEY)", NULL, 0);
    if (be->dialect != DB_POSTGRES)
        goto out;
    check_pg_session(be, a, 5000);
    check_pg_session(be, b, 5000);
    /* The session ends under the connection, as in a failover. */
    int64_t pid = 0;
    const char *kill = "SELECT count(*) FROM pg_terminate_backend($1::int)";
    quiet_log(true);
    for (int round = 0; round < 3; round++) {
        BCHECK_INT(db_query_int(a, "SELECT pg_backend_pid()", NULL, 0, &pid), 0);
        if (round == 2)
            BCHECK_INT(db_begin(a, DB_TX_WRITE), 0);
        BCHECK_INT(db_query_int(b, kill, (db_param_t[]){DB_INT(pid)}, 1, NULL), 0);
        wait_gone(b, pid);
        if (round == 0) {
            /* ping resets and retries at once */
            BCHECK_INT(db_ping(a), 0);
        } else if (round == 1) {
            /* a plain call fails, and the next one reconnects */
            BCHECK(db_exec(a, "INSERT INTO t_re (id) VALUES (1)", NULL, 0) < 0);
            BCHECK_INT(db_exec(a, "INSERT INTO t_re (id) VALUES (1)", NULL, 0), 1);
        } else {
            /* inside a transaction the loss is reported until rollback */
            BCHECK(db_exec(a, "INSERT INTO t_re (id) VALUES (2)", NULL, 0) < 0);
            BCHECK(db_exec(a, "INSERT INTO t_re (id) VALUES (2)", NULL, 0) < 0);
            BCHECK(db_commit(a) < 0);
            db_rollback(a);
            BCHECK_INT(db_exec(a, "INSERT INTO t_re (id) VALUES (2)", NULL, 0), 1);
        }
        int64_t newpid = 0;
        BCHECK_INT(db_query_int(a, "SELECT pg_backend_pid()", NULL, 0, &newpid), 0);
        BCHECK(newpid != pid);
    }
    quiet_log(false);
    check_pg_session(be, a, 5000);        /* set again on the new session */
    BCHECK_INT(count_rows(a, "t_re"), 2); /* search_path survived the resets */
out:
    db_close(a);
    db_close(b);
    fx_done(&fx);
}

/* --- migrations ------------------------------------------------------------ */

DB_TEST(db_migrate_embedded_twice)
{
    fixture_t fx;
    fx_init(&fx, be, "migrate");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    size_t n;
    const db_migration_t *list = migrate_list(be->dialect, &n);
    BCHECK(n >= 1);
    BCHECK_INT(list[0].version, 1);
    BCHECK_INT(migrate_latest(be->dialect), list[n - 1].version);
    BCHECK_INT(migrate_current(db), 0); /* no schema_migrations yet */
    int applied = -1;
    quiet_log(true);
    BCHECK_INT(migrate_apply(db, &applied), 0);
    BCHECK_INT(applied, n);
    BCHECK_INT(migrate_current(db), migrate_latest(be->dialect));
    BCHECK_INT(migrate_apply(db, &applied), 0);
    quiet_log(false);
    BCHECK_INT(applied, 0);
    BCHECK_INT(migrate_current(db), migrate_latest(be->dialect));
    BCHECK_INT(count_rows(db, "schema_migrations"), n);
    /* 0001 made the settings table. */
    BCHECK_INT(db_exec(db, "INSERT INTO settings (key, value) VALUES ($1, $2)",
                       ((db_param_t[]){DB_TEXT("store_name"), DB_TEXT("Souk")}), 2),
               1);
out:
    db_close(db);
    fx_done(&fx);
}

DB_TEST(db_migrate_failure_leaves_nothing)
{
    fixture_t fx;
    fx_init(&fx, be, "migfail");
    db_t *db = fx_open(&fx);
    if (db == NULL)
        goto out;
    const db_migration_t broken[] = {
        {1, "one", "CREATE TABLE t_m1 (x INTEGER);\nINSERT INTO t_m1 VALUES (1);\n"},
        {2, "two",
         "CREATE TABLE t_m2 (x INTEGER);\nINSERT INTO t_m1 VALUES (2);\n"
         "INSERT INTO no_such_table VALUES (1);\n"},
        {3, "three", "CREATE TABLE t_m3 (x INTEGER);\n"},
    };
    int applied = -1;
    quiet_log(true);
    BCHECK(migrate_apply_list(db, broken, 3, &applied) < 0);
    quiet_log(false);
    BCHECK_INT(applied, 1);
    BCHECK_INT(migrate_current(db), 1);
    BCHECK_INT(count_rows(db, "t_m1"), 1); /* 0002's insert was rolled back */
    BCHECK_INT(count_rows(db, "schema_migrations"), 1);
    quiet_log(true);
    BCHECK(count_rows(db, "t_m2") < 0); /* and so was its table */
    BCHECK(count_rows(db, "t_m3") < 0); /* and 0003 never ran */
    quiet_log(false);

    const db_migration_t fixed[] = {
        broken[0],
        {2, "two", "CREATE TABLE t_m2 (x INTEGER);\nINSERT INTO t_m1 VALUES (2);\n"},
        broken[2],
    };
    quiet_log(true);
    BCHECK_INT(migrate_apply_list(db, fixed, 3, &applied), 0);
    quiet_log(false);
    BCHECK_INT(applied, 2);
    BCHECK_INT(migrate_current(db), 3);
    BCHECK_INT(count_rows(db, "t_m1"), 2);
    BCHECK_INT(count_rows(db, "t_m3"), 0);
out:
    db_close(db);
    fx_done(&fx);
}

typedef struct {
    fixture_t *fx;
    const db_migration_t *list;
    size_t n;
    int rc;
    int applied;
    char err[256];
} migrator_t;

static void *migrator_main(void *arg)
{
    migrator_t *m = arg;
    db_config_t cfg = {.busy_timeout_ms = 10000, .test_functions = true};
    if (m->fx->be->dialect == DB_POSTGRES)
        cfg.pg_conninfo = m->fx->conninfo;
    else
        cfg.sqlite_path = m->fx->path;
    db_t *db;
    m->rc = db_open(&cfg, &db, m->err, sizeof(m->err));
    if (m->rc == 0) {
        m->rc = migrate_apply_list(db, m->list, m->n, &m->applied);
        snprintf(m->err, sizeof(m->err), "%s", db_errmsg(db));
        db_close(db);
    }
    return NULL;
}

DB_TEST(db_migrate_concurrent_instances)
{
    fixture_t fx;
    fx_init(&fx, be, "migconc");
    /* A slow first migration, so that the two runs overlap. */
    const db_migration_t list[] = {
        {1, "slow",
         pick(be, "SELECT souk_sleep(300);\nCREATE TABLE t_c1 (x INTEGER);\n",
              "SELECT pg_sleep(0.3);\nCREATE TABLE t_c1 (x INTEGER);\n")},
        {2, "more", "CREATE TABLE t_c2 (x INTEGER);\nINSERT INTO t_c1 VALUES (1);\n"},
    };
    migrator_t m[2] = {{.fx = &fx, .list = list, .n = 2}, {.fx = &fx, .list = list, .n = 2}};
    pthread_t th[2];
    quiet_log(true);
    for (int i = 0; i < 2; i++)
        BCHECK_INT(pthread_create(&th[i], NULL, migrator_main, &m[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    quiet_log(false);
    for (int i = 0; i < 2; i++) {
        if (m[i].rc != 0)
            test_fail(__FILE__, __LINE__, "[%s] migrator %d: %d %s", be->name, i, m[i].rc,
                      m[i].err);
    }
    BCHECK_INT(m[0].applied + m[1].applied, 2);
    db_t *db = fx_open(&fx);
    if (db) {
        BCHECK_INT(migrate_current(db), 2);
        BCHECK_INT(count_rows(db, "t_c1"), 1);
        BCHECK_INT(count_rows(db, "schema_migrations"), 2);
    }
    db_close(db);
    fx_done(&fx);
}

/* --- watching for other connections' commits ------------------------------ */

DB_TEST(db_watch_sees_other_connections_commits)
{
    fixture_t fx;
    fx_init(&fx, be, "watch");
    db_t *w = fx_open(&fx), *other = fx_open(&fx);
    if (w == NULL || other == NULL)
        goto out;
    EXEC(other, "CREATE TABLE t_watch (n INTEGER)", NULL, 0);
    /* The first call cannot know what happened before it: it says "changed". */
    BCHECK_INT(db_watch(w, "souk_test_watch", 0), 1);
    BCHECK_INT(db_watch(w, "souk_test_watch", 150), 0);
    /* A commit elsewhere: an insert on SQLite, a notice on PostgreSQL (the
     * catalog's triggers send the same kind for real writes). */
    EXEC(other,
         pick(be, "INSERT INTO t_watch VALUES (1)", "SELECT pg_notify('souk_test_watch', '')"),
         NULL, 0);
    BCHECK_INT(db_watch(w, "souk_test_watch", 2000), 1);
    BCHECK_INT(db_watch(w, "souk_test_watch", 150), 0);
    /* On PostgreSQL, other channels are not ours. */
    if (be->dialect == DB_POSTGRES) {
        EXEC(other, "SELECT pg_notify('someone_else', '')", NULL, 0);
        BCHECK_INT(db_watch(w, "souk_test_watch", 150), 0);
    }
out:
    if (w)
        db_close(w);
    if (other)
        db_close(other);
    fx_done(&fx);
}

/* Threads that open one new SQLite file at the same moment. */
typedef struct {
    const char *path;
    pthread_barrier_t *start;
    int rc;
    char err[256];
} opener_t;

static void *opener_main(void *arg)
{
    opener_t *o = arg;
    db_config_t cfg = {.sqlite_path = o->path, .busy_timeout_ms = 5000};
    db_t *db = NULL;
    pthread_barrier_wait(o->start);
    o->rc = db_open(&cfg, &db, o->err, sizeof(o->err));
    db_close(db);
    return NULL;
}

/* A server opens its workers' and its page-cache watcher's connections
 * together; on a file that does not exist yet, every one of them has to
 * succeed (each switches the new file to WAL). */
TEST(sqlite_concurrent_open_of_new_file)
{
    enum { THREADS = 8, ROUNDS = 20 };
    for (int round = 0; round < ROUNDS; round++) {
        char path[300];
        snprintf(path, sizeof(path), "%s/newfile-%d.db", test_tmpdir(), round);
        opener_t o[THREADS];
        pthread_t th[THREADS];
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, THREADS);
        for (int i = 0; i < THREADS; i++) {
            o[i] = (opener_t){.path = path, .start = &start};
            CHECK_INT(pthread_create(&th[i], NULL, opener_main, &o[i]), 0);
        }
        for (int i = 0; i < THREADS; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&start);
        for (int i = 0; i < THREADS; i++) {
            if (o[i].rc != 0)
                test_fail(__FILE__, __LINE__, "round %d, opener %d: %s", round, i, o[i].err);
        }
    }
}

static long rss_file_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "RssFile: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static db_t *map_open(const char *path)
{
    db_config_t cfg = {.sqlite_path = path, .busy_timeout_ms = 5000};
    db_t *db = NULL;
    char err[256];
    if (db_open(&cfg, &db, err, sizeof(err)) != 0)
        test_fail(__FILE__, __LINE__, "db_open: %s", err);
    return db;
}

/* A server's connections read the database through one memory map
 * (sqlite_map.h): reading the whole file from five connections must add
 * about one file's worth to the resident set, not five, and rows a
 * connection adds later must be read correctly by the others. */
TEST(sqlite_connections_share_one_map)
{
    enum { CONNS = 5, ROWS = 8000 };
    char path[300];
    snprintf(path, sizeof(path), "%s/shared-map.db", test_tmpdir());
    db_t *db[CONNS];
    db[0] = map_open(path);
    CHECK(db_exec_script(db[0], "CREATE TABLE t(x BLOB);"
                                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 8000) INSERT INTO t SELECT randomblob(1000) FROM n;"
                                "PRAGMA wal_checkpoint(TRUNCATE);") == 0);
    for (int i = 1; i < CONNS; i++)
        db[i] = map_open(path);
    CHECK_INT(sqlite_map_count(), 1);
    int64_t pages = 0, page_size = 0;
    CHECK_INT(db_query_int(db[0], "PRAGMA page_count", NULL, 0, &pages), 0);
    CHECK_INT(db_query_int(db[0], "PRAGMA page_size", NULL, 0, &page_size), 0);
    long file_kb = (long)(pages * page_size / 1024);
    CHECK(file_kb > 7000);

    long before = rss_file_kb();
    for (int i = 0; i < CONNS; i++) {
        int64_t sum = 0;
        CHECK_INT(db_query_int(db[i], "SELECT sum(length(x)) FROM t", NULL, 0, &sum), 0);
        CHECK_INT(sum, (int64_t)ROWS * 1000);
    }
    long grew = rss_file_kb() - before;
    if (grew > file_kb * 3 / 2)
        test_fail(__FILE__, __LINE__, "reading a %ld kB file from %d connections added %ld kB",
                  file_kb, CONNS, grew);

    /* The file grows past what the others have seen; they read the new tail. */
    CHECK(db_exec_script(db[0], "INSERT INTO t SELECT randomblob(1000) FROM t LIMIT 4000;"
                                "PRAGMA wal_checkpoint(TRUNCATE);") == 0);
    for (int i = 1; i < CONNS; i++) {
        int64_t n = 0;
        CHECK_INT(db_query_int(db[i], "SELECT count(*) FROM t WHERE length(x) = 1000", NULL, 0, &n),
                  0);
        CHECK_INT(n, ROWS + 4000);
    }
    for (int i = 0; i < CONNS; i++)
        db_close(db[i]);
    CHECK_INT(sqlite_map_count(), 0);
}

/* A connection opened with no_map reads the whole file without mapping it:
 * the resident set grows by a small part of the file (SQLite's own page
 * cache is anonymous memory), and the rows read are right. */
TEST(sqlite_no_map_connection_reads_without_mapping)
{
    enum { ROWS = 8000 };
    char path[300];
    snprintf(path, sizeof(path), "%s/no-map.db", test_tmpdir());
    db_t *w = map_open(path);
    CHECK(db_exec_script(w, "CREATE TABLE t(x BLOB);"
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                            "WHERE i < 8000) INSERT INTO t SELECT randomblob(1000) FROM n;"
                            "PRAGMA wal_checkpoint(TRUNCATE);") == 0);
    db_close(w);
    CHECK_INT(sqlite_map_count(), 0);

    db_config_t cfg = {.sqlite_path = path, .busy_timeout_ms = 5000, .no_map = true};
    db_t *db = NULL;
    char err[256];
    CHECK_INT(db_open(&cfg, &db, err, sizeof(err)), 0);
    long before = rss_file_kb();
    int64_t sum = 0;
    CHECK_INT(db_query_int(db, "SELECT sum(length(x)) FROM t", NULL, 0, &sum), 0);
    CHECK_INT(sum, (int64_t)ROWS * 1000);
    long grew = rss_file_kb() - before;
    if (grew > 1024)
        test_fail(__FILE__, __LINE__, "reading an 8 MB file without a map added %ld kB mapped",
                  grew);
    db_close(db);
    CHECK_INT(sqlite_map_count(), 0);
}

/* Whether another process would find a read lock on the database file:
 * SQLite's shared-lock bytes start at 0x40000002 (os_unix.c, SHARED_FIRST). */
static bool other_process_sees_read_lock(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        struct flock fl = {
            .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0x40000002, .l_len = 510};
        int rc = fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK ? 0 : 1;
        _exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Opening another connection must not drop the locks this process holds on
 * the file (closing any descriptor of a file drops them all): with them
 * gone, a second server would checkpoint under this one's readers. */
TEST(sqlite_open_keeps_other_connections_locks)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/locks.db", test_tmpdir());
    db_t *a = map_open(path);
    CHECK(db_exec_script(a, "CREATE TABLE t(x); INSERT INTO t VALUES (1);") == 0);
    CHECK(db_exec_script(a, "BEGIN; SELECT count(*) FROM t;") == 0);
    CHECK(other_process_sees_read_lock(path));
    db_t *b = map_open(path);
    CHECK(other_process_sees_read_lock(path));
    CHECK(db_exec_script(a, "COMMIT") == 0);
    db_close(b);
    db_close(a);
}

/* The rowids of f matching q, best first by souk_rank with weights 10 and 1,
 * as "1,2,..." in out. */
static void ranked(db_t *db, const char *q, char *out, size_t cap)
{
    db_param_t p[] = {DB_TEXT(q)};
    db_rows_t *r;
    out[0] = '\0';
    if (db_query(db,
                 "SELECT rowid FROM f WHERE f MATCH $1 ORDER BY souk_rank(f, $1, 10.0, 1.0), "
                 "rowid",
                 p, 1, &r) < 0) {
        snprintf(out, cap, "error: %s", db_errmsg(db));
        return;
    }
    size_t len = 0;
    while (db_rows_next(r) && len + 24 < cap)
        len += (size_t)snprintf(out + len, cap - len, "%s%lld", len ? "," : "",
                                (long long)db_rows_int(r, 0));
    db_rows_end(r);
}

/* souk_rank (sqlite_rank.h): a column's weight counts, a rarer word counts
 * more, and what is rare is counted again once the table changes, by this
 * connection or another, though the same query was ranked before. */
TEST(sqlite_souk_rank)
{
    char path[300], got[256];
    snprintf(path, sizeof(path), "%s/rank.db", test_tmpdir());
    db_t *db = map_open(path), *other = map_open(path);
    CHECK(db_exec_script(db, "CREATE VIRTUAL TABLE f USING fts5(a, b);"
                             "INSERT INTO f (rowid, a, b) VALUES (1, 'lamp', ''), (2, '', 'lamp'),"
                             " (3, 'alpha', ''), (4, 'beta', ''), (5, 'x', 'beta'),"
                             " (6, 'x', 'beta'), (7, 'x', 'beta');") == 0);
    ranked(db, "lamp", got, sizeof(got));
    CHECK_STR(got, "1,2"); /* the weightier column first */
    ranked(db, "alpha OR beta", got, sizeof(got));
    CHECK_STR(got, "3,4,5,6,7"); /* alpha is the rarer word */
    /* alpha becomes the common one, written by another connection. */
    CHECK(db_exec_script(other, "INSERT INTO f (a, b) SELECT 'y', 'alpha' FROM f, f AS g;") == 0);
    ranked(db, "alpha OR beta", got, sizeof(got));
    CHECK(strncmp(got, "4,5,6,7,", 8) == 0); /* stale counts would keep 3 first */
    /* and beta, by this one. */
    CHECK(db_exec_script(
              db, "INSERT INTO f (a, b) SELECT 'z', 'beta' FROM f, f AS g LIMIT 5000;") == 0);
    ranked(db, "alpha OR beta", got, sizeof(got));
    CHECK(strncmp(got, "3,", 2) == 0);
    db_close(other);
    db_close(db);
}

/* souk_rank keeps each quoted phrase's frequency per connection, shared by
 * every query holding it: a query never seen before, made of phrases other
 * queries counted, must rank with the counts of now, and a prefix is not
 * the word. */
TEST(sqlite_souk_rank_shares_phrase_counts)
{
    char path[300], got[256];
    snprintf(path, sizeof(path), "%s/rank_phrases.db", test_tmpdir());
    db_t *db = map_open(path), *other = map_open(path);
    /* Row 1 says alpha twice, row 2 beta twice; beta is the common word. */
    CHECK(db_exec_script(db, "CREATE VIRTUAL TABLE f USING fts5(a, b);"
                             "INSERT INTO f (rowid, a) VALUES (1, 'alpha alpha beta'),"
                             " (2, 'alpha beta beta');"
                             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                             "WHERE i < 50) INSERT INTO f (rowid, a) SELECT 100 + i, 'beta' "
                             "FROM n;") == 0);
    ranked(db, "\"alpha\" AND \"beta\"", got, sizeof(got));
    CHECK_STR(got, "1,2"); /* the rarer word, said twice, first */
    ranked(db, "\"alpha\" AND \"beta\"*", got, sizeof(got));
    CHECK_STR(got, "1,2");
    /* alpha becomes the common word; a new query of the same phrases. */
    CHECK(db_exec_script(other, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 500) INSERT INTO f (rowid, a) SELECT 1000 + i, "
                                "'alpha' FROM n;") == 0);
    ranked(db, "\"beta\" AND \"alpha\"", got, sizeof(got));
    CHECK_STR(got, "2,1"); /* kept counts from before would keep 1 first */
    /* "alph"* is not "alpha": counted on its own, and it matches the same. */
    ranked(db, "\"alph\"* AND \"beta\"", got, sizeof(got));
    CHECK_STR(got, "2,1");
    db_close(other);
    db_close(db);
}

/* When the shared map cannot be made (address space limited, as under
 * ulimit -v), each connection maps the file itself and everything works. */
TEST(sqlite_map_falls_back_when_it_cannot_map)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/nomap.db", test_tmpdir());
    sqlite_map_set_reserve((size_t)1 << 62); /* more than any address space */
    db_t *a = map_open(path), *b = map_open(path);
    sqlite_map_set_reserve(0);
    CHECK_INT(sqlite_map_count(), 0);
    CHECK(db_exec_script(a, "CREATE TABLE t(x);"
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                            "WHERE i < 1000) INSERT INTO t SELECT i FROM n;"
                            "PRAGMA wal_checkpoint(TRUNCATE);") == 0);
    int64_t sum = 0;
    CHECK_INT(db_query_int(b, "SELECT sum(x) FROM t", NULL, 0, &sum), 0);
    CHECK_INT(sum, 500500);
    db_close(b);
    db_close(a);
}
