/* server_int.h - the structures shared by server.c, ctx.c, workers.c and
 * static.c. Not for handlers: they use http.h. */
#ifndef SOUK_HTTP_SERVER_INT_H
#define SOUK_HTTP_SERVER_INT_H

#include <h2o.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/cookie.h"
#include "http/http.h"
#include "http/pagecache.h"
#include "http/router.h"
#include "http/static.h"

#define HTTP_MAX_RESP_HEADERS 32
#define HTTP_GZIP_MIN_BYTES 256

typedef struct server server_t;
typedef struct loop_thread loop_thread_t;

typedef struct {
    const char *name; /* lowercase */
    const char *value;
} http_hdr_t;

struct http_ctx {
    h2o_multithread_message_t msg; /* completion, worker -> loop (first member) */
    arena_t arena;
    server_t *srv;
    loop_thread_t *thread; /* the event loop that owns the h2o request */
    db_t *db;              /* set while running on a worker */

    /* The request: a copy that stays valid if the client goes away. */
    const http_route_t *route;
    const char *method;
    const char *path;
    const char *query; /* without '?'; NULL if none */
    size_t query_len;
    route_match_t match;
    const char *param_values[ROUTER_MAX_PARAMS]; /* decoded, lazily */
    http_hdr_t *headers;
    size_t nheaders;
    const char *body;
    size_t body_len;
    char request_id[68];
    char client_addr[64];
    bool is_head;

    /* Parsed on first use. */
    bool query_done, form_done, cookies_done;
    int query_rc, form_rc;
    form_t *query_form;
    form_t *body_form;
    json_t *json;
    cookie_jar_t *cookies;

    /* The response. */
    int status;
    const char *content_type;
    const char *cache_control;
    bool no_etag;
    bool gzipped;
    http_hdr_t resp_headers[HTTP_MAX_RESP_HEADERS];
    size_t nresp_headers;
    buf_t out;

    /* The page cache: the key this response is stored under when it may be
     * (NULL: not a candidate) and the generation read before the handler ran. */
    const char *cache_key;
    size_t cache_klen;
    uint64_t cache_gen;

    /* Loop-thread bookkeeping: req is NULL once h2o has freed the request. */
    h2o_req_t *req;
    http_ctx_t **guard;
    uint64_t start_ns;
};

/* ctx.c */
http_ctx_t *ctx_new(server_t *srv, loop_thread_t *th, h2o_req_t *req, const route_match_t *m,
                    const char *request_id);
/* Run the route's handler and settle the response (error mapping, ETag, 304). */
void ctx_run(http_ctx_t *c);
/* Set an error response on a context that has no route (404, 405, 431...). */
void ctx_error(http_ctx_t *c, int status, const char *detail);
void ctx_free(http_ctx_t *c);

/* Does an If-None-Match list name etag (weak comparison, "*" matches all)? */
bool http_etag_matches(const char *inm, const char *etag);
/* Does an Accept-Encoding value allow gzip ("gzip" listed without q=0)? */
bool http_accepts_gzip(const char *v, size_t len);

/* server.c */
/* Hand a finished context back to its event loop (any thread). */
void server_complete(http_ctx_t *c);
const config_t *server_config(const server_t *srv);
void *server_app(const server_t *srv);
pagecache_t *server_pagecache(const server_t *srv);

/* cache_watch.c: a thread that empties the page cache when another
 * connection or process commits to the database (db_watch). */
typedef struct cache_watch cache_watch_t;
cache_watch_t *cache_watch_start(const config_t *cfg, pagecache_t *pages);
void cache_watch_stop(cache_watch_t *w);

/* workers.c: a pool of threads, each with its own database connection. */
typedef struct workers workers_t;
/* Open n connections and start n threads. NULL (logged) if a connection fails. */
workers_t *workers_start(const config_t *cfg, int n, int queue_max);
/* Queue c; its handler runs on a worker, then server_complete(c).
 * SOUK_EBUSY if the queue is full (answer 503). */
int workers_submit(workers_t *w, http_ctx_t *c);
/* Run the remaining queued jobs, stop the threads, close the connections. */
void workers_stop(workers_t *w);

#endif
