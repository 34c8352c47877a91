/* pagecache.c - the shared cache of anonymous pages (see pagecache.h).
 *
 * Sixteen shards, each a chained hash table with an LRU list under one
 * mutex: two to a few dozen event loops rarely meet on the same shard, and a
 * lookup holds the lock for a hash-chain walk and a list splice. Keys are
 * chosen by clients, so they are hashed with SipHash under a random key
 * (crypto_shorthash) to keep chains short against crafted collisions. Each
 * entry is one allocation: the struct, then its headers, strings and body. */
#include "http/pagecache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

#define PC_SHARDS 16
#define PC_MIN_BUCKETS 64

typedef struct entry entry_t;
struct entry {
    pagecache_page_t page; /* first: a page pointer is an entry pointer */
    entry_t *hnext;        /* hash chain */
    entry_t *lprev, *lnext;
    uint64_t hash, gen;
    int64_t expires_ms;
    size_t cost; /* bytes charged to the shard */
    atomic_int refs;
    const char *key;
    size_t klen;
};

typedef struct {
    pthread_mutex_t mu;
    entry_t **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    entry_t lru; /* sentinel: lru.lnext is the most recently used */
    size_t bytes;
} shard_t;

struct pagecache {
    shard_t shards[PC_SHARDS];
    size_t shard_max; /* bytes per shard */
    int ttl_s;
    _Atomic uint64_t gen;
    unsigned char hkey[crypto_shorthash_KEYBYTES];
    _Atomic uint64_t hits, misses, stores, evictions;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t key_hash(const pagecache_t *pc, const char *key, size_t klen)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, klen, pc->hkey);
    uint64_t v;
    memcpy(&v, h, sizeof(v));
    return v;
}

pagecache_t *pagecache_new(size_t max_bytes, int ttl_s)
{
    ASSERT(ttl_s > 0);
    pagecache_t *pc = xcalloc(1, sizeof(*pc));
    pc->shard_max = max_bytes / PC_SHARDS;
    pc->ttl_s = ttl_s;
    randombytes_buf(pc->hkey, sizeof(pc->hkey));
    for (int i = 0; i < PC_SHARDS; i++) {
        shard_t *s = &pc->shards[i];
        pthread_mutex_init(&s->mu, NULL);
        s->nbuckets = PC_MIN_BUCKETS;
        s->buckets = xcalloc(s->nbuckets, sizeof(*s->buckets));
        s->lru.lnext = s->lru.lprev = &s->lru;
    }
    return pc;
}

bool pagecache_enabled(const pagecache_t *pc)
{
    return pc->shard_max > 0;
}

static void entry_unref(entry_t *e)
{
    if (atomic_fetch_sub(&e->refs, 1) == 1)
        free(e);
}

/* Take e out of its shard (lock held) and drop the shard's reference. */
static void shard_drop(shard_t *s, entry_t *e)
{
    entry_t **pp = &s->buckets[(e->hash >> 4) & (s->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    e->lprev->lnext = e->lnext;
    e->lnext->lprev = e->lprev;
    s->count--;
    s->bytes -= e->cost;
    entry_unref(e);
}

static void shard_clear(shard_t *s)
{
    while (s->lru.lnext != &s->lru)
        shard_drop(s, s->lru.lnext);
}

void pagecache_free(pagecache_t *pc)
{
    if (pc == NULL)
        return;
    for (int i = 0; i < PC_SHARDS; i++) {
        shard_clear(&pc->shards[i]);
        free(pc->shards[i].buckets);
        pthread_mutex_destroy(&pc->shards[i].mu);
    }
    free(pc);
}

uint64_t pagecache_generation(const pagecache_t *pc)
{
    return atomic_load(&((pagecache_t *)pc)->gen);
}

void pagecache_invalidate(pagecache_t *pc)
{
    atomic_fetch_add(&pc->gen, 1);
    for (int i = 0; i < PC_SHARDS; i++) {
        shard_t *s = &pc->shards[i];
        pthread_mutex_lock(&s->mu);
        shard_clear(s);
        pthread_mutex_unlock(&s->mu);
    }
}

static entry_t *shard_find(shard_t *s, uint64_t h, const char *key, size_t klen)
{
    for (entry_t *e = s->buckets[(h >> 4) & (s->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e;
    return NULL;
}

const pagecache_page_t *pagecache_get(pagecache_t *pc, const char *key, size_t klen)
{
    if (!pagecache_enabled(pc))
        return NULL;
    uint64_t h = key_hash(pc, key, klen);
    shard_t *s = &pc->shards[h % PC_SHARDS];
    entry_t *hit = NULL;
    pthread_mutex_lock(&s->mu);
    entry_t *e = shard_find(s, h, key, klen);
    if (e != NULL) {
        if (e->gen != atomic_load(&pc->gen) || e->expires_ms <= now_ms()) {
            shard_drop(s, e);
        } else {
            atomic_fetch_add(&e->refs, 1);
            e->lprev->lnext = e->lnext; /* to the front of the LRU list */
            e->lnext->lprev = e->lprev;
            e->lnext = s->lru.lnext;
            e->lprev = &s->lru;
            s->lru.lnext->lprev = e;
            s->lru.lnext = e;
            hit = e;
        }
    }
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(hit ? &pc->hits : &pc->misses, 1);
    return hit ? &hit->page : NULL;
}

void pagecache_release(pagecache_t *pc, const pagecache_page_t *page)
{
    UNUSED(pc);
    if (page != NULL)
        entry_unref((entry_t *)page);
}

/* Copy n bytes of src to *p, NUL-terminated; returns the copy. */
static char *carve(char **p, const char *src, size_t n)
{
    char *dst = *p;
    memcpy(dst, src, n);
    dst[n] = '\0';
    *p += n + 1;
    return dst;
}

static size_t str_cost(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static void shard_grow(shard_t *s)
{
    size_t n = s->nbuckets * 2;
    entry_t **b = xcalloc(n, sizeof(*b));
    for (size_t i = 0; i < s->nbuckets; i++) {
        entry_t *e = s->buckets[i];
        while (e) {
            entry_t *next = e->hnext;
            size_t j = (e->hash >> 4) & (n - 1);
            e->hnext = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

bool pagecache_put(pagecache_t *pc, const char *key, size_t klen, uint64_t gen,
                   const pagecache_page_t *page)
{
    if (!pagecache_enabled(pc) || gen != atomic_load(&pc->gen))
        return false;
    /* One allocation: entry, header array, then every string and the body. */
    size_t cost = sizeof(entry_t) + page->nheaders * sizeof(pagecache_header_t);
    cost = st_add(cost, klen + 1);
    cost = st_add(cost, page->len + 1);
    cost += str_cost(page->content_type) + str_cost(page->cache_control) + str_cost(page->etag);
    for (size_t i = 0; i < page->nheaders; i++)
        cost += str_cost(page->headers[i].name) + str_cost(page->headers[i].value);
    if (cost > pc->shard_max / 8)
        return false;

    entry_t *e = xmalloc(cost);
    memset(e, 0, sizeof(*e));
    pagecache_header_t *hdrs = (pagecache_header_t *)(e + 1);
    _Static_assert(sizeof(entry_t) % alignof(pagecache_header_t) == 0, "header array alignment");
    char *p = (char *)(hdrs + page->nheaders);
    e->key = carve(&p, key, klen);
    e->klen = klen;
    e->page.content_type = carve(&p, page->content_type, strlen(page->content_type));
    e->page.cache_control = carve(&p, page->cache_control, strlen(page->cache_control));
    e->page.etag = page->etag ? carve(&p, page->etag, strlen(page->etag)) : NULL;
    for (size_t i = 0; i < page->nheaders; i++) {
        hdrs[i].name = carve(&p, page->headers[i].name, strlen(page->headers[i].name));
        hdrs[i].value = carve(&p, page->headers[i].value, strlen(page->headers[i].value));
    }
    e->page.headers = hdrs;
    e->page.nheaders = page->nheaders;
    e->page.body = carve(&p, page->body, page->len);
    e->page.len = page->len;
    ASSERT((size_t)(p - (char *)e) == cost);
    e->hash = key_hash(pc, key, klen);
    e->gen = gen;
    e->expires_ms = now_ms() + (int64_t)pc->ttl_s * 1000;
    e->cost = cost;
    atomic_init(&e->refs, 1);

    shard_t *s = &pc->shards[e->hash % PC_SHARDS];
    uint64_t evicted = 0;
    pthread_mutex_lock(&s->mu);
    entry_t *old = shard_find(s, e->hash, key, klen);
    if (old)
        shard_drop(s, old);
    while (s->bytes + cost > pc->shard_max && s->lru.lprev != &s->lru) {
        shard_drop(s, s->lru.lprev);
        evicted++;
    }
    if (s->count >= s->nbuckets)
        shard_grow(s);
    entry_t **b = &s->buckets[(e->hash >> 4) & (s->nbuckets - 1)];
    e->hnext = *b;
    *b = e;
    e->lnext = s->lru.lnext;
    e->lprev = &s->lru;
    s->lru.lnext->lprev = e;
    s->lru.lnext = e;
    s->count++;
    s->bytes += cost;
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&pc->stores, 1);
    atomic_fetch_add(&pc->evictions, evicted);
    return true;
}

void pagecache_stats(pagecache_t *pc, pagecache_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    out->hits = atomic_load(&pc->hits);
    out->misses = atomic_load(&pc->misses);
    out->stores = atomic_load(&pc->stores);
    out->evictions = atomic_load(&pc->evictions);
    for (int i = 0; i < PC_SHARDS; i++) {
        shard_t *s = &pc->shards[i];
        pthread_mutex_lock(&s->mu);
        out->bytes += s->bytes;
        out->entries += s->count;
        pthread_mutex_unlock(&s->mu);
    }
}
