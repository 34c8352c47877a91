/* sqlite_rank.c - souk_rank(), see sqlite_rank.h.
 *
 * Per statement the function keeps the query's inverse document frequencies
 * (FTS5 auxdata); per connection, the last RANK_CACHE queries' frequencies
 * with the data version they were counted at, so a repeated search on an
 * unchanged catalog reads no postings list beyond its own matches. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/sqlite_rank.h"

/* Queries remembered per connection, replaced oldest first. */
#define RANK_CACHE 32
/* Phrases of a query this function ranks by; more rank as this many. */
#define RANK_MAX_PHRASES 32
/* Columns given a weight; a column past them weighs 1. */
#define RANK_MAX_COLS 16
/* BM25's term-frequency saturation. */
#define RANK_K1 1.2

typedef struct {
    char *query; /* owned; NULL for a free slot */
    unsigned version;
    int nphrase;
    double idf[RANK_MAX_PHRASES];
} rank_entry_t;

/* What a statement keeps (FTS5 auxdata): its phrases' idf and the weights. */
typedef struct {
    rank_entry_t e;
    int ncol;
    double weight[RANK_MAX_COLS];
} rank_stmt_t;

typedef struct {
    sqlite3 *conn;
    rank_entry_t cache[RANK_CACHE];
    int next; /* the slot to replace */
} rank_conn_t;

static void rank_conn_free(void *p)
{
    rank_conn_t *rc = p;
    for (int i = 0; i < RANK_CACHE; i++)
        free(rc->cache[i].query);
    free(rc);
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *user)
{
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)user)++;
    return SQLITE_OK;
}

/* The frequencies of this statement's phrases: from the cache when query
 * was counted at the current data version, else counted and cached. */
static int rank_idf(const Fts5ExtensionApi *api, Fts5Context *fts, rank_conn_t *rc,
                    const char *query, rank_entry_t *out)
{
    unsigned version = 0;
    sqlite3_file_control(rc->conn, "main", SQLITE_FCNTL_DATA_VERSION, &version);
    int nphrase = api->xPhraseCount(fts);
    if (nphrase > RANK_MAX_PHRASES)
        nphrase = RANK_MAX_PHRASES;
    for (int i = 0; i < RANK_CACHE; i++) {
        rank_entry_t *e = &rc->cache[i];
        if (e->query && e->version == version && e->nphrase == nphrase &&
            strcmp(e->query, query) == 0) {
            *out = *e;
            out->query = NULL;
            return SQLITE_OK;
        }
    }
    sqlite3_int64 nrow = 0;
    int err = api->xRowCount(fts, &nrow);
    for (int p = 0; err == SQLITE_OK && p < nphrase; p++) {
        sqlite3_int64 nhit = 0;
        err = api->xQueryPhrase(fts, p, &nhit, count_row);
        /* BM25's idf, kept positive so that a word in most rows still
         * counts for a little (as FTS5's bm25 does). */
        double idf = log((double)(nrow - nhit) + 0.5) - log((double)nhit + 0.5);
        out->idf[p] = idf > 1e-6 ? idf : 1e-6;
    }
    if (err != SQLITE_OK)
        return err;
    out->nphrase = nphrase;
    out->version = version;
    out->query = NULL;
    rank_entry_t *slot = &rc->cache[rc->next];
    rc->next = (rc->next + 1) % RANK_CACHE;
    free(slot->query);
    *slot = *out;
    slot->query = xstrdup(query);
    return SQLITE_OK;
}

static void souk_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **val)
{
    if (nval < 1 || sqlite3_value_type(val[0]) != SQLITE_TEXT) {
        sqlite3_result_error(ctx, "souk_rank: the query text must follow the table", -1);
        return;
    }
    rank_stmt_t *q = api->xGetAuxdata(fts, 0);
    if (q == NULL) {
        q = calloc(1, sizeof(*q));
        if (q == NULL) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        q->ncol = api->xColumnCount(fts);
        if (q->ncol > RANK_MAX_COLS)
            q->ncol = RANK_MAX_COLS;
        for (int c = 0; c < q->ncol; c++)
            q->weight[c] = c + 1 < nval ? sqlite3_value_double(val[c + 1]) : 1.0;
        int err = rank_idf(api, fts, api->xUserData(fts), (const char *)sqlite3_value_text(val[0]),
                           &q->e);
        if (err == SQLITE_OK)
            err = api->xSetAuxdata(fts, q, free); /* frees q on failure */
        else
            free(q);
        if (err != SQLITE_OK) {
            sqlite3_result_error_code(ctx, err);
            return;
        }
    }
    double score = 0;
    for (int p = 0; p < q->e.nphrase; p++) {
        Fts5PhraseIter it;
        int col, off;
        double freq = 0;
        int err = api->xPhraseFirst(fts, p, &it, &col, &off);
        if (err != SQLITE_OK) {
            sqlite3_result_error_code(ctx, err);
            return;
        }
        for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off))
            freq += col < q->ncol ? q->weight[col] : 1.0;
        score += q->e.idf[p] * freq * (RANK_K1 + 1) / (freq + RANK_K1);
    }
    sqlite3_result_double(ctx, -score);
}

int sqlite_rank_register(sqlite3 *conn)
{
    fts5_api *fts = NULL;
    sqlite3_stmt *st = NULL;
    int err = sqlite3_prepare_v2(conn, "SELECT fts5(?1)", -1, &st, NULL);
    if (err == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&fts, "fts5_api_ptr", NULL);
        sqlite3_step(st);
        err = sqlite3_finalize(st);
    }
    if (err != SQLITE_OK)
        return err;
    if (fts == NULL || fts->iVersion < 2)
        return SQLITE_ERROR;
    rank_conn_t *rc = xcalloc(1, sizeof(*rc));
    rc->conn = conn;
    /* FTS5 calls rank_conn_free when the connection closes. */
    err = fts->xCreateFunction(fts, "souk_rank", rc, souk_rank, rank_conn_free);
    if (err != SQLITE_OK)
        rank_conn_free(rc);
    return err;
}
