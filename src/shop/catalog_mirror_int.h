/* catalog_mirror_int.h - a mirror snapshot's layout, shared by
 * catalog_mirror.c (which makes and publishes snapshots) and
 * catalog_mirror_search.c (which answers a search from one), and the calls
 * catalog_search.c makes. Not for other modules: they use catalog.h and
 * catalog_mirror.h.
 *
 * Products are numbered 0..n-1 in id order (their index); every per-product
 * array is indexed by it. Strings are interned per kind in a dictionary and
 * stored as its numbers. */
#ifndef SOUK_SHOP_CATALOG_MIRROR_INT_H
#define SOUK_SHOP_CATALOG_MIRROR_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_mirror.h"

#define MIRROR_NONE UINT32_MAX

/* Sort orders kept as places: place 0 comes first. Newest: created_at
 * descending, then id descending; price: price_min, then id; title:
 * lower(title) (SQLite's, ASCII only) bytewise, then id. The descending
 * price and title sorts are those read backwards, as the SQL's are. */
enum { MORDER_NEWEST, MORDER_PRICE, MORDER_TITLE, MORDER_COUNT };

enum { MF_ACTIVE = 1, MF_AVAILABLE = 2 };

/* Distinct strings of one kind (vendors, types, tags). */
typedef struct {
    struct mval {
        uint32_t off, len, hash; /* the string is pool.data[off..off+len) */
    } * v;
    uint32_t n, cap;
    uint32_t *slot; /* 1 + index into v, 0 for free; nslot a power of two */
    uint32_t nslot;
    buf_t pool;
} mdict_t;

/* A collection's products: in manual order (position, then id), and the
 * same indexes ascending, to test membership. */
typedef struct {
    int64_t id;
    uint32_t *order, *members;
    uint32_t n;
} mcoll_t;

/* What a search reads of each product, together in one cache line: a
 * text search visits its matches scattered over the whole catalog. */
typedef struct {
    int64_t price;
    uint32_t vendor, type; /* dictionary numbers */
    uint32_t tag_off;      /* its tags are tags[tag_off..tag_off + ntags) */
    uint16_t ntags;
    uint8_t flags;   /* MF_* */
    uint32_t newest; /* place in MORDER_NEWEST: relevance's tie-break */
} mprod_t;

/* Text matches kept for reuse (mirror_matches_get). */
#define MIRROR_MATCH_ENTRIES 64

typedef struct {
    char *fts; /* the MATCH text; NULL: a free entry */
    bool rel;  /* ranks kept */
    bool truncated;
    int64_t *id;
    double *rank;
    size_t n;
    uint64_t used; /* for least recently used */
} mmatch_t;

typedef struct mirror_snap {
    int refs; /* under the mirror's lock */
    int64_t version;
    uint32_t n;
    int64_t *id; /* ascending */
    mprod_t *p;
    uint32_t *tags;
    /* id - id_base -> index (MIRROR_NONE for a gap), when the ids are dense
     * enough for that to be small; else NULL, and ids are searched. */
    uint32_t *index_of;
    int64_t id_base;
    size_t nindex;
    uint32_t *place[MORDER_COUNT]; /* product index -> place */
    uint32_t *at[MORDER_COUNT];    /* place -> product index */
    mdict_t dict[3];               /* F_VENDORS, F_TYPES, F_TAGS */
    mcoll_t *colls;                /* by id ascending */
    size_t ncolls;
    /* The one part that changes after publication, under its own lock:
     * text matches found at this snapshot's version. */
    pthread_mutex_t match_lock;
    mmatch_t matches[MIRROR_MATCH_ENTRIES];
    uint64_t match_clock, match_hits, match_misses;
} mirror_snap_t;

/* The index of s[0..len) in d, or MIRROR_NONE. */
uint32_t mdict_find(const mdict_t *d, const char *s, size_t len);
/* The string numbered i in d. */
const char *mdict_str(const mdict_t *d, uint32_t i, size_t *len);

/* The index of the product with this id, or MIRROR_NONE. */
uint32_t msnap_find(const mirror_snap_t *s, int64_t id);
/* The collection with this id; NULL when it holds no product. */
const mcoll_t *msnap_coll(const mirror_snap_t *s, int64_t id);

/* The current snapshot, if it was made at the catalog version db reads now,
 * with a reference for catalog_mirror_release(); NULL otherwise (the
 * mirror's thread is then woken) or if the version cannot be read. */
const mirror_snap_t *catalog_mirror_acquire(catalog_mirror_t *m, db_t *db);
void catalog_mirror_release(catalog_mirror_t *m, const mirror_snap_t *s);

/* A search as catalog_search.c resolved it. */
typedef struct {
    const catalog_query_t *q;
    int64_t coll_id; /* 0: none */
    catalog_sort_t sort;
    /* With a text query: the ids of its matches (at most the window's, in
     * any order; ids the snapshot lacks are skipped) and, sorted by
     * relevance, each one's rank (lower first). */
    bool text;
    const int64_t *match_id;
    const double *match_rank;
    size_t nmatch;
} mquery_t;

/* A text's matches as catalog_search.c read them from FTS5 at s's version:
 * their ids, newest first, and with rel their ranks. FTS5 changes only in
 * the transaction that writes the product's row (catalog_repo.c), which
 * moves the catalog version; so what was read at a snapshot's version holds
 * for every search that uses that snapshot. A shopper refining a search
 * (a filter, a sort, the next page) reads them once: each refinement is a
 * new page for the page cache, but not a new text. At most
 * MIRROR_MATCH_ENTRIES texts (about 80 KiB each at most), the least
 * recently used replaced.
 *
 * get: true and copies in a (mq's match fields, *truncated) if fts (with
 * ranks, when rel) is kept. put: keep a copy. */
bool mirror_matches_get(const mirror_snap_t *s, arena_t *a, const char *fts, bool rel, mquery_t *mq,
                        bool *truncated);
void mirror_matches_put(const mirror_snap_t *s, const char *fts, bool rel, const mquery_t *mq,
                        bool truncated);

/* Answer mq from s: the total and, with q->want_facets, the facets into
 * out; the page's ids in order into *ids and *nids (in a). */
void mirror_search(const mirror_snap_t *s, arena_t *a, const mquery_t *mq, catalog_page_t *out,
                   int64_t **ids, size_t *nids);

#endif
