/* db.h - one database interface, two backends (SQLite, PostgreSQL).
 *
 * A db_t is one connection. It is used by one thread at a time (in the server,
 * one database worker thread owns each) and caches its prepared statements.
 * SQL is written once with numbered placeholders $1, $2, ... which both backends
 * accept; where the dialects differ, callers pick the text by db_dialect().
 * Every value reaches SQL as a bound parameter, never formatted into the text.
 *
 * Errors: functions return 0 (or a count) on success and a negative SOUK_E*
 * code on failure; db_errmsg() then describes the last failure. A unique or
 * foreign-key violation is SOUK_ECONFLICT; a serialization failure or lock
 * timeout is SOUK_EBUSY (the caller may retry the whole transaction). */
#ifndef SOUK_DB_DB_H
#define SOUK_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct db db_t;
typedef struct db_rows db_rows_t;

typedef enum { DB_SQLITE, DB_POSTGRES } db_dialect_t;

typedef struct {
    /* PostgreSQL when non-NULL: a libpq connection string or URI. */
    const char *pg_conninfo;
    /* Otherwise SQLite: the database file (created if missing). */
    const char *sqlite_path;
    int busy_timeout_ms; /* SQLite busy timeout / PostgreSQL lock_timeout; 0: 5000 */
    /* Register test-only SQL functions (SQLite: souk_sleep(ms)); never in production. */
    bool test_functions;
    /* SQLite: read pages with pread rather than through the process's shared
     * map of the file (sqlite_map.h). For a connection that reads most of the
     * file: every page it maps stays in the process's page tables. */
    bool no_map;
} db_config_t;

/* Transaction isolation. DB_TX_DEFAULT is READ COMMITTED on PostgreSQL and a
 * deferred transaction on SQLite (which is always serializable); DB_TX_WRITE
 * takes the write lock at once (SQLite BEGIN IMMEDIATE) so a read-then-write
 * cannot fail halfway; DB_TX_SERIALIZABLE is SERIALIZABLE on PostgreSQL. */
typedef enum { DB_TX_DEFAULT, DB_TX_WRITE, DB_TX_SERIALIZABLE } db_tx_t;

typedef enum { DB_T_NULL, DB_T_INT, DB_T_TEXT, DB_T_BLOB } db_type_t;

/* One bound parameter. Text and blobs are borrowed for the length of the call. */
typedef struct {
    db_type_t type;
    int64_t i;
    const char *s;
    size_t len;
} db_param_t;

#define DB_NULL ((db_param_t){.type = DB_T_NULL})
#define DB_INT(v) ((db_param_t){.type = DB_T_INT, .i = (int64_t)(v)})
#define DB_TEXT(str) ((db_param_t){.type = DB_T_TEXT, .s = (str), .len = strlen(str)})
#define DB_TEXTN(str, n) ((db_param_t){.type = DB_T_TEXT, .s = (str), .len = (n)})
#define DB_BLOB(p, n) ((db_param_t){.type = DB_T_BLOB, .s = (const char *)(p), .len = (n)})

/* Open one connection. On success *out is owned by the caller (db_close).
 * On failure returns SOUK_EDB and, if errbuf is given, a message without secrets. */
int db_open(const db_config_t *cfg, db_t **out, char *errbuf, size_t errcap);
void db_close(db_t *db);
db_dialect_t db_dialect(const db_t *db);
/* The message of the last failure on this connection (never NULL). */
const char *db_errmsg(const db_t *db);
/* 0 if the connection answers a trivial query; reconnects a broken PostgreSQL
 * connection once before giving up. */
int db_ping(db_t *db);

/* Wait up to timeout_ms for data committed by any other connection or process.
 * 1: something may have changed (always on the first call and after a
 * reconnect, when a change could have been missed); 0: nothing changed in
 * that time; < 0 on error (db_errmsg; the next call reconnects). The
 * connection is the watcher's alone: run nothing else on it.
 * PostgreSQL listens on channel (writers notify it: the catalog triggers of
 * migration 0003); SQLite polls PRAGMA data_version, which moves on any
 * commit to the file by another connection, and ignores channel. */
int db_watch(db_t *db, const char *channel, int timeout_ms);

/* Run a statement that returns no rows: the number of rows changed, or < 0.
 * One statement only. It must use exactly the placeholders $1..$nparams
 * (SOUK_EINVAL otherwise, on both backends); text parameters may not contain
 * a NUL byte (SOUK_EINVAL), and no parameter may pass 2 GiB (SOUK_ELIMIT).
 * These rules hold for db_query too. */
int64_t db_exec(db_t *db, const char *sql, const db_param_t *params, int nparams);
/* Run a script of several statements with no parameters (migrations). */
int db_exec_script(db_t *db, const char *sql);

/* Run a query. On success *out iterates its rows and must be ended with
 * db_rows_end(). Only one result set may be open per connection at a time
 * (a second db_query before db_rows_end is a bug and aborts). */
int db_query(db_t *db, const char *sql, const db_param_t *params, int nparams, db_rows_t **out);
/* Advance to the next row: true while there is one. After false, db_rows_end()
 * tells whether the iteration ended by error. */
bool db_rows_next(db_rows_t *rows);
int db_rows_ncols(const db_rows_t *rows);
bool db_rows_isnull(const db_rows_t *rows, int col);
/* Integer of a column: 0 for NULL, 1/0 for a PostgreSQL boolean. Reading a
 * column that holds no integer is a caller bug: SQLite converts as SQLite does
 * (3.7 reads 3), PostgreSQL returns 0 and logs a warning. */
int64_t db_rows_int(const db_rows_t *rows, int col);
/* Floating-point value of a column: 0 for NULL. On PostgreSQL the text is read
 * with strtod, which gives back the exact value PostgreSQL writes. */
double db_rows_double(const db_rows_t *rows, int col);
/* Text of a column, valid until the next db_rows_next/db_rows_end; "" for NULL.
 * A blob (BLOB, bytea) comes back as its bytes on both backends. */
const char *db_rows_text(const db_rows_t *rows, int col, size_t *len);
/* Release the result: 0, or the error that stopped the iteration. */
int db_rows_end(db_rows_t *rows);

/* Convenience: run a query expected to return one integer in its first column.
 * 0 and *out set; SOUK_ENOTFOUND if no row; < 0 on error. */
int db_query_int(db_t *db, const char *sql, const db_param_t *params, int nparams, int64_t *out);

/* SOUK_EINVAL if a transaction is already open on this connection. */
int db_begin(db_t *db, db_tx_t kind);
/* On failure the transaction is over (rolled back) on both backends; a
 * SOUK_EBUSY failure means the whole transaction may be retried. */
int db_commit(db_t *db);
/* Always safe to call; a no-op outside a transaction. */
void db_rollback(db_t *db);

/* Whether a transaction is open on this connection. */
bool db_in_tx(db_t *db);
/* Savepoints: a part of the open transaction that can be undone alone (many
 * writes in one transaction, each allowed to fail). name is a plain SQL
 * identifier ([a-z_][a-z0-9_]*, anything else is a bug). SOUK_EINVAL outside
 * a transaction. db_release keeps the work since the savepoint and forgets
 * the savepoint; db_rollback_to undoes that work and forgets the savepoint
 * too. After a failed statement (which on PostgreSQL aborts the transaction),
 * rolling back to a savepoint taken before it makes the transaction usable
 * again on both backends. */
int db_savepoint(db_t *db, const char *name);
int db_release(db_t *db, const char *name);
int db_rollback_to(db_t *db, const char *name);

/* Tune this connection for a bulk load (an import) and back. On SQLite, on:
 * a page cache of up to cache_mib MiB (bounded memory), statement journals in
 * memory, and checkpoints only once the WAL passes 65536 pages (256 MiB) rather
 * than 1000, as each one rewrites pages a bulk load dirties again at once;
 * off: the defaults again and a checkpoint that empties the WAL if no reader
 * holds it. Nothing on PostgreSQL. 0 or < 0 with db_errmsg(). */
int db_bulk(db_t *db, bool on, int cache_mib);

#endif
