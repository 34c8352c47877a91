/* db_pg.c - the PostgreSQL backend of db.h (libpq, blocking calls).
 *
 * Connections are used from database worker threads, never from an event
 * loop, so plain blocking libpq is enough. Each statement is prepared once per
 * connection under a generated name ("s12") and run with PQexecPrepared:
 * parameters in text format (integers in decimal), blobs in binary format,
 * results in text format. A connection that breaks is reset on its next use,
 * which is how a failover to a new primary (multi-host conninfo with
 * target_session_attrs=read-write) recovers by itself. */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "db/db.h"
#include "db/db_int.h"

/* Type oids from PostgreSQL's catalog (pg_type.dat); stable across versions. */
#define PG_OID_BOOL 16
#define PG_OID_BYTEA 17

/* Parameter arrays up to this size live on the stack. */
#define PG_INLINE_PARAMS 16
/* The per-connection parameter scratch buffer is freed when it grew past this. */
#define PG_SCRATCH_KEEP (64 * 1024)

typedef struct {
    char name[16]; /* "" for the unnamed statement (cache full) */
    int nparams;
} pg_stmt_t;

typedef struct {
    db_rows_t base;
    PGresult *res;
    int row; /* current row; -1 before the first */
    int nrows;
    /* bytea columns of the current row, decoded on demand (PQfreemem) */
    unsigned char **decoded;
    size_t *decoded_len;
} pg_rows_t;

typedef struct {
    db_t base;
    PGconn *conn;
    db_cache_t cache; /* SQL text -> pg_stmt_t (malloc'd) */
    unsigned next_stmt;
    int lock_timeout_ms;
    bool broken;    /* a call failed with the connection down: reset on next use */
    bool tx_open;   /* between a successful db_begin and commit/rollback */
    bool listening; /* db_watch's LISTEN is active on this session */
    buf_t scratch;
    pg_rows_t rows;
} pg_db_t;

static const db_ops_t pg_ops;

static pg_db_t *pg(db_t *db)
{
    return (pg_db_t *)db;
}

/* --- messages without secrets ------------------------------------------- */

/* Append msg to b on one line, with the password and any URI's userinfo
 * password replaced by "***" (libpq echoes a malformed URI whole). With
 * elide, quoted fragments become "..." too: a conninfo that failed to parse
 * may show any piece of itself, the password included. */
static void clean_msg(buf_t *b, const char *msg, const char *password, bool elide)
{
    size_t pwlen = password ? strlen(password) : 0;
    const char *p = msg;
    while (*p) {
        if (pwlen && strncmp(p, password, pwlen) == 0) {
            buf_puts(b, "***");
            p += pwlen;
        } else if (strncmp(p, "://", 3) == 0) {
            buf_puts(b, "://");
            p += 3;
            size_t end = strcspn(p, "@/ \"'");
            const char *colon = memchr(p, ':', end);
            if (p[end] == '@' && colon) {
                buf_append(b, p, (size_t)(colon - p));
                buf_puts(b, ":***@");
                p += end + 1;
            }
        } else if (elide && *p == '"') {
            buf_puts(b, "\"...\"");
            const char *close = strchr(p + 1, '"');
            p = close ? close + 1 : p + strlen(p);
        } else if (*p == '\n' || *p == '\t' || *p == '\r') {
            if (b->len && b->data[b->len - 1] != ' ')
                buf_putc(b, ' ');
            p++;
        } else {
            buf_putc(b, *p++);
        }
    }
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

/* Record libpq's connection-level message (no server error fields). */
static void pg_set_conn_err(pg_db_t *d, const char *what)
{
    buf_t b = BUF_INIT;
    clean_msg(&b, PQerrorMessage(d->conn), PQpass(d->conn), false);
    db_set_err(&d->base, "postgresql: %s: %s", what, b.len ? b.data : "unknown error");
    buf_free(&b);
}

static int map_sqlstate(const char *state)
{
    if (state == NULL)
        return SOUK_EDB;
    if (strncmp(state, "23", 2) == 0) /* integrity constraint violation */
        return SOUK_ECONFLICT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return SOUK_EBUSY; /* serialization failure, deadlock, lock timeout */
    return SOUK_EDB;
}

/* Record why res failed and map it. The primary message only: DETAIL lines
 * can quote row values (a duplicate email), which do not belong in logs. */
static int pg_fail(pg_db_t *d, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (msg)
        db_set_err(&d->base, "postgresql: %s (sqlstate %s)", msg, state ? state : "?");
    else
        pg_set_conn_err(d, "query failed");
    if (PQstatus(d->conn) != CONNECTION_OK)
        d->broken = true;
    return map_sqlstate(state);
}

static void pg_notice(void *arg, const PGresult *res)
{
    UNUSED(arg);
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (msg == NULL)
        return;
    if (sev && strcmp(sev, "WARNING") == 0)
        log_warn("postgresql: %s", msg);
    else
        log_debug("postgresql: %s", msg);
}

/* --- connection ------------------------------------------------------------ */

/* Session settings, after every (re)connect: the lock timeout, and UTC so
 * that timestamps read back as text are the same on every instance. */
static int pg_session_setup(pg_db_t *d)
{
    char ms[16];
    snprintf(ms, sizeof(ms), "%d", d->lock_timeout_ms);
    const char *values[1] = {ms};
    PGresult *res = PQexecParams(d->conn,
                                 "SELECT set_config('lock_timeout', $1, false), "
                                 "set_config('TimeZone', 'UTC', false)",
                                 1, NULL, values, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : pg_fail(d, res);
    PQclear(res);
    return rc;
}

static void free_stmt_cb(void *stmt, void *ctx)
{
    UNUSED(ctx);
    free(stmt);
}

/* Reconnect with the same parameters (all hosts of a multi-host conninfo
 * are tried again). Server-side prepared statements died with the session. */
static int pg_reset(pg_db_t *d)
{
    db_cache_clear(&d->cache, free_stmt_cb, NULL);
    d->listening = false; /* LISTEN died with the session */
    PQreset(d->conn);
    if (PQstatus(d->conn) != CONNECTION_OK) {
        d->broken = true;
        pg_set_conn_err(d, "reconnect failed");
        log_warn("%s", d->base.errmsg);
        return SOUK_EDB;
    }
    d->broken = false;
    int rc = pg_session_setup(d);
    if (rc < 0)
        return rc;
    const char *host = PQhost(d->conn), *port = PQport(d->conn);
    log_info("postgresql: reconnected to %s port %s", host ? host : "?", port ? port : "?");
    return 0;
}

/* Before each call: reset a broken connection, unless a transaction was open
 * on it (its work is lost; the caller must roll back and retry). */
static int pg_ready(pg_db_t *d)
{
    if (!d->broken && PQstatus(d->conn) == CONNECTION_OK)
        return 0;
    if (d->tx_open) {
        db_set_err(&d->base, "postgresql: connection lost inside a transaction; roll it back");
        return SOUK_EDB;
    }
    return pg_reset(d);
}

/* --- statements ------------------------------------------------------------ */

/* The prepared statement for sql, from the cache or prepared (and described,
 * to learn its parameter count) now. Past DB_STMT_CACHE_MAX the unnamed
 * statement is used and not cached. */
static int pg_prepare(pg_db_t *d, const char *sql, pg_stmt_t *out)
{
    const pg_stmt_t *hit = db_cache_get(&d->cache, sql);
    if (hit) {
        *out = *hit;
        return 0;
    }
    pg_stmt_t st = {.name = ""};
    bool cache = d->cache.count < DB_STMT_CACHE_MAX;
    if (cache)
        snprintf(st.name, sizeof(st.name), "s%u", d->next_stmt++);
    PGresult *res = PQprepare(d->conn, st.name, sql, 0, NULL);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_fail(d, res);
    PQclear(res);
    if (rc < 0)
        return rc;
    res = PQdescribePrepared(d->conn, st.name);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_fail(d, res);
    st.nparams = PQnparams(res);
    PQclear(res);
    if (rc < 0)
        return rc;
    if (cache) {
        pg_stmt_t *copy = xmalloc(sizeof(*copy));
        *copy = st;
        bool stored = db_cache_put(&d->cache, sql, copy);
        ASSERT(stored);
    }
    *out = st;
    return 0;
}

/* Forget a cached statement the server no longer accepts. */
static void pg_forget(pg_db_t *d, const char *sql, const pg_stmt_t *st)
{
    free(db_cache_remove(&d->cache, sql));
    if (st->name[0] && PQtransactionStatus(d->conn) == PQTRANS_IDLE) {
        char q[32];
        snprintf(q, sizeof(q), "DEALLOCATE %s", st->name);
        PQclear(PQexec(d->conn, q));
    }
}

typedef struct {
    const char *values[PG_INLINE_PARAMS];
    int lengths[PG_INLINE_PARAMS];
    int formats[PG_INLINE_PARAMS];
    size_t offs[PG_INLINE_PARAMS];
} pg_inline_params_t;

/* Text parameters must be NUL-terminated for libpq, and a caller's text
 * (DB_TEXTN) need not be: text and decimal integers are copied into the
 * connection's scratch buffer; blobs are passed as they are, in binary. */
static PGresult *pg_exec_prepared(pg_db_t *d, const pg_stmt_t *st, const db_param_t *params, int n)
{
    pg_inline_params_t inl;
    const char **values = inl.values;
    int *lengths = inl.lengths, *formats = inl.formats;
    size_t *offs = inl.offs;
    if (n > PG_INLINE_PARAMS) {
        size_t un = (size_t)n;
        values = xmalloc(st_mult(un, sizeof(*values)));
        lengths = xmalloc(st_mult(un, sizeof(*lengths)));
        formats = xmalloc(st_mult(un, sizeof(*formats)));
        offs = xmalloc(st_mult(un, sizeof(*offs)));
    }
    buf_reset(&d->scratch);
    for (int i = 0; i < n; i++) {
        const db_param_t *p = &params[i];
        values[i] = NULL;
        lengths[i] = 0;
        formats[i] = 0;
        offs[i] = d->scratch.len;
        switch (p->type) {
        case DB_T_INT:
            buf_printf(&d->scratch, "%" PRId64, p->i);
            buf_append(&d->scratch, "", 1);
            break;
        case DB_T_TEXT:
            if (p->len)
                buf_append(&d->scratch, p->s, p->len);
            buf_append(&d->scratch, "", 1);
            break;
        case DB_T_BLOB:
            /* A NULL pointer would mean SQL NULL: an empty blob is not NULL. */
            values[i] = p->s ? p->s : "";
            lengths[i] = (int)p->len;
            formats[i] = 1;
            break;
        default:
            break;
        }
    }
    /* The buffer may have moved while growing: resolve pointers last. */
    for (int i = 0; i < n; i++) {
        if (params[i].type == DB_T_INT || params[i].type == DB_T_TEXT)
            values[i] = d->scratch.data + offs[i];
    }
    PGresult *res = PQexecPrepared(d->conn, st->name, n, values, lengths, formats, 0);
    if (n > PG_INLINE_PARAMS) {
        free(values);
        free(lengths);
        free(formats);
        free(offs);
    }
    if (d->scratch.cap > PG_SCRATCH_KEEP)
        buf_free(&d->scratch);
    return res;
}

/* Prepare (or reuse) and run sql: 0 and *out (PQclear it), or < 0. */
static int pg_run(pg_db_t *d, const char *sql, const db_param_t *params, int n, PGresult **out)
{
    *out = NULL;
    int rc = pg_ready(d);
    if (rc < 0)
        return rc;
    for (int attempt = 0;; attempt++) {
        pg_stmt_t st;
        rc = pg_prepare(d, sql, &st);
        if (rc < 0)
            return rc;
        if (st.nparams != n) {
            db_set_err(&d->base, "statement has %d parameters, %d given", st.nparams, n);
            return SOUK_EINVAL;
        }
        PGresult *res = pg_exec_prepared(d, &st, params, n);
        ExecStatusType es = PQresultStatus(res);
        if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) {
            *out = res;
            return 0;
        }
        if (es == PGRES_EMPTY_QUERY) {
            PQclear(res);
            db_set_err(&d->base, "empty sql statement");
            return SOUK_EINVAL;
        }
        /* A cached statement can go stale: dropped by DISCARD or a pooler
         * (26000), or its result columns changed with the schema (0A000).
         * Prepare it again; retry at once only outside a transaction, since
         * inside one the error has already aborted it. */
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        bool stale = state && st.name[0] &&
                     (strcmp(state, "26000") == 0 ||
                      (strcmp(state, "0A000") == 0 && msg && strstr(msg, "cached plan")));
        rc = pg_fail(d, res);
        PQclear(res);
        if (!stale)
            return rc;
        pg_forget(d, sql, &st);
        if (attempt > 0 || PQtransactionStatus(d->conn) != PQTRANS_IDLE)
            return rc;
    }
}

static int64_t pg_exec(db_t *db, const char *sql, const db_param_t *params, int nparams)
{
    pg_db_t *d = pg(db);
    PGresult *res;
    int rc = pg_run(d, sql, params, nparams, &res);
    if (rc < 0)
        return rc;
    int64_t changed = 0;
    /* Rows changed, as on SQLite: a SELECT run here changed none. */
    const char *tuples = PQcmdTuples(res);
    if (strncmp(PQcmdStatus(res), "SELECT", 6) == 0 || tuples[0] == '\0' ||
        parse_i64(tuples, 0, INT64_MAX, &changed) < 0)
        changed = 0;
    PQclear(res);
    return changed;
}

static int pg_exec_script(db_t *db, const char *sql)
{
    pg_db_t *d = pg(db);
    int rc = pg_ready(d);
    if (rc < 0)
        return rc;
    /* The simple query protocol runs several statements in one call. */
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType es = PQresultStatus(res);
    rc = es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK || es == PGRES_EMPTY_QUERY
             ? 0
             : pg_fail(d, res);
    PQclear(res);
    return rc;
}

/* --- results --------------------------------------------------------------- */

static void pg_rows_clear_decoded(pg_rows_t *r)
{
    if (r->decoded == NULL)
        return;
    for (int i = 0; i < r->base.ncols; i++) {
        if (r->decoded[i]) {
            PQfreemem(r->decoded[i]);
            r->decoded[i] = NULL;
        }
    }
}

static int pg_query(db_t *db, const char *sql, const db_param_t *params, int nparams,
                    db_rows_t **out)
{
    pg_db_t *d = pg(db);
    PGresult *res;
    int rc = pg_run(d, sql, params, nparams, &res);
    if (rc < 0)
        return rc;
    pg_rows_t *r = &d->rows;
    memset(r, 0, sizeof(*r));
    r->base.db = db;
    r->base.ncols = PQnfields(res);
    r->res = res;
    r->row = -1;
    r->nrows = PQntuples(res);
    *out = &r->base;
    return 0;
}

static bool pg_rows_next(db_rows_t *rows)
{
    pg_rows_t *r = (pg_rows_t *)rows;
    pg_rows_clear_decoded(r);
    if (r->row < r->nrows)
        r->row++;
    return r->row < r->nrows;
}

static bool pg_rows_isnull(const db_rows_t *rows, int col)
{
    const pg_rows_t *r = (const pg_rows_t *)rows;
    return PQgetisnull(r->res, r->row, col);
}

static int64_t pg_rows_int(const db_rows_t *rows, int col)
{
    const pg_rows_t *r = (const pg_rows_t *)rows;
    if (PQgetisnull(r->res, r->row, col))
        return 0;
    const char *v = PQgetvalue(r->res, r->row, col);
    if (PQftype(r->res, col) == PG_OID_BOOL)
        return v[0] == 't';
    int64_t out;
    if (parse_i64(v, INT64_MIN, INT64_MAX, &out) < 0) {
        /* The value is not logged: it may be personal data. */
        log_warn("postgresql: column %d (%s) read as an integer is not one", col,
                 PQfname(r->res, col));
        return 0;
    }
    return out;
}

static double pg_rows_double(const db_rows_t *rows, int col)
{
    const pg_rows_t *r = (const pg_rows_t *)rows;
    if (PQgetisnull(r->res, r->row, col))
        return 0;
    /* extra_float_digits is 1 by default since PostgreSQL 12: the shortest
     * text that reads back as the same double. */
    return strtod(PQgetvalue(r->res, r->row, col), NULL);
}

static const char *pg_rows_text(const db_rows_t *rows, int col, size_t *len)
{
    /* Decoding caches into the rows object, which is never really const. */
    pg_rows_t *r = (pg_rows_t *)(uintptr_t)rows;
    if (PQgetisnull(r->res, r->row, col)) {
        *len = 0;
        return "";
    }
    const char *v = PQgetvalue(r->res, r->row, col);
    if (PQftype(r->res, col) != PG_OID_BYTEA) {
        *len = (size_t)PQgetlength(r->res, r->row, col);
        return v;
    }
    /* bytea arrives as hex text ("\x..."); hand out the bytes, as SQLite does. */
    if (r->decoded == NULL) {
        r->decoded = xcalloc((size_t)r->base.ncols, sizeof(*r->decoded));
        r->decoded_len = xcalloc((size_t)r->base.ncols, sizeof(*r->decoded_len));
    }
    if (r->decoded[col] == NULL) {
        r->decoded[col] = PQunescapeBytea((const unsigned char *)v, &r->decoded_len[col]);
        if (r->decoded[col] == NULL)
            BUG("out of memory decoding a bytea column");
    }
    *len = r->decoded_len[col];
    return (const char *)r->decoded[col];
}

static void pg_rows_release(db_rows_t *rows)
{
    pg_rows_t *r = (pg_rows_t *)rows;
    pg_rows_clear_decoded(r);
    free(r->decoded);
    free(r->decoded_len);
    r->decoded = NULL;
    r->decoded_len = NULL;
    PQclear(r->res);
    r->res = NULL;
}

/* --- transactions ---------------------------------------------------------- */

static bool pg_in_tx(db_t *db)
{
    pg_db_t *d = pg(db);
    PGTransactionStatusType ts = PQtransactionStatus(d->conn);
    return d->tx_open || ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
}

static int pg_simple(pg_db_t *d, const char *sql)
{
    PGresult *res;
    int rc = pg_run(d, sql, NULL, 0, &res);
    PQclear(res);
    return rc;
}

static int pg_begin(db_t *db, db_tx_t kind)
{
    pg_db_t *d = pg(db);
    /* Explicit levels, so a server's default_transaction_isolation cannot
     * change what the code was written for. Writers lock the rows they
     * change (SELECT ... FOR UPDATE, or a conditional UPDATE). */
    const char *sql = kind == DB_TX_SERIALIZABLE ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                                                 : "BEGIN ISOLATION LEVEL READ COMMITTED";
    int rc = pg_simple(d, sql);
    if (rc == 0)
        d->tx_open = true;
    return rc;
}

static int pg_commit(db_t *db)
{
    pg_db_t *d = pg(db);
    if (!d->broken && PQtransactionStatus(d->conn) == PQTRANS_INERROR) {
        /* COMMIT would answer ROLLBACK without an error: say so. */
        db_set_err(&d->base, "postgresql: transaction aborted by an earlier error; rolled back");
        d->tx_open = false;
        PQclear(PQexec(d->conn, "ROLLBACK"));
        return SOUK_EDB;
    }
    int rc = pg_simple(d, "COMMIT");
    if (rc == 0 || !d->broken)
        d->tx_open = false;
    return rc;
}

static void pg_rollback(db_t *db)
{
    pg_db_t *d = pg(db);
    d->tx_open = false;
    /* A dead session's transaction died with it; reset on the next call. */
    if (d->broken || PQstatus(d->conn) != CONNECTION_OK)
        return;
    PGresult *res = PQexec(d->conn, "ROLLBACK");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_fail(d, res);
        log_warn("%s", d->base.errmsg);
    }
    PQclear(res);
}

static int pg_ping(db_t *db)
{
    pg_db_t *d = pg(db);
    int rc = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = pg_ready(d);
        if (rc == 0) {
            PGresult *res = PQexec(d->conn, "SELECT 1");
            rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : pg_fail(d, res);
            PQclear(res);
            if (rc == 0)
                return 0;
        }
        if (!d->broken || d->tx_open)
            break; /* the server answered, or a reset would lose a transaction */
    }
    return rc;
}

/* Take every notification already received; true if there was one. */
static bool pg_drain_notifies(pg_db_t *d)
{
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(d->conn)) != NULL) {
        PQfreemem(n);
        any = true;
    }
    return any;
}

static int pg_watch(db_t *db, const char *channel, int timeout_ms)
{
    pg_db_t *d = pg(db);
    if (!d->listening) {
        int rc = pg_ready(d);
        if (rc < 0)
            return rc;
        char sql[96];
        snprintf(sql, sizeof(sql), "LISTEN %s", channel); /* db_watch checked the name */
        PGresult *res = PQexec(d->conn, sql);
        rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_fail(d, res);
        PQclear(res);
        if (rc < 0)
            return rc;
        d->listening = true;
        return 1; /* whatever happened before LISTEN went unheard */
    }
    if (pg_drain_notifies(d))
        return 1;
    struct pollfd pfd = {.fd = PQsocket(d->conn), .events = POLLIN};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0 && errno != EINTR) {
        db_set_err(db, "postgresql: poll: %s", strerror(errno));
        return SOUK_EIO;
    }
    if (n > 0 && !PQconsumeInput(d->conn)) {
        d->broken = true;
        d->listening = false;
        pg_set_conn_err(d, "lost the connection while listening");
        return SOUK_EDB;
    }
    return pg_drain_notifies(d) ? 1 : 0;
}

static size_t pg_cache_size(const db_t *db)
{
    return ((const pg_db_t *)db)->cache.count;
}

static void pg_close(db_t *db)
{
    pg_db_t *d = pg(db);
    if (db->rows_open)
        pg_rows_release(&d->rows.base);
    db_cache_clear(&d->cache, free_stmt_cb, NULL);
    PQfinish(d->conn); /* the server rolls back an open transaction */
    buf_free(&d->scratch);
    free(d);
}

int db_pg_open(const db_config_t *cfg, db_t **out, char *errbuf, size_t errcap)
{
    buf_t msg = BUF_INIT;
    /* Parse first: libpq's parse errors can quote any part of the string. */
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(cfg->pg_conninfo, &perr);
    if (opts == NULL) {
        buf_puts(&msg, "postgresql: invalid connection string: ");
        clean_msg(&msg, perr ? perr : "out of memory", NULL, true);
        PQfreemem(perr);
        goto fail;
    }
    PQconninfoFree(opts);

    pg_db_t *d = xcalloc(1, sizeof(*d));
    d->base.ops = &pg_ops;
    d->base.dialect = DB_POSTGRES;
    d->lock_timeout_ms = cfg->busy_timeout_ms ? cfg->busy_timeout_ms : DB_DEFAULT_BUSY_TIMEOUT_MS;
    /* Defaults before the expanded conninfo, which may override them: a name
     * in pg_stat_activity, and timeouts so that a primary that vanished
     * (failover) is noticed and the next host tried, not waited on for
     * minutes. client_encoding after it: the code speaks UTF-8 only. */
    const char *const keys[] = {
        "application_name", "connect_timeout", "keepalives_idle", "keepalives_interval",
        "keepalives_count", "dbname",          "client_encoding", NULL};
    const char *const vals[] = {"souk", "10", "30", "10", "3", cfg->pg_conninfo, "UTF8", NULL};
    d->conn = PQconnectdbParams(keys, vals, 1);
    if (d->conn == NULL) {
        buf_puts(&msg, "postgresql: out of memory");
        free(d);
        goto fail;
    }
    if (PQstatus(d->conn) != CONNECTION_OK) {
        pg_set_conn_err(d, "cannot connect");
        buf_puts(&msg, d->base.errmsg);
        PQfinish(d->conn);
        free(d);
        goto fail;
    }
    PQsetNoticeReceiver(d->conn, pg_notice, NULL);
    if (pg_session_setup(d) < 0) {
        buf_puts(&msg, d->base.errmsg);
        PQfinish(d->conn);
        free(d);
        goto fail;
    }
    *out = &d->base;
    return 0;
fail:
    if (errbuf && errcap)
        snprintf(errbuf, errcap, "%s", buf_cstr(&msg));
    buf_free(&msg);
    return SOUK_EDB;
}

static const db_ops_t pg_ops = {
    .close = pg_close,
    .ping = pg_ping,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .query = pg_query,
    .rows_next = pg_rows_next,
    .rows_isnull = pg_rows_isnull,
    .rows_int = pg_rows_int,
    .rows_double = pg_rows_double,
    .rows_text = pg_rows_text,
    .rows_release = pg_rows_release,
    .in_tx = pg_in_tx,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .cache_size = pg_cache_size,
    .watch = pg_watch,
};
