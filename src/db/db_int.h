/* db_int.h - what the db front (db.c) shares with its backends (db_sqlite.c,
 * db_pg.c) and with the db unit tests. Not for other modules: they use db.h.
 *
 * A backend embeds struct db (and struct db_rows) as the first member of its
 * own structs and fills in a db_ops_t. The front validates arguments, keeps
 * the one-open-result-set rule and the last error message; a backend only
 * talks to its library. */
#ifndef SOUK_DB_DB_INT_H
#define SOUK_DB_DB_INT_H

#include "db/db.h"

/* Statements cached per connection; past this, statements run uncached. */
#define DB_STMT_CACHE_MAX 512
#define DB_ERRMSG_MAX 512
#define DB_DEFAULT_BUSY_TIMEOUT_MS 5000

/* SQLite's mmap_size: it only has to be non-zero for the pager to read
 * through sqlite_map.c's shared map, and bounds the per-connection map the
 * default VFS falls back to. */
#define SQLITE_MMAP_BYTES (1 << 30)

typedef struct {
    void (*close)(db_t *db);
    int (*ping)(db_t *db);
    int64_t (*exec)(db_t *db, const char *sql, const db_param_t *params, int nparams);
    int (*exec_script)(db_t *db, const char *sql);
    /* Run the query and fetch its first row (so errors surface here, as on
     * PostgreSQL); the front owns the struct db_rows returned in *out. */
    int (*query)(db_t *db, const char *sql, const db_param_t *params, int nparams, db_rows_t **out);
    bool (*rows_next)(db_rows_t *rows);
    bool (*rows_isnull)(const db_rows_t *rows, int col);
    int64_t (*rows_int)(const db_rows_t *rows, int col);
    double (*rows_double)(const db_rows_t *rows, int col);
    const char *(*rows_text)(const db_rows_t *rows, int col, size_t *len);
    /* Release what the result holds (reset the statement, free the result). */
    void (*rows_release)(db_rows_t *rows);
    bool (*in_tx)(db_t *db);
    int (*begin)(db_t *db, db_tx_t kind);
    int (*commit)(db_t *db);
    void (*rollback)(db_t *db);
    size_t (*cache_size)(const db_t *db);
    int (*watch)(db_t *db, const char *channel, int timeout_ms);
} db_ops_t;

struct db {
    const db_ops_t *ops;
    db_dialect_t dialect;
    bool rows_open; /* a db_rows_t of this connection is not ended yet */
    char errmsg[DB_ERRMSG_MAX];
};

struct db_rows {
    db_t *db;
    int ncols;
    int err;     /* the error that stopped the iteration, 0 if none */
    bool on_row; /* the last db_rows_next() returned true */
};

/* Record the message of the last failure (lowercase, never a secret). */
void db_set_err(db_t *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Backends' constructors, called by db_open(). Same contract as db_open(). */
int db_sqlite_open(const db_config_t *cfg, db_t **out, char *errbuf, size_t errcap);
int db_pg_open(const db_config_t *cfg, db_t **out, char *errbuf, size_t errcap);

/* Prepared statements keyed by SQL text: open addressing, linear probing.
 * The cache copies the key; it never owns the statements it maps to. */
typedef struct {
    char *sql;
    uint64_t hash;
    void *stmt;
} db_cache_slot_t;

typedef struct {
    db_cache_slot_t *slots; /* cap slots, cap a power of two, at most half full */
    size_t cap;
    size_t count;
} db_cache_t;

/* The statement cached for sql, or NULL. */
void *db_cache_get(const db_cache_t *c, const char *sql);
/* Map sql to stmt: true, or false (nothing stored) once DB_STMT_CACHE_MAX
 * statements are cached. sql must not be cached already. */
bool db_cache_put(db_cache_t *c, const char *sql, void *stmt);
/* Forget sql; returns its statement (the caller releases it) or NULL. */
void *db_cache_remove(db_cache_t *c, const char *sql);
/* Forget everything, handing each statement to release (if given), and free
 * the table. The cache is empty and reusable afterwards. */
void db_cache_clear(db_cache_t *c, void (*release)(void *stmt, void *ctx), void *ctx);

/* The number of statements cached on this connection (tests). */
size_t db_cache_size(const db_t *db);

#endif
