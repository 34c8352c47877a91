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
#include "shop/catalog_facets.h"
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

/* A phrase's postings (mirror_text_matches): the products whose text FTS5
 * matches it, with their weighted hits, made once per snapshot. */
typedef struct mphrase {
    struct mphrase *next; /* in its bucket */
    char *key;            /* the phrase as FTS5 reads it: "abc 12"* */
    uint32_t hash;
    bool ready; /* else a search is reading it from the database */
    int refs;   /* searches reading it, and 1 while in the table */
    /* The products matched, as whichever of two forms takes less memory:
     * their indexes ascending (idx), or a bit per product of the snapshot
     * (bits) with the number of postings before each 64-bit word (before).
     * hits[k] belongs to the k-th posting, in index order. */
    uint32_t n;
    uint32_t *idx;
    uint64_t *bits;
    uint32_t *before;
    float *hits;   /* souk_hits of each, with SEARCH_RANK_WEIGHTS */
    int64_t nhit;  /* rows FTS5 matched (those the snapshot lacks too) */
    int64_t nrow;  /* rows in products_fts */
    uint64_t used; /* for least recently used */
} mphrase_t;

/* A listing's facets with no text and no filter, kept per collection (0:
 * the whole catalog) once counted at a snapshot's version: they do not
 * depend on the sort or the page, and a collection's unfiltered pages are
 * most of a store's listing traffic. The lists hold dictionary numbers, in
 * list order. */
typedef struct mfacets {
    struct mfacets *next;
    int64_t coll_id;
    int64_t total, price_floor, price_ceiling, available_count;
    uint32_t n[3];
    struct {
        uint32_t v, count;
    } list[3][FACET_MAX_VALUES];
} mfacets_t;

/* Buckets of the facet table, and the listings kept at most. */
#define MIRROR_FACET_BUCKETS 64
#define MIRROR_FACET_ENTRIES 4096

/* Buckets of a snapshot's phrase table, and the bytes of postings it keeps
 * at most (the least recently used phrases go first): 4 bytes of hits per
 * product a phrase matches, plus 4 of index or, for a common phrase, a
 * bit set of 1.5 bits per product in the store; a word in one product in
 * eight of a million takes about 0.7 MB, so about 90 such words fit. */
#define MIRROR_PHRASE_BUCKETS 1024
#define MIRROR_PHRASE_BYTES ((size_t)64 << 20)

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
     * what searches found at this snapshot's version and kept for the next
     * ones. Phrase postings (text_made is signalled when a phrase being
     * read is done), and unfiltered listings' facets. */
    pthread_mutex_t memo_lock;
    pthread_cond_t text_made;
    mphrase_t *phrase[MIRROR_PHRASE_BUCKETS];
    size_t text_bytes;
    uint64_t text_clock, phrase_hits, phrase_misses;
    mfacets_t *facets[MIRROR_FACET_BUCKETS];
    size_t nfacets;
    uint64_t facet_hits;
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
    /* With a text query: its matches as product indexes (at most the
     * window's, newest first) and, sorted by relevance, each one's rank
     * (lower first). */
    bool text;
    const uint32_t *match_idx;
    const double *match_rank;
    size_t nmatch;
} mquery_t;

/* The statement that reads the catalog version (migration 0006). */
#define MIRROR_VERSION_SQL "SELECT v FROM catalog_version WHERE id = 1"

/* The matches of the text made of the FTS5 phrases phrase[0..n) (ANDed),
 * as FTS5 and souk_rank give them at s's version: the newest
 * CATALOG_SEARCH_WINDOW into mq's match fields (in a), *truncated if there
 * are more, ranks with rel. Each phrase's postings are read from db (the
 * search's connection) once per snapshot and kept (mphrase_t), so that a
 * text made of words searched before, in any combination, reads nothing
 * from the database: FTS5 reading a common word's matches newest first at a
 * million products costs milliseconds, intersecting kept postings tens of
 * microseconds. A phrase read while the catalog moved on serves this search
 * only. 0 or db's error. */
int mirror_text_matches(const mirror_snap_t *s, db_t *db, arena_t *a, const char *const *phrase,
                        size_t n, bool rel, mquery_t *mq, bool *truncated);

/* Free what s's phrase table holds (when s is freed). */
void mirror_text_free(mirror_snap_t *s);
/* Free what s's facet table holds (when s is freed). */
void mirror_facets_free(mirror_snap_t *s);

/* Answer mq from s: the total and, with q->want_facets, the facets into
 * out; the page's ids in order into *ids and *nids (in a). */
void mirror_search(const mirror_snap_t *s, arena_t *a, const mquery_t *mq, catalog_page_t *out,
                   int64_t **ids, size_t *nids);

#endif
