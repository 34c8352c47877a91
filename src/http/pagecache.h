/* pagecache.h - anonymous pages kept in memory and answered from the event
 * loop (DESIGN §3: "static asset or cached anonymous page: answer now").
 *
 * The server stores a response here when the request carried no cookie and
 * no credentials, and the handler made it a 200 with a "public"
 * Cache-Control. The next request for the same path and query (and the same
 * encoding, gzip or not) is answered from memory without a database worker.
 *
 * Freshness: the cache has a generation, bumped by every catalog write of
 * this process (routes flagged ROUTE_PURGE) and by the watcher thread when
 * another process or instance commits (db_watch). A page remembers the
 * generation read before its handler ran and is never served once the
 * generation has moved on; a time to live bounds what a missed notice could
 * leave behind.
 *
 * Shared by all threads: the table is split into shards, each with its own
 * mutex; an entry handed out is reference-counted, so eviction never frees a
 * body h2o is still sending. Bounded in bytes; the least recently used page
 * of a shard goes first. */
#ifndef SOUK_HTTP_PAGECACHE_H
#define SOUK_HTTP_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pagecache pagecache_t;

typedef struct {
    const char *name; /* lowercase */
    const char *value;
} pagecache_header_t;

/* A stored response; read-only for whoever holds a reference. */
typedef struct {
    const char *content_type;
    const char *cache_control;
    const char *etag; /* NULL if the response had none */
    const pagecache_header_t *headers;
    size_t nheaders;
    const char *body;
    size_t len;
} pagecache_page_t;

typedef struct {
    uint64_t hits, misses, stores, evictions, bytes, entries;
} pagecache_stats_t;

/* A cache of at most max_bytes (bodies, headers, keys and bookkeeping),
 * whose pages live at most ttl_s seconds. max_bytes 0: a cache that stores
 * nothing and always misses. Owned by the caller: pagecache_free(). */
pagecache_t *pagecache_new(size_t max_bytes, int ttl_s);
void pagecache_free(pagecache_t *pc);
bool pagecache_enabled(const pagecache_t *pc);

/* The current generation: read it before computing a page to store. */
uint64_t pagecache_generation(const pagecache_t *pc);
/* Everything stored so far is stale: bump the generation and free what no
 * one is sending. Any thread. */
void pagecache_invalidate(pagecache_t *pc);

/* The page stored under key, if fresh, with a reference the caller gives
 * back with pagecache_release(); NULL on a miss. */
const pagecache_page_t *pagecache_get(pagecache_t *pc, const char *key, size_t klen);
void pagecache_release(pagecache_t *pc, const pagecache_page_t *page);

/* Store a copy of page under key, made from data read at generation gen.
 * Not stored (false) if gen is no longer current, or the page is too large
 * for the cache (more than an eighth of a shard). Replaces an older page
 * under the same key. */
bool pagecache_put(pagecache_t *pc, const char *key, size_t klen, uint64_t gen,
                   const pagecache_page_t *page);

void pagecache_stats(pagecache_t *pc, pagecache_stats_t *out);

#endif
