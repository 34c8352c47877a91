/* db.c - the front of the database interface: argument checks, the
 * one-open-result-set rule, error messages and the statement cache shared by
 * both backends; everything else is dispatched to db_sqlite.c or db_pg.c
 * through the connection's db_ops_t. */
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/err.h"
#include "core/util.h"
#include "db/db_int.h"

/* SQLite's default SQLITE_MAX_VARIABLE_NUMBER; PostgreSQL allows 65535. */
#define DB_MAX_PARAMS 32766
/* Both libraries take lengths as int. */
#define DB_MAX_PARAM_LEN 0x7fffffff

void db_set_err(db_t *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
    va_end(ap);
}

int db_open(const db_config_t *cfg, db_t **out, char *errbuf, size_t errcap)
{
    ASSERT(cfg != NULL && out != NULL);
    *out = NULL;
    if (errbuf && errcap)
        errbuf[0] = '\0';
    if (cfg->busy_timeout_ms < 0) {
        if (errbuf && errcap)
            snprintf(errbuf, errcap, "invalid busy timeout %d ms", cfg->busy_timeout_ms);
        return SOUK_EDB;
    }
    if (cfg->pg_conninfo)
        return db_pg_open(cfg, out, errbuf, errcap);
    if (cfg->sqlite_path)
        return db_sqlite_open(cfg, out, errbuf, errcap);
    if (errbuf && errcap)
        snprintf(errbuf, errcap, "no database configured (neither postgresql nor sqlite)");
    return SOUK_EDB;
}

void db_close(db_t *db)
{
    if (db)
        db->ops->close(db);
}

db_dialect_t db_dialect(const db_t *db)
{
    return db->dialect;
}

const char *db_errmsg(const db_t *db)
{
    return db->errmsg;
}

int db_ping(db_t *db)
{
    return db->ops->ping(db);
}

/* Bad parameters come from callers' code (wrong count, bad type: a bug) or
 * from outside input (a NUL byte in a form field): both get SOUK_EINVAL and a
 * message rather than an abort, so one bad request cannot stop the server. */
static int check_params(db_t *db, const db_param_t *params, int nparams)
{
    if (nparams < 0 || nparams > DB_MAX_PARAMS || (nparams > 0 && params == NULL)) {
        db_set_err(db, "invalid parameter count %d", nparams);
        return SOUK_EINVAL;
    }
    for (int i = 0; i < nparams; i++) {
        const db_param_t *p = &params[i];
        switch (p->type) {
        case DB_T_NULL:
        case DB_T_INT:
            break;
        case DB_T_TEXT:
        case DB_T_BLOB:
            if (p->s == NULL && p->len != 0) {
                db_set_err(db, "parameter $%d has a length but no data", i + 1);
                return SOUK_EINVAL;
            }
            if (p->len > DB_MAX_PARAM_LEN) {
                db_set_err(db, "parameter $%d is too long (%zu bytes)", i + 1, p->len);
                return SOUK_ELIMIT;
            }
            /* PostgreSQL cannot store NUL in text; refuse it on both backends. */
            if (p->type == DB_T_TEXT && p->len && memchr(p->s, '\0', p->len)) {
                db_set_err(db, "text parameter $%d contains a nul byte", i + 1);
                return SOUK_EINVAL;
            }
            break;
        default:
            db_set_err(db, "parameter $%d has unknown type %d", i + 1, (int)p->type);
            return SOUK_EINVAL;
        }
    }
    return 0;
}

int64_t db_exec(db_t *db, const char *sql, const db_param_t *params, int nparams)
{
    ASSERT(db != NULL && sql != NULL);
    int rc = check_params(db, params, nparams);
    if (rc < 0)
        return rc;
    return db->ops->exec(db, sql, params, nparams);
}

int db_exec_script(db_t *db, const char *sql)
{
    ASSERT(db != NULL && sql != NULL);
    return db->ops->exec_script(db, sql);
}

int db_query(db_t *db, const char *sql, const db_param_t *params, int nparams, db_rows_t **out)
{
    ASSERT(db != NULL && sql != NULL && out != NULL);
    ASSERT(!db->rows_open); /* the previous result was not ended: a caller bug */
    *out = NULL;
    int rc = check_params(db, params, nparams);
    if (rc < 0)
        return rc;
    rc = db->ops->query(db, sql, params, nparams, out);
    if (rc < 0)
        return rc;
    db->rows_open = true;
    return 0;
}

bool db_rows_next(db_rows_t *rows)
{
    ASSERT(rows != NULL && rows->db->rows_open);
    rows->on_row = rows->err == 0 && rows->db->ops->rows_next(rows);
    return rows->on_row;
}

int db_rows_ncols(const db_rows_t *rows)
{
    return rows->ncols;
}

bool db_rows_isnull(const db_rows_t *rows, int col)
{
    ASSERT(rows->on_row && col >= 0 && col < rows->ncols);
    return rows->db->ops->rows_isnull(rows, col);
}

int64_t db_rows_int(const db_rows_t *rows, int col)
{
    ASSERT(rows->on_row && col >= 0 && col < rows->ncols);
    return rows->db->ops->rows_int(rows, col);
}

double db_rows_double(const db_rows_t *rows, int col)
{
    ASSERT(rows->on_row && col >= 0 && col < rows->ncols);
    return rows->db->ops->rows_double(rows, col);
}

const char *db_rows_text(const db_rows_t *rows, int col, size_t *len)
{
    ASSERT(rows->on_row && col >= 0 && col < rows->ncols);
    size_t n = 0;
    const char *s = rows->db->ops->rows_text(rows, col, &n);
    if (len)
        *len = n;
    return s;
}

int db_rows_end(db_rows_t *rows)
{
    if (rows == NULL)
        return 0;
    ASSERT(rows->db->rows_open);
    int rc = rows->err;
    rows->db->ops->rows_release(rows);
    rows->db->rows_open = false;
    return rc;
}

int db_query_int(db_t *db, const char *sql, const db_param_t *params, int nparams, int64_t *out)
{
    db_rows_t *rows;
    int rc = db_query(db, sql, params, nparams, &rows);
    if (rc < 0)
        return rc;
    bool found = db_rows_next(rows);
    int64_t v = found && rows->ncols > 0 ? db_rows_int(rows, 0) : 0;
    rc = db_rows_end(rows);
    if (rc < 0)
        return rc;
    if (!found) {
        db_set_err(db, "query returned no row");
        return SOUK_ENOTFOUND;
    }
    if (out)
        *out = v;
    return 0;
}

int db_begin(db_t *db, db_tx_t kind)
{
    ASSERT(kind == DB_TX_DEFAULT || kind == DB_TX_WRITE || kind == DB_TX_SERIALIZABLE);
    if (db->ops->in_tx(db)) {
        db_set_err(db, "a transaction is already open on this connection");
        return SOUK_EINVAL;
    }
    return db->ops->begin(db, kind);
}

int db_commit(db_t *db)
{
    if (!db->ops->in_tx(db)) {
        db_set_err(db, "no transaction is open on this connection");
        return SOUK_EINVAL;
    }
    int rc = db->ops->commit(db);
    if (rc < 0 && db->ops->in_tx(db)) {
        /* A failed commit ends the transaction on both backends, as it does
         * on PostgreSQL; keep the commit's message, not the rollback's. */
        char msg[DB_ERRMSG_MAX];
        memcpy(msg, db->errmsg, sizeof(msg));
        db->ops->rollback(db);
        memcpy(db->errmsg, msg, sizeof(msg));
    }
    return rc;
}

void db_rollback(db_t *db)
{
    if (db->ops->in_tx(db))
        db->ops->rollback(db);
}

bool db_in_tx(db_t *db)
{
    return db->ops->in_tx(db);
}

/* Run "PREFIX name" inside the open transaction. */
static int savepoint_cmd(db_t *db, const char *prefix, const char *name)
{
    size_t n = strlen(name);
    ASSERT(n > 0 && n <= 48 && (name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z')));
    for (size_t i = 0; i < n; i++)
        ASSERT(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
               (name[i] >= '0' && name[i] <= '9'));
    if (!db->ops->in_tx(db)) {
        db_set_err(db, "%s outside a transaction", prefix);
        return SOUK_EINVAL;
    }
    char sql[96];
    snprintf(sql, sizeof(sql), "%s %s", prefix, name);
    int64_t rc = db_exec(db, sql, NULL, 0);
    return rc < 0 ? (int)rc : 0;
}

int db_savepoint(db_t *db, const char *name)
{
    return savepoint_cmd(db, "SAVEPOINT", name);
}

int db_release(db_t *db, const char *name)
{
    return savepoint_cmd(db, "RELEASE SAVEPOINT", name);
}

int db_rollback_to(db_t *db, const char *name)
{
    int rc = savepoint_cmd(db, "ROLLBACK TO SAVEPOINT", name);
    return rc == 0 ? savepoint_cmd(db, "RELEASE SAVEPOINT", name) : rc;
}

int db_bulk(db_t *db, bool on, int cache_mib)
{
    if (db->dialect != DB_SQLITE)
        return 0;
    ASSERT(cache_mib > 0 && cache_mib <= 1 << 20);
    char sql[256];
    /* No memory map while loading: a mapped page is not kept in the pager's
     * cache, so each read of it looks it up in the WAL again, and a bulk
     * load's WAL grows to 65,536 frames (a 100,000-product import took 17.3 s
     * instead of 11.8). */
    if (on)
        snprintf(sql, sizeof(sql),
                 "PRAGMA cache_size = -%d; PRAGMA temp_store = MEMORY; "
                 "PRAGMA wal_autocheckpoint = 65536; PRAGMA mmap_size = 0",
                 cache_mib * 1024);
    else /* SQLite's defaults: 2 MiB, temp_store 0, a checkpoint every 1000 pages */
        snprintf(sql, sizeof(sql),
                 "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; "
                 "PRAGMA wal_autocheckpoint = 1000; PRAGMA mmap_size = %lld; "
                 "PRAGMA wal_checkpoint(TRUNCATE)",
                 (long long)SQLITE_MMAP_BYTES);
    return db_exec_script(db, sql);
}

int db_watch(db_t *db, const char *channel, int timeout_ms)
{
    ASSERT(!db->rows_open && timeout_ms >= 0);
    for (const char *p = channel; *p; p++)
        ASSERT((*p >= 'a' && *p <= 'z') || *p == '_'); /* an identifier we write ourselves */
    return db->ops->watch(db, channel, timeout_ms);
}

size_t db_cache_size(const db_t *db)
{
    return db->ops->cache_size(db);
}

/* --- statement cache ---------------------------------------------------- */

/* Every statement run looks its text up here: XXH3 reads the few hundred
 * bytes of a statement several times faster than the byte-at-a-time FNV-1a
 * it replaced (which was 2-3% of an import). */
static uint64_t sql_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

static db_cache_slot_t *cache_find(const db_cache_t *c, const char *sql, uint64_t h)
{
    if (c->cap == 0)
        return NULL;
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        db_cache_slot_t *s = &c->slots[i];
        if (s->sql == NULL)
            return s;
        if (s->hash == h && strcmp(s->sql, sql) == 0)
            return s;
    }
}

static void cache_insert_slot(db_cache_t *c, char *sql, uint64_t h, void *stmt)
{
    db_cache_slot_t *s = cache_find(c, sql, h);
    ASSERT(s != NULL && s->sql == NULL);
    s->sql = sql;
    s->hash = h;
    s->stmt = stmt;
    c->count++;
}

static void cache_rehash(db_cache_t *c, size_t cap)
{
    db_cache_slot_t *old = c->slots;
    size_t oldcap = c->cap;
    c->slots = xcalloc(cap, sizeof(*c->slots));
    c->cap = cap;
    c->count = 0;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].sql)
            cache_insert_slot(c, old[i].sql, old[i].hash, old[i].stmt);
    }
    free(old);
}

void *db_cache_get(const db_cache_t *c, const char *sql)
{
    db_cache_slot_t *s = cache_find(c, sql, sql_hash(sql));
    return s && s->sql ? s->stmt : NULL;
}

bool db_cache_put(db_cache_t *c, const char *sql, void *stmt)
{
    if (c->count >= DB_STMT_CACHE_MAX)
        return false;
    if (st_mult(c->count + 1, 2) > c->cap)
        cache_rehash(c, c->cap ? st_mult(c->cap, 2) : 32);
    cache_insert_slot(c, xstrdup(sql), sql_hash(sql), stmt);
    return true;
}

void *db_cache_remove(db_cache_t *c, const char *sql)
{
    db_cache_slot_t *s = cache_find(c, sql, sql_hash(sql));
    if (s == NULL || s->sql == NULL)
        return NULL;
    void *stmt = s->stmt;
    free(s->sql);
    s->sql = NULL;
    s->stmt = NULL;
    /* Removal is rare (a statement gone stale): rebuilding the table keeps
     * linear probing free of tombstones. */
    cache_rehash(c, c->cap);
    return stmt;
}

void db_cache_clear(db_cache_t *c, void (*release)(void *stmt, void *ctx), void *ctx)
{
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].sql == NULL)
            continue;
        if (release)
            release(c->slots[i].stmt, ctx);
        free(c->slots[i].sql);
    }
    free(c->slots);
    c->slots = NULL;
    c->cap = 0;
    c->count = 0;
}
