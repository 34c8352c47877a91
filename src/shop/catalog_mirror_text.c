/* catalog_mirror_text.c - a text's matches and ranks from phrase postings
 * kept in a mirror snapshot (catalog_mirror_int.h, mirror_text_matches).
 *
 * FTS5 itself cuts and stems the text: a phrase's postings are what FTS5
 * returns for that phrase alone, with souk_hits() (sqlite_rank.h) giving
 * each row's weighted hits and souk_rows() the row count. A text's matches
 * are then the intersection of its phrases' postings, walked from the
 * newest product down, and each match's rank is souk_rank's sum over the
 * phrases, computed by the same inline functions from the same counts: the
 * same matches, window and order as the statement catalog_search.c would
 * run. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "db/sqlite_rank.h"
#include "shop/catalog_mirror_int.h"
#include "shop/catalog_search_int.h"

static size_t words_of(const mirror_snap_t *s)
{
    return ((size_t)s->n + 63) / 64;
}

static size_t phrase_bytes(const mirror_snap_t *s, const mphrase_t *p)
{
    size_t b = sizeof(*p) + strlen(p->key) + 1 + (size_t)p->n * sizeof(*p->hits);
    if (p->bits)
        return b + words_of(s) * (sizeof(*p->bits) + sizeof(*p->before));
    return b + (size_t)p->n * sizeof(*p->idx);
}

static void phrase_free(mphrase_t *p)
{
    free(p->key);
    free(p->idx);
    free(p->bits);
    free(p->before);
    free(p->hits);
    free(p);
}

/* Turn p's indexes into bits when that takes less memory: for a phrase in
 * more than about one product in 21. */
static void phrase_pack(const mirror_snap_t *s, mphrase_t *p)
{
    size_t words = words_of(s);
    if (words * (sizeof(*p->bits) + sizeof(*p->before)) > (size_t)p->n * sizeof(*p->idx))
        return;
    p->bits = xcalloc(words ? words : 1, sizeof(*p->bits));
    p->before = xmalloc(st_mult(words ? words : 1, sizeof(*p->before)));
    for (uint32_t k = 0; k < p->n; k++)
        p->bits[p->idx[k] / 64] |= (uint64_t)1 << (p->idx[k] % 64);
    uint32_t sum = 0;
    for (size_t w = 0; w < words; w++) {
        p->before[w] = sum;
        sum += (uint32_t)__builtin_popcountll(p->bits[w]);
    }
    free(p->idx);
    p->idx = NULL;
}

/* The posting number of product i in a packed p, which must hold it. */
static uint32_t bits_rank(const mphrase_t *p, uint32_t i)
{
    uint64_t below = ((uint64_t)1 << (i % 64)) - 1;
    return p->before[i / 64] + (uint32_t)__builtin_popcountll(p->bits[i / 64] & below);
}

static bool bits_has(const mphrase_t *p, uint32_t i)
{
    return (p->bits[i / 64] >> (i % 64)) & 1;
}

/* Under memo_lock. */
static mphrase_t **phrase_slot(mirror_snap_t *s, const char *key, uint32_t h)
{
    mphrase_t **at = &s->phrase[h % MIRROR_PHRASE_BUCKETS];
    while (*at && ((*at)->hash != h || strcmp((*at)->key, key) != 0))
        at = &(*at)->next;
    return at;
}

/* Take p out of the table, under memo_lock; freed by its last reader. */
static void phrase_unlink(mirror_snap_t *s, mphrase_t *p)
{
    mphrase_t **at = phrase_slot(s, p->key, p->hash);
    ASSERT(*at == p);
    *at = p->next;
    p->next = NULL;
    if (p->ready)
        s->text_bytes -= phrase_bytes(s, p);
    if (--p->refs == 0)
        phrase_free(p);
}

void mirror_text_free(mirror_snap_t *s)
{
    for (size_t b = 0; b < MIRROR_PHRASE_BUCKETS; b++) {
        while (s->phrase[b]) {
            mphrase_t *p = s->phrase[b];
            s->phrase[b] = p->next;
            ASSERT(p->refs == 1); /* no search holds the snapshot */
            phrase_free(p);
        }
    }
}

/* Make room for need more bytes by dropping the least recently used
 * phrases that are ready; under memo_lock. */
static void phrase_evict(mirror_snap_t *s, size_t need)
{
    while (s->text_bytes + need > MIRROR_PHRASE_BYTES) {
        mphrase_t *old = NULL;
        for (size_t b = 0; b < MIRROR_PHRASE_BUCKETS; b++)
            for (mphrase_t *p = s->phrase[b]; p; p = p->next)
                if (p->ready && (old == NULL || p->used < old->used))
                    old = p;
        if (old == NULL)
            return;
        phrase_unlink(s, old);
    }
}

/* Read the postings of phrase key into p, from db. *current: db read them at
 * s's version (checked after the read: versions only grow). */
static int phrase_read(const mirror_snap_t *s, db_t *db, const char *key, mphrase_t *p,
                       bool *current)
{
    db_rows_t *r;
    int rc = db_query(db,
                      "SELECT rowid, souk_hits(products_fts, " SEARCH_RANK_WEIGHTS "), "
                      "souk_rows(products_fts) FROM products_fts WHERE products_fts MATCH $1 "
                      "ORDER BY rowid",
                      (db_param_t[]){DB_TEXT(key)}, 1, &r);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    while (db_rows_next(r)) {
        if (p->nhit++ == 0)
            p->nrow = db_rows_int(r, 2);
        uint32_t i = msnap_find(s, db_rows_int(r, 0));
        if (i == MIRROR_NONE)
            continue; /* written after the snapshot: this read is not kept */
        if (p->n == cap) {
            cap = cap ? st_mult(cap, 2) : 256;
            p->idx = xrealloc(p->idx, st_mult(cap, sizeof(*p->idx)));
            p->hits = xrealloc(p->hits, st_mult(cap, sizeof(*p->hits)));
        }
        p->idx[p->n] = i;
        p->hits[p->n++] = (float)db_rows_double(r, 1);
    }
    if ((rc = db_rows_end(r)) < 0)
        return rc;
    phrase_pack(s, p);
    int64_t v;
    if ((rc = db_query_int(db, MIRROR_VERSION_SQL, NULL, 0, &v)) < 0)
        return rc;
    *current = v == s->version;
    return 0;
}

/* Phrase key's postings at s's version, with a reference for
 * phrase_release: kept ones, else read now (and kept if they can be).
 * Searches wanting a phrase another is reading wait for it rather than
 * read it again. A search reads one phrase at a time and waits only when
 * it is reading none, so two searches never wait for each other. */
static int phrase_get(mirror_snap_t *s, db_t *db, const char *key, mphrase_t **out)
{
    uint32_t h = hash_fnv1a(key, strlen(key));
    pthread_mutex_lock(&s->memo_lock);
    mphrase_t *p;
    while ((p = *phrase_slot(s, key, h)) != NULL && !p->ready)
        pthread_cond_wait(&s->text_made, &s->memo_lock);
    if (p) {
        p->refs++;
        p->used = ++s->text_clock;
        s->phrase_hits++;
        pthread_mutex_unlock(&s->memo_lock);
        *out = p;
        return 0;
    }
    /* In the table, not ready: others wait for it. */
    p = xcalloc(1, sizeof(*p));
    p->key = xstrdup(key);
    p->hash = h;
    p->refs = 2; /* the table's and ours */
    *phrase_slot(s, key, h) = p;
    s->phrase_misses++;
    pthread_mutex_unlock(&s->memo_lock);

    bool current = false;
    int rc = phrase_read(s, db, key, p, &current);
    size_t bytes = phrase_bytes(s, p);

    pthread_mutex_lock(&s->memo_lock);
    if (rc == 0 && current && bytes <= MIRROR_PHRASE_BYTES) {
        phrase_evict(s, bytes);
        p->ready = true;
        p->used = ++s->text_clock;
        s->text_bytes += bytes;
    } else {
        phrase_unlink(s, p); /* ours alone now */
    }
    pthread_cond_broadcast(&s->text_made);
    pthread_mutex_unlock(&s->memo_lock);
    if (rc < 0) {
        if (--p->refs == 0)
            phrase_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

static void phrase_release(mirror_snap_t *s, mphrase_t *p)
{
    pthread_mutex_lock(&s->memo_lock);
    bool last = --p->refs == 0;
    pthread_mutex_unlock(&s->memo_lock);
    if (last)
        phrase_free(p);
}

/* In p->idx[0..hi), the place of the last index <= x, or -1: galloping
 * down from hi, since the walk's x only falls. */
static long gallop_down(const mphrase_t *p, long hi, uint32_t x)
{
    long step = 1, top = hi - 1; /* the answer is <= top */
    while (top >= 0 && p->idx[top] > x) {
        long lo = top - step;
        if (lo < 0 || p->idx[lo] <= x) {
            /* Between lo (or -1) and top: binary search. */
            long a = lo < 0 ? -1 : lo, b = top; /* idx[a] <= x < idx[b] */
            while (b - a > 1) {
                long m = a + (b - a) / 2;
                if (p->idx[m] <= x)
                    a = m;
                else
                    b = m;
            }
            return a;
        }
        top = lo;
        step *= 2;
    }
    return top;
}

/* Matches being collected, newest first. */
typedef struct {
    mphrase_t **p;
    size_t n;
    double idf[SEARCH_MAX_TERMS];
    uint32_t *idx;
    double *rank; /* NULL: not ranked */
    size_t nm;
    bool truncated;
} walk_t;

/* Take product i, whose posting in each phrase k is at[k]; false once the
 * window is full. */
static bool walk_take(walk_t *w, uint32_t i, const long *at)
{
    if (w->nm == CATALOG_SEARCH_WINDOW) {
        w->truncated = true;
        return false;
    }
    if (w->rank) {
        double score = 0;
        for (size_t k = 0; k < w->n; k++)
            score += sqlite_rank_part(w->idf[k], (double)w->p[k]->hits[at[k]]);
        w->rank[w->nm] = -score;
    }
    w->idx[w->nm++] = i;
    return true;
}

/* Every phrase packed: their bits ANDed a word at a time, from the top. */
static void walk_bits(walk_t *w, size_t words)
{
    long at[SEARCH_MAX_TERMS];
    for (size_t wd = words; wd-- > 0;) {
        uint64_t m = ~(uint64_t)0;
        for (size_t k = 0; k < w->n && m; k++)
            m &= w->p[k]->bits[wd];
        while (m) {
            int j = 63 - __builtin_clzll(m);
            m &= ~((uint64_t)1 << j);
            uint32_t i = (uint32_t)(wd * 64 + (size_t)j);
            for (size_t k = 0; k < w->n; k++)
                at[k] = bits_rank(w->p[k], i);
            if (!walk_take(w, i, at))
                return;
        }
    }
}

/* Phrase d as indexes drives, from its last; each index is looked up in
 * the others: a bit test, or a gallop down the indexes. */
static void walk_list(walk_t *w, size_t d)
{
    long hi[SEARCH_MAX_TERMS], at[SEARCH_MAX_TERMS];
    for (size_t k = 0; k < w->n; k++)
        hi[k] = (long)w->p[k]->n;
    const mphrase_t *pd = w->p[d];
    for (long i = (long)pd->n - 1; i >= 0; i--) {
        uint32_t x = pd->idx[i];
        bool all = true;
        for (size_t k = 0; k < w->n && all; k++) {
            const mphrase_t *pk = w->p[k];
            if (k == d) {
                at[k] = i;
            } else if (pk->bits) {
                all = bits_has(pk, x);
                if (all)
                    at[k] = bits_rank(pk, x);
            } else {
                long j = gallop_down(pk, hi[k], x);
                if (j < 0)
                    return; /* nothing left at or below x in one list */
                all = pk->idx[j] == x;
                hi[k] = all ? j : j + 1;
                at[k] = j;
            }
        }
        if (all && !walk_take(w, x, at))
            return;
    }
}

int mirror_text_matches(const mirror_snap_t *cs, db_t *db, arena_t *a, const char *const *phrase,
                        size_t n, bool rel, mquery_t *mq, bool *truncated)
{
    mirror_snap_t *s = (mirror_snap_t *)cs; /* the phrase table is its own */
    ASSERT(n > 0 && n <= SEARCH_MAX_TERMS);
    mphrase_t *p[SEARCH_MAX_TERMS];
    size_t got = 0;
    int rc = 0;
    for (; got < n; got++)
        if ((rc = phrase_get(s, db, phrase[got], &p[got])) < 0)
            goto out;

    walk_t w = {.p = p, .n = n};
    for (size_t k = 0; k < n; k++)
        w.idf[k] = sqlite_rank_idf(p[k]->nrow, p[k]->nhit);
    w.idx = arena_alloc(a, CATALOG_SEARCH_WINDOW * sizeof(*w.idx));
    if (rel)
        w.rank = arena_alloc(a, CATALOG_SEARCH_WINDOW * sizeof(*w.rank));
    /* The phrase with the fewest postings drives. Packing depends only on
     * the count, so if it is packed, all are. */
    size_t d = 0;
    for (size_t k = 1; k < n; k++)
        if (p[k]->n < p[d]->n)
            d = k;
    if (p[d]->bits)
        walk_bits(&w, words_of(s));
    else
        walk_list(&w, d);
    mq->match_idx = w.idx;
    mq->match_rank = w.rank;
    mq->nmatch = w.nm;
    *truncated = w.truncated;
out:
    for (size_t k = 0; k < got; k++)
        phrase_release(s, p[k]);
    return rc;
}
