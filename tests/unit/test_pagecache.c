/* test_pagecache.c - the shared page cache: what is stored is what comes
 * back, a new generation hides everything older, memory stays within its
 * bound, and a page being sent outlives its eviction. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "http/pagecache.h"

static pagecache_page_t page_of(const char *body)
{
    static const pagecache_header_t hdrs[] = {{"etag", "\"abc\""}, {"vary", "accept-encoding"}};
    return (pagecache_page_t){
        .content_type = "text/html; charset=utf-8",
        .cache_control = "public, max-age=60",
        .etag = "\"abc\"",
        .headers = hdrs,
        .nheaders = 2,
        .body = body,
        .len = strlen(body),
    };
}

TEST(pagecache_returns_what_was_stored)
{
    pagecache_t *pc = pagecache_new(1 << 20, 60);
    CHECK(pagecache_get(pc, "i/a", 3) == NULL);
    pagecache_page_t in = page_of("<h1>A</h1>");
    CHECK(pagecache_put(pc, "i/a", 3, pagecache_generation(pc), &in));
    const pagecache_page_t *out = pagecache_get(pc, "i/a", 3);
    CHECK(out != NULL);
    if (out) {
        CHECK_STR(out->body, "<h1>A</h1>");
        CHECK_INT(out->len, 10);
        CHECK_STR(out->content_type, "text/html; charset=utf-8");
        CHECK_STR(out->cache_control, "public, max-age=60");
        CHECK_STR(out->etag, "\"abc\"");
        CHECK_INT(out->nheaders, 2);
        CHECK_STR(out->headers[1].name, "vary");
        CHECK_STR(out->headers[1].value, "accept-encoding");
        pagecache_release(pc, out);
    }
    /* Keys differ by their encoding byte and by the query. */
    CHECK(pagecache_get(pc, "g/a", 3) == NULL);
    CHECK(pagecache_get(pc, "i/a?x", 5) == NULL);
    pagecache_stats_t st;
    pagecache_stats(pc, &st);
    CHECK_INT(st.hits, 1);
    CHECK_INT(st.misses, 3);
    CHECK_INT(st.entries, 1);
    pagecache_free(pc);
}

TEST(pagecache_replaces_a_page_under_the_same_key)
{
    pagecache_t *pc = pagecache_new(1 << 20, 60);
    pagecache_page_t a = page_of("old"), b = page_of("new");
    CHECK(pagecache_put(pc, "k", 1, 0, &a));
    CHECK(pagecache_put(pc, "k", 1, 0, &b));
    const pagecache_page_t *out = pagecache_get(pc, "k", 1);
    CHECK(out && strcmp(out->body, "new") == 0);
    pagecache_release(pc, out);
    pagecache_stats_t st;
    pagecache_stats(pc, &st);
    CHECK_INT(st.entries, 1);
    pagecache_free(pc);
}

TEST(pagecache_invalidate_hides_older_pages)
{
    pagecache_t *pc = pagecache_new(1 << 20, 60);
    pagecache_page_t in = page_of("v1");
    uint64_t g0 = pagecache_generation(pc);
    CHECK(pagecache_put(pc, "k", 1, g0, &in));
    pagecache_invalidate(pc);
    CHECK(pagecache_generation(pc) != g0);
    CHECK(pagecache_get(pc, "k", 1) == NULL);
    /* A page computed from data read before the write is refused. */
    CHECK(!pagecache_put(pc, "k", 1, g0, &in));
    CHECK(pagecache_get(pc, "k", 1) == NULL);
    CHECK(pagecache_put(pc, "k", 1, pagecache_generation(pc), &in));
    const pagecache_page_t *out = pagecache_get(pc, "k", 1);
    CHECK(out != NULL);
    pagecache_release(pc, out);
    pagecache_free(pc);
}

TEST(pagecache_held_page_survives_invalidation)
{
    pagecache_t *pc = pagecache_new(1 << 20, 60);
    pagecache_page_t in = page_of("being sent");
    CHECK(pagecache_put(pc, "k", 1, 0, &in));
    const pagecache_page_t *held = pagecache_get(pc, "k", 1);
    CHECK(held != NULL);
    pagecache_invalidate(pc); /* drops the cache's reference, not ours */
    if (held) {
        CHECK_STR(held->body, "being sent"); /* ASan would flag a freed body */
        pagecache_release(pc, held);
    }
    pagecache_free(pc);
}

TEST(pagecache_stays_within_its_bytes)
{
    const size_t max = 256 * 1024;
    pagecache_t *pc = pagecache_new(max, 60);
    char body[1024];
    memset(body, 'x', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    pagecache_page_t in = page_of(body);
    for (int i = 0; i < 2000; i++) {
        char key[32];
        int n = snprintf(key, sizeof(key), "i/products/p%d", i);
        CHECK(pagecache_put(pc, key, (size_t)n, 0, &in));
    }
    pagecache_stats_t st;
    pagecache_stats(pc, &st);
    CHECK(st.bytes <= max);
    CHECK(st.evictions > 0);
    CHECK(st.entries > 100); /* and it still holds a fair share */
    /* The most recent page is there; the first one went first. */
    CHECK(pagecache_get(pc, "i/products/p0", 13) == NULL);
    const pagecache_page_t *last = pagecache_get(pc, "i/products/p1999", 16);
    CHECK(last != NULL);
    pagecache_release(pc, last);
    pagecache_free(pc);
}

TEST(pagecache_refuses_a_page_too_large)
{
    pagecache_t *pc = pagecache_new(64 * 1024, 60); /* shards of 4 KiB: pages up to 512 B */
    char body[600];
    memset(body, 'y', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    pagecache_page_t in = page_of(body);
    CHECK(!pagecache_put(pc, "k", 1, 0, &in));
    pagecache_page_t small = page_of("small");
    CHECK(pagecache_put(pc, "k", 1, 0, &small));
    pagecache_free(pc);
}

TEST(pagecache_off_stores_nothing)
{
    pagecache_t *pc = pagecache_new(0, 60);
    CHECK(!pagecache_enabled(pc));
    pagecache_page_t in = page_of("x");
    CHECK(!pagecache_put(pc, "k", 1, 0, &in));
    CHECK(pagecache_get(pc, "k", 1) == NULL);
    pagecache_free(pc);
}

/* Readers, writers and invalidations on several threads at once. make test
 * runs this under ASan: nothing may be freed while held, and every page
 * read must be whole. */
static pagecache_t *shared_pc;

static void *hammer(void *arg)
{
    int id = (int)(intptr_t)arg;
    char key[32], body[64];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(key, sizeof(key), "k%d", i % 97);
        if ((i + id) % 3 == 0) {
            snprintf(body, sizeof(body), "body of %s", key);
            pagecache_page_t in = page_of(body);
            pagecache_put(shared_pc, key, (size_t)n, pagecache_generation(shared_pc), &in);
        } else if (i % 1001 == 0) {
            pagecache_invalidate(shared_pc);
        } else {
            const pagecache_page_t *p = pagecache_get(shared_pc, key, (size_t)n);
            if (p) {
                char want[64];
                snprintf(want, sizeof(want), "body of %s", key);
                if (strcmp(p->body, want) != 0)
                    test_fail(__FILE__, __LINE__, "page under %s holds \"%s\"", key, p->body);
                pagecache_release(shared_pc, p);
            }
        }
    }
    return NULL;
}

TEST(pagecache_threads_share_it_safely)
{
    shared_pc = pagecache_new(64 * 1024, 60);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    pagecache_stats_t st;
    pagecache_stats(shared_pc, &st);
    CHECK(st.hits > 0);
    CHECK(st.bytes <= 64 * 1024);
    pagecache_free(shared_pc);
}

TEST(pagecache_pages_expire)
{
    pagecache_t *pc = pagecache_new(1 << 20, 1);
    pagecache_page_t in = page_of("short-lived");
    CHECK(pagecache_put(pc, "k", 1, 0, &in));
    const pagecache_page_t *p = pagecache_get(pc, "k", 1);
    CHECK(p != NULL);
    pagecache_release(pc, p);
    struct timespec ts = {1, 100 * 1000000L};
    nanosleep(&ts, NULL);
    CHECK(pagecache_get(pc, "k", 1) == NULL);
    pagecache_free(pc);
}
