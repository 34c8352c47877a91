/* sqlite_rank.c - souk_rank(), see sqlite_rank.h.
 *
 * Per statement the function keeps the query's inverse document frequencies
 * (FTS5 auxdata); per connection, the frequency of every phrase counted
 * since the data version last moved, keyed by the phrase's text, so that a
 * search reads no postings list beyond its own matches once its words have
 * been seen: a store's searches reuse a few hundred words in many
 * combinations, and counting a common word's rows at 1,000,000 products
 * takes tens of milliseconds. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/sqlite_rank.h"

/* Phrases remembered per connection; the table is emptied when full. */
#define RANK_PHRASES 1024
/* Phrases of a query this function ranks by; more rank as this many. */
#define RANK_MAX_PHRASES 32
/* Columns given a weight; a column past them weighs 1. */
#define RANK_MAX_COLS 16

typedef struct {
    int nphrase;
    double idf[RANK_MAX_PHRASES];
} rank_idf_t;

/* What a statement keeps (FTS5 auxdata): its phrases' idf and the weights. */
typedef struct {
    rank_idf_t e;
    int ncol;
    double weight[RANK_MAX_COLS];
} rank_stmt_t;

/* A counted phrase: its text as the query quotes it, "" undoubled, with a
 * trailing '*' when it is a prefix. */
typedef struct {
    char *key; /* owned; NULL for a free slot */
    uint32_t hash;
    sqlite3_int64 nhit;
} rank_phrase_t;

typedef struct {
    sqlite3 *conn;
    unsigned version; /* of what the table holds */
    sqlite3_int64 nrow;
    bool have_nrow;
    rank_phrase_t tab[2 * RANK_PHRASES]; /* open addressing, at most half full */
    int n;
} rank_conn_t;

static void rank_clear(rank_conn_t *rc)
{
    for (size_t i = 0; i < ARRAY_LEN(rc->tab); i++) {
        free(rc->tab[i].key);
        rc->tab[i].key = NULL;
    }
    rc->n = 0;
    rc->have_nrow = false;
}

static void rank_conn_free(void *p)
{
    rank_clear(p);
    free(p);
}

/* The slot of key (found, or free where it would go). */
static rank_phrase_t *rank_slot(rank_conn_t *rc, const char *key, size_t len, uint32_t h)
{
    size_t mask = ARRAY_LEN(rc->tab) - 1, k = h & mask;
    for (; rc->tab[k].key; k = (k + 1) & mask)
        if (rc->tab[k].hash == h && strlen(rc->tab[k].key) == len &&
            memcmp(rc->tab[k].key, key, len) == 0)
            break;
    return &rc->tab[k];
}

/* Cut a MATCH text made of quoted phrases (each maybe followed by '*'),
 * joined by white space or AND, as souk's searches write it, into keys[]:
 * the number of phrases, or -1 for any other syntax (whose frequencies are
 * then counted for the statement and not kept). */
static int split_phrases(const char *q, char *buf, size_t cap, char *keys[RANK_MAX_PHRASES])
{
    int n = 0;
    size_t used = 0;
    while (*q) {
        if (*q == ' ' || *q == '\t' || *q == '\n') {
            q++;
        } else if (strncmp(q, "AND", 3) == 0 && (q[3] == ' ' || q[3] == '"')) {
            q += 3;
        } else if (*q == '"') {
            if (n == RANK_MAX_PHRASES)
                return -1;
            keys[n++] = buf + used;
            for (q++;; q++) {
                if (*q == '\0')
                    return -1;
                if (*q == '"' && q[1] != '"')
                    break;
                if (*q == '"')
                    q++; /* "" is one quote */
                if (used + 2 >= cap)
                    return -1;
                buf[used++] = *q;
            }
            q++;
            if (*q == '*') {
                if (used + 2 >= cap)
                    return -1;
                buf[used++] = '*';
                q++;
            }
            buf[used++] = '\0';
        } else {
            return -1;
        }
    }
    return n;
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *user)
{
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)user)++;
    return SQLITE_OK;
}

/* The frequencies of this statement's phrases: each from the table when
 * counted at the current data version, else counted (and kept). */
static int rank_idf(const Fts5ExtensionApi *api, Fts5Context *fts, rank_conn_t *rc,
                    const char *query, rank_idf_t *out)
{
    unsigned version = 0;
    sqlite3_file_control(rc->conn, "main", SQLITE_FCNTL_DATA_VERSION, &version);
    if (version != rc->version || rc->n >= RANK_PHRASES) {
        rank_clear(rc);
        rc->version = version;
    }
    int nphrase = api->xPhraseCount(fts);
    if (nphrase > RANK_MAX_PHRASES)
        nphrase = RANK_MAX_PHRASES;
    int err = SQLITE_OK;
    if (!rc->have_nrow) {
        if ((err = api->xRowCount(fts, &rc->nrow)) != SQLITE_OK)
            return err;
        rc->have_nrow = true;
    }
    size_t qlen = strlen(query);
    char *buf = xmalloc(st_add(qlen, RANK_MAX_PHRASES + 1));
    char *keys[RANK_MAX_PHRASES];
    /* Keys only when the text's phrases are FTS5's, one for one. */
    bool keyed = split_phrases(query, buf, qlen + RANK_MAX_PHRASES + 1, keys) == nphrase;
    for (int p = 0; err == SQLITE_OK && p < nphrase; p++) {
        rank_phrase_t *slot = NULL;
        if (keyed) {
            size_t len = strlen(keys[p]);
            uint32_t h = hash_fnv1a(keys[p], len);
            slot = rank_slot(rc, keys[p], len, h);
            if (slot->key) {
                out->idf[p] = sqlite_rank_idf(rc->nrow, slot->nhit);
                continue;
            }
            slot->hash = h;
        }
        sqlite3_int64 nhit = 0;
        err = api->xQueryPhrase(fts, p, &nhit, count_row);
        out->idf[p] = sqlite_rank_idf(rc->nrow, nhit);
        if (err == SQLITE_OK && slot) {
            slot->key = xstrdup(keys[p]);
            slot->nhit = nhit;
            rc->n++;
        }
    }
    free(buf);
    out->nphrase = nphrase;
    return err;
}

/* The hits of phrase p in the current row, each weighted by its column's
 * weight[] (1 past ncol). */
static int phrase_hits(const Fts5ExtensionApi *api, Fts5Context *fts, int p, const double *weight,
                       int ncol, double *out)
{
    Fts5PhraseIter it;
    int col, off;
    double hits = 0;
    int err = api->xPhraseFirst(fts, p, &it, &col, &off);
    if (err != SQLITE_OK)
        return err;
    for (; col >= 0; api->xPhraseNext(fts, &it, &col, &off))
        hits += col < ncol ? weight[col] : 1.0;
    *out = hits;
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
        double hits;
        int err = phrase_hits(api, fts, p, q->weight, q->ncol, &hits);
        if (err != SQLITE_OK) {
            sqlite3_result_error_code(ctx, err);
            return;
        }
        score += sqlite_rank_part(q->e.idf[p], hits);
    }
    sqlite3_result_double(ctx, -score);
}

static void souk_hits(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **val)
{
    double weight[RANK_MAX_COLS], total = 0;
    int ncol = api->xColumnCount(fts);
    if (ncol > RANK_MAX_COLS)
        ncol = RANK_MAX_COLS;
    for (int c = 0; c < ncol; c++)
        weight[c] = c < nval ? sqlite3_value_double(val[c]) : 1.0;
    for (int p = 0, n = api->xPhraseCount(fts); p < n; p++) {
        double hits;
        int err = phrase_hits(api, fts, p, weight, ncol, &hits);
        if (err != SQLITE_OK) {
            sqlite3_result_error_code(ctx, err);
            return;
        }
        total += hits;
    }
    sqlite3_result_double(ctx, total);
}

static void souk_rows(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **val)
{
    (void)nval;
    (void)val;
    sqlite3_int64 n = 0;
    int err = api->xRowCount(fts, &n);
    if (err != SQLITE_OK)
        sqlite3_result_error_code(ctx, err);
    else
        sqlite3_result_int64(ctx, n);
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
    if (err != SQLITE_OK) {
        rank_conn_free(rc);
        return err;
    }
    if ((err = fts->xCreateFunction(fts, "souk_hits", NULL, souk_hits, NULL)) != SQLITE_OK)
        return err;
    return fts->xCreateFunction(fts, "souk_rows", NULL, souk_rows, NULL);
}
