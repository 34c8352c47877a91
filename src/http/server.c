/* server.c - event-loop threads on libh2o (see server.h).
 *
 * Each of N threads owns an h2o context, an event loop and its own
 * SO_REUSEPORT listener, so the kernel spreads connections over the threads
 * and nothing on the request path is shared but the read-only route table,
 * the static files and the worker queue. A request goes:
 *   limits -> path checks -> static file? -> route -> context copy ->
 *   handler (inline, or on a database worker) -> response on its loop.
 * On SIGTERM/SIGINT the main thread closes the listeners, asks h2o to end
 * keep-alive, waits for the requests in flight and returns. */
#include "http/server.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "http/server_int.h"

#define ACCESS_LOG_FLUSH_BYTES 32768
#define ACCESS_LOG_FLUSH_MS 100

struct loop_thread {
    server_t *srv;
    int index;
    pthread_t tid;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    int listen_fd;
    h2o_socket_t *listener;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t done; /* finished contexts from workers */
    h2o_multithread_receiver_t ctl;  /* shutdown request from the main thread */
    buf_t log;
    h2o_timeout_t log_timeout;
    h2o_timeout_entry_t log_entry;
    uint64_t rid_prefix, rid_seq;
    atomic_int inflight;
    atomic_bool exit;
};

struct server {
    const config_t *cfg;
    h2o_globalconf_t gconf;
    router_t *router;
    const static_files_t *statics;
    workers_t *workers;
    loop_thread_t *threads;
    int nthreads;
    pagecache_t *pages;
    cache_watch_t *watch;
    void *app; /* server_run's caller's, for http_app() */
};

/* Kept reachable for the life of the process: the h2o contexts are not torn
 * down at exit (connections may still be open), and this keeps LeakSanitizer
 * quiet about them without hiding leaks of per-request memory. */
static server_t *volatile the_server;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const config_t *server_config(const server_t *srv)
{
    return srv->cfg;
}

void *server_app(const server_t *srv)
{
    return srv->app;
}

/* ---- access log: one JSON line per request, buffered per thread ---- */

pagecache_t *server_pagecache(const server_t *srv)
{
    return srv->pages;
}

static void log_flush(loop_thread_t *th)
{
    if (th->log.len == 0)
        return;
    /* The buffer holds whole lines; write them in one call without the last '\n'
     * (log_write_line adds it). */
    log_write_line(th->log.data, th->log.len - 1);
    buf_reset(&th->log);
}

static void on_log_timeout(h2o_timeout_entry_t *entry)
{
    loop_thread_t *th = H2O_STRUCT_FROM_MEMBER(loop_thread_t, log_entry, entry);
    log_flush(th);
}

static void access_log(loop_thread_t *th, const char *rid, const char *method, size_t mlen,
                       const char *path, size_t plen, int status, size_t bytes, uint64_t start,
                       const char *client)
{
    if (!th->srv->cfg->access_log)
        return;
    char t[32];
    log_time_iso(t);
    buf_t *b = &th->log;
    buf_printf(b, "{\"time\":\"%s\",\"type\":\"access\",\"request_id\":\"", t);
    buf_json_str(b, rid, strlen(rid));
    buf_puts(b, "\",\"method\":\"");
    buf_json_str(b, method, mlen);
    buf_puts(b, "\",\"path\":\"");
    buf_json_str(b, path, plen < 2048 ? plen : 2048);
    buf_printf(b, "\",\"status\":%d,\"bytes\":%zu,\"duration_ms\":%.3f,\"client\":\"", status,
               bytes, (double)(now_ns() - start) / 1e6);
    buf_json_str(b, client, strlen(client));
    buf_puts(b, "\"}\n");
    if (b->len >= ACCESS_LOG_FLUSH_BYTES)
        log_flush(th);
    else if (!h2o_timeout_is_linked(&th->log_entry))
        h2o_timeout_link(th->ctx.loop, &th->log_timeout, &th->log_entry);
}

/* ---- request ids ---- */

static bool request_id_ok(const char *s, size_t len)
{
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == ':'))
            return false;
    }
    return true;
}

static void make_request_id(loop_thread_t *th, h2o_req_t *req, char out[68])
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-id"), -1);
    if (i >= 0 &&
        request_id_ok(req->headers.entries[i].value.base, req->headers.entries[i].value.len)) {
        memcpy(out, req->headers.entries[i].value.base, req->headers.entries[i].value.len);
        out[req->headers.entries[i].value.len] = '\0';
        return;
    }
    /* Unique, not secret: a random per-thread prefix and a counter. */
    snprintf(out, 68, "%016llx%08llx", (unsigned long long)th->rid_prefix,
             (unsigned long long)(++th->rid_seq & 0xffffffffu));
}

/* ---- sending ---- */

static void add_security_headers(h2o_req_t *req, bool html)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0,
                          NULL, H2O_STRLIT("nosniff"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
                          H2O_STRLIT("strict-origin-when-cross-origin"));
    if (html) {
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-frame-options"), 0, NULL,
                              H2O_STRLIT("DENY"));
        h2o_add_header_by_str(
            &req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0, NULL,
            H2O_STRLIT("default-src 'self'; img-src 'self' data: https:; object-src 'none'; "
                       "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"));
    }
}

static bool header_value_ok(const char *v)
{
    for (; *v; v++)
        if (*v == '\r' || *v == '\n' || *v == '\0')
            return false;
    return true;
}

/* Send c's response on its h2o request (event loop only) and free c. A 204
 * or 304 carries no body and no Content-Type. */
static void respond(http_ctx_t *c)
{
    loop_thread_t *th = c->thread;
    h2o_req_t *req = c->req;
    if (req == NULL) {
        log_info("request %s %s %s: client went away before the response", c->request_id, c->method,
                 c->path);
        ctx_free(c);
        atomic_fetch_sub(&th->inflight, 1);
        return;
    }
    *c->guard = NULL; /* the request outlives c from here on */
    req->res.status = c->status;
    req->res.reason = http_reason(c->status);
    const char *ct = c->content_type ? c->content_type : "text/html; charset=utf-8";
    if (c->status != 304 && c->status != 204)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct, strlen(ct));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, c->cache_control,
                   strlen(c->cache_control));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          c->request_id, strlen(c->request_id));
    for (size_t i = 0; i < c->nresp_headers; i++) {
        const http_hdr_t *h = &c->resp_headers[i];
        if (!header_value_ok(h->value)) {
            log_error("request %s: dropped response header %s with a line break", c->request_id,
                      h->name);
            continue;
        }
        h2o_add_header_by_str(&req->pool, &req->res.headers, h->name, strlen(h->name), 1, NULL,
                              h->value, strlen(h->value));
    }
    if (c->cache_key)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-cache"), 0, NULL,
                              H2O_STRLIT("miss"));
    add_security_headers(req, strncmp(ct, "text/html", 9) == 0);
    size_t bytes = c->status == 304 || c->status == 204 ? 0 : c->out.len;
    access_log(th, c->request_id, c->method, strlen(c->method), c->path, strlen(c->path), c->status,
               bytes, c->start_ns, c->client_addr);
    /* A 304 carries no Content-Length: it would describe the 200 body. */
    req->res.content_length = c->status == 304 || c->status == 204 ? SIZE_MAX : bytes;
    h2o_send_inline(req, buf_cstr(&c->out), bytes);
    ctx_free(c);
    atomic_fetch_sub(&th->inflight, 1);
}

/* Called by h2o when the request's pool is released (the response was sent,
 * or the client went away first). */
static void on_req_dispose(void *p)
{
    http_ctx_t **guard = p;
    if (*guard)
        (*guard)->req = NULL;
}

void server_complete(http_ctx_t *c)
{
    h2o_multithread_send_message(&c->thread->done, &c->msg);
}

static void on_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        http_ctx_t *c = H2O_STRUCT_FROM_MEMBER(http_ctx_t, msg.link, messages->next);
        h2o_linklist_unlink(&c->msg.link);
        respond(c);
    }
}

/* Answer at once from the event loop with an error of our own. */
static void respond_error(loop_thread_t *th, h2o_req_t *req, const char *rid, int status,
                          const char *detail, const char *allow)
{
    http_ctx_t *c = ctx_new(th->srv, th, req, NULL, rid);
    c->start_ns = now_ns();
    c->guard = h2o_mem_alloc_shared(&req->pool, sizeof(*c->guard), on_req_dispose);
    *c->guard = c;
    ctx_error(c, status, detail);
    if (allow)
        http_add_header(c, "allow", allow);
    if (status == 503)
        http_add_header(c, "retry-after", "1");
    atomic_fetch_add(&th->inflight, 1);
    respond(c);
}

static bool accepts_gzip(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_ENCODING, -1);
    return i >= 0 &&
           http_accepts_gzip(req->headers.entries[i].value.base, req->headers.entries[i].value.len);
}

static void send_static(loop_thread_t *th, h2o_req_t *req, const char *rid, const static_file_t *f,
                        bool immutable, uint64_t start)
{
    static h2o_generator_t gen = {NULL, NULL};
    bool gz = f->gz_data && accepts_gzip(req);
    ssize_t inm = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1);
    bool not_modified = false;
    if (inm >= 0) {
        char *list = h2o_mem_alloc_pool(&req->pool, req->headers.entries[inm].value.len + 1);
        memcpy(list, req->headers.entries[inm].value.base, req->headers.entries[inm].value.len);
        list[req->headers.entries[inm].value.len] = '\0';
        not_modified = http_etag_matches(list, f->etag);
    }
    req->res.status = not_modified ? 304 : 200;
    req->res.reason = not_modified ? "Not Modified" : "OK";
    if (!not_modified)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, f->mime,
                       strlen(f->mime));
    const char *cc =
        immutable ? "public, max-age=31536000, immutable" : "public, max-age=300, must-revalidate";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, cc, strlen(cc));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, f->etag, strlen(f->etag));
    if (f->gz_data)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL,
                       H2O_STRLIT("accept-encoding"));
    if (gz && !not_modified)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL,
                       H2O_STRLIT("gzip"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, rid,
                          strlen(rid));
    add_security_headers(req, false);
    h2o_iovec_t body = not_modified ? h2o_iovec_init("", 0)
                       : gz         ? h2o_iovec_init(f->gz_data, f->gz_len)
                                    : h2o_iovec_init(f->data, f->len);
    req->res.content_length = not_modified ? SIZE_MAX : body.len;
    char client[64] = "-";
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl)
        h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, client);
    access_log(th, rid, req->method.base, req->method.len, req->path.base,
               req->query_at != SIZE_MAX ? req->query_at : req->path.len, req->res.status, body.len,
               start, client);
    /* The file data lives as long as the server: send it without a copy. */
    h2o_start_response(req, &gen);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

/* ---- the page cache ---- */

/* May this request be answered from, and its response stored in, the page
 * cache? Only an anonymous GET or HEAD: a cookie or credentials may change
 * the page (and will, once shoppers sign in), so those go to the handler. */
static bool cache_candidate(const server_t *srv, h2o_req_t *req, const http_route_t *route)
{
    if (!pagecache_enabled(srv->pages) || (route->flags & ROUTE_INLINE))
        return false;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        return false;
    return h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, -1) < 0 &&
           h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1) < 0;
}

typedef struct {
    pagecache_t *pc;
    const pagecache_page_t *page;
} cache_ref_t;

static void on_cache_ref_dispose(void *p)
{
    cache_ref_t *ref = p;
    pagecache_release(ref->pc, ref->page);
}

/* Answer from a cached page (event loop); takes over the reference. */
static void send_cached(loop_thread_t *th, h2o_req_t *req, const char *rid,
                        const pagecache_page_t *page, uint64_t start)
{
    static h2o_generator_t gen = {NULL, NULL};
    /* The body is sent without a copy: the reference is given back when h2o
     * releases the request, after the last byte went out. */
    cache_ref_t *ref = h2o_mem_alloc_shared(&req->pool, sizeof(*ref), on_cache_ref_dispose);
    ref->pc = th->srv->pages;
    ref->page = page;
    bool not_modified = false;
    ssize_t inm = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1);
    if (inm >= 0 && page->etag) {
        char *list = h2o_mem_alloc_pool(&req->pool, req->headers.entries[inm].value.len + 1);
        memcpy(list, req->headers.entries[inm].value.base, req->headers.entries[inm].value.len);
        list[req->headers.entries[inm].value.len] = '\0';
        not_modified = http_etag_matches(list, page->etag);
    }
    req->res.status = not_modified ? 304 : 200;
    req->res.reason = not_modified ? "Not Modified" : "OK";
    if (!not_modified)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                       page->content_type, strlen(page->content_type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   page->cache_control, strlen(page->cache_control));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, rid,
                          strlen(rid));
    for (size_t i = 0; i < page->nheaders; i++) {
        const pagecache_header_t *h = &page->headers[i];
        if (not_modified && strcmp(h->name, "content-encoding") == 0)
            continue;
        /* Stored headers were checked for line breaks when first sent. */
        h2o_add_header_by_str(&req->pool, &req->res.headers, h->name, strlen(h->name), 0, NULL,
                              h->value, strlen(h->value));
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-cache"), 0, NULL,
                          H2O_STRLIT("hit"));
    add_security_headers(req, strncmp(page->content_type, "text/html", 9) == 0);
    h2o_iovec_t body = not_modified ? h2o_iovec_init("", 0) : h2o_iovec_init(page->body, page->len);
    req->res.content_length = not_modified ? SIZE_MAX : body.len;
    char client[64] = "-";
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl)
        h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, client);
    access_log(th, rid, req->method.base, req->method.len, req->path.base,
               req->query_at != SIZE_MAX ? req->query_at : req->path.len, req->res.status, body.len,
               start, client);
    h2o_start_response(req, &gen);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
    else
        h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

/* A path we refuse before routing: control bytes, or a dot segment written
 * plainly or percent-encoded ("/../", "/%2e%2E/"). */
static bool path_is_suspicious(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
            return true;
    size_t i = 0;
    while (i < len) {
        if (p[i] != '/') {
            i++;
            continue;
        }
        size_t s = ++i, dots = 0;
        while (i < len && p[i] != '/') {
            if (p[i] == '.')
                dots++;
            else if (p[i] == '%' && i + 2 < len && p[i + 1] == '2' &&
                     (p[i + 2] == 'e' || p[i + 2] == 'E')) {
                dots++;
                i += 2;
            } else {
                dots = 99;
            }
            i++;
        }
        if (i > s && dots <= 2)
            return true;
    }
    return false;
}

/* The checks every request passes before anything else looks at it: header
 * count and size, body size, the shape of the path. true if it was refused
 * (the error response is on its way). */
static bool refuse_bad_request(loop_thread_t *th, h2o_req_t *req, const char *rid)
{
    const config_t *cfg = th->srv->cfg;
    /* h2o keeps Host apart from the other fields (as the authority); count it. */
    size_t nheaders = req->headers.size, header_bytes = 0;
    if (req->input.authority.len > 0) {
        nheaders++;
        header_bytes += strlen("host") + req->input.authority.len;
    }
    for (size_t i = 0; i < req->headers.size; i++)
        header_bytes += req->headers.entries[i].name->len + req->headers.entries[i].value.len;
    if (nheaders > (size_t)cfg->max_headers) {
        log_warn("request %s: %zu header fields, over the limit of %d", rid, nheaders,
                 cfg->max_headers);
        respond_error(th, req, rid, 431, "too many header fields", NULL);
        return true;
    }
    if (header_bytes > (size_t)cfg->max_header_bytes) {
        log_warn("request %s: %zu bytes of header fields, over the limit of %d", rid, header_bytes,
                 cfg->max_header_bytes);
        respond_error(th, req, rid, 431, "header fields too large", NULL);
        return true;
    }

    /* Host must be a host name or address with an optional port (RFC 9112
     * 3.2): pages print it in canonical links. */
    for (size_t i = 0; i < req->input.authority.len; i++) {
        unsigned char ch = (unsigned char)req->input.authority.base[i];
        if (!(isalnum(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']' ||
              ch == '_')) {
            log_warn("request %s: malformed Host header refused", rid);
            respond_error(th, req, rid, 400, "the Host header is malformed", NULL);
            return true;
        }
    }

    if (req->entity.base != NULL && req->entity.len > cfg->max_body) {
        log_warn("request %s: body of %zu bytes, over the limit of %llu", rid, req->entity.len,
                 (unsigned long long)cfg->max_body);
        respond_error(th, req, rid, 413, "the request body is too large", NULL);
        return true;
    }

    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;
    if (plen == 0 || path[0] != '/' || path_is_suspicious(path, plen)) {
        log_warn("request %s: refused path %.*s", rid, (int)(plen < 200 ? plen : 200), path);
        respond_error(th, req, rid, 400, "malformed or disallowed path", NULL);
        return true;
    }

    return false;
}

/* /media/...: product images and other merchant files from the local media
 * directory (the "fs" object store), served by h2o's file handler (sendfile,
 * ETag, ranges, no path outside the root). This handler runs first: it
 * applies our checks and headers and passes the request on. */
static int on_media_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    loop_thread_t *th = H2O_STRUCT_FROM_MEMBER(loop_thread_t, ctx, req->conn->ctx);
    char rid[68];
    make_request_id(th, req, rid);
    if (refuse_bad_request(th, req, rid))
        return 0;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        respond_error(th, req, rid, 405, "media files are read-only", "GET, HEAD");
        return 0;
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, rid,
                          strlen(rid));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("public, max-age=86400"));
    add_security_headers(req, false);
    /* A merchant's SVG opened on its own must not run script on our origin. */
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0,
                          NULL,
                          H2O_STRLIT("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
    return -1;
}

/* The access-log line for what h2o's file handler sends. */
static void on_setup_media_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    (void)self;
    if (req->res.status < 400) {
        loop_thread_t *th = H2O_STRUCT_FROM_MEMBER(loop_thread_t, ctx, req->conn->ctx);
        ssize_t i = h2o_find_header_by_str(&req->res.headers, H2O_STRLIT("x-request-id"), -1);
        char client[64] = "-";
        struct sockaddr_storage ss;
        socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
        if (sl)
            h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, client);
        char rid[68] = "-";
        if (i >= 0) {
            size_t n = req->res.headers.entries[i].value.len;
            n = n < sizeof(rid) - 1 ? n : sizeof(rid) - 1;
            memcpy(rid, req->res.headers.entries[i].value.base, n);
            rid[n] = '\0';
        }
        access_log(th, rid, req->method.base, req->method.len, req->path.base,
                   req->query_at != SIZE_MAX ? req->query_at : req->path.len, req->res.status,
                   req->res.content_length == SIZE_MAX ? 0 : req->res.content_length, now_ns(),
                   client);
    }
    h2o_setup_next_ostream(req, slot);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    loop_thread_t *th = H2O_STRUCT_FROM_MEMBER(loop_thread_t, ctx, req->conn->ctx);
    server_t *srv = th->srv;
    uint64_t start = now_ns();
    char rid[68];
    make_request_id(th, req, rid);

    if (refuse_bad_request(th, req, rid))
        return 0;
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;

    if (plen > 8 && memcmp(path, "/static/", 8) == 0) {
        bool is_get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
                      h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
        bool immutable;
        const static_file_t *f = static_find(srv->statics, path + 8, plen - 8, &immutable);
        if (f == NULL) {
            respond_error(th, req, rid, 404, "no such file", NULL);
        } else if (!is_get) {
            respond_error(th, req, rid, 405, "static files are read-only", "GET, HEAD");
        } else {
            send_static(th, req, rid, f, immutable, start);
        }
        return 0;
    }

    route_match_t m;
    char allow[128];
    int rc = router_match(srv->router, req->method.base, req->method.len, path, plen, &m, allow,
                          sizeof(allow));
    if (rc == SOUK_ENOTFOUND) {
        respond_error(th, req, rid, 404, "there is nothing at this address", NULL);
        return 0;
    }
    if (rc != 0) {
        respond_error(th, req, rid, 405, "this method is not allowed here", allow);
        return 0;
    }
    for (int i = 0; i < m.nparams; i++) {
        char tmp[1024];
        size_t n;
        if (m.lens[i] > sizeof(tmp) || pct_decode(m.values[i], m.lens[i], false, tmp, &n) != 0) {
            respond_error(th, req, rid, 400, "malformed path parameter", NULL);
            return 0;
        }
    }

    /* The key: every part of the request a page may depend on. The encoding
     * the client takes; the Host, which pages link to when store.base_url is
     * unset (without it, one request with a forged Host would plant links to
     * another site in everyone's page); then the path and query as sent. */
    char *ckey = NULL;
    size_t cklen = 0;
    uint64_t cgen = 0;
    if (cache_candidate(srv, req, m.route)) {
        cgen = pagecache_generation(srv->pages); /* before anything is read */
        h2o_iovec_t host = req->input.authority;
        cklen = 1 + host.len + 1 + req->path.len;
        ckey = h2o_mem_alloc_pool(&req->pool, cklen);
        ckey[0] = accepts_gzip(req) ? 'g' : 'i';
        memcpy(ckey + 1, host.base, host.len);
        ckey[1 + host.len] = ' '; /* a Host holds no space */
        memcpy(ckey + 2 + host.len, req->path.base, req->path.len);
        const pagecache_page_t *page = pagecache_get(srv->pages, ckey, cklen);
        if (page) {
            send_cached(th, req, rid, page, start);
            return 0;
        }
    }

    http_ctx_t *c = ctx_new(srv, th, req, &m, rid);
    c->start_ns = start;
    if (ckey) {
        c->cache_key = arena_memdup(&c->arena, ckey, cklen);
        c->cache_klen = cklen;
        c->cache_gen = cgen;
    }
    c->guard = h2o_mem_alloc_shared(&req->pool, sizeof(*c->guard), on_req_dispose);
    *c->guard = c;
    atomic_fetch_add(&th->inflight, 1);
    if (m.route->flags & ROUTE_INLINE) {
        ctx_run(c);
        respond(c);
        return 0;
    }
    if (workers_submit(srv->workers, c) != 0) {
        log_warn("request %s: database queue full, answering 503", rid);
        ctx_error(c, 503, "the store is busy; try again in a moment");
        http_add_header(c, "retry-after", "1");
        respond(c);
    }
    return 0;
}

/* ---- errors h2o answers by itself ---- */

/* h2o answers some requests before any handler sees them (a body over the
 * limit announced by Content-Length is refused without reading it, a
 * malformed request line...). This filter gives those responses the same
 * shape as ours: problem+json under /api/, an HTML page elsewhere, an
 * X-Request-Id and an access-log line. It recognises them by the missing
 * X-Request-Id, which every response of ours carries. */
typedef struct {
    h2o_ostream_t super;
    h2o_iovec_t body;
    bool sent;
} error_ostream_t;

static void error_do_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t n,
                          h2o_send_state_t state)
{
    error_ostream_t *o = (error_ostream_t *)self;
    (void)bufs;
    (void)n;
    if (o->sent || h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        h2o_ostream_send_next(self, req, NULL, 0, state);
        return;
    }
    o->sent = true;
    h2o_ostream_send_next(self, req, &o->body, 1, state);
}

static void on_setup_error_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    (void)self;
    if (req->res.status >= 400 &&
        h2o_find_header_by_str(&req->res.headers, H2O_STRLIT("x-request-id"), -1) < 0) {
        loop_thread_t *th = H2O_STRUCT_FROM_MEMBER(loop_thread_t, ctx, req->conn->ctx);
        char rid[68];
        make_request_id(th, req, rid);
        http_ctx_t *c = ctx_new(th->srv, th, req, NULL, rid);
        ctx_error(c, req->res.status,
                  req->res.status == 413 ? "the request body is too large" : req->res.reason);
        log_warn("request %s: refused by the HTTP layer with %d %s", rid, req->res.status,
                 req->res.reason);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, c->content_type,
                       strlen(c->content_type), 1);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL,
                       H2O_STRLIT("no-store"), 1);
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                              rid, strlen(rid));
        add_security_headers(req, strncmp(c->content_type, "text/html", 9) == 0);
        error_ostream_t *o = (error_ostream_t *)h2o_add_ostream(req, sizeof(*o), slot);
        o->super.do_send = error_do_send;
        o->body = h2o_strdup(&req->pool, buf_cstr(&c->out), c->out.len);
        o->sent = false;
        req->res.content_length = o->body.len;
        access_log(th, rid, c->method, strlen(c->method), c->path, strlen(c->path), req->res.status,
                   o->body.len, now_ns(), c->client_addr);
        ctx_free(c);
        slot = &o->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

/* ---- threads, listeners, shutdown ---- */

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    loop_thread_t *th = listener->data;
    h2o_socket_t *sock;
    /* Accept a batch per wake-up. */
    for (int i = 0; i < 64 && (sock = h2o_evloop_socket_accept(listener)) != NULL; i++)
        h2o_accept(&th->accept_ctx, sock);
}

static void on_ctl(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    loop_thread_t *th = H2O_STRUCT_FROM_MEMBER(loop_thread_t, ctl, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *msg =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&msg->link);
        free(msg);
    }
    if (th->listener) {
        h2o_socket_read_stop(th->listener);
        h2o_socket_close(th->listener);
        th->listener = NULL;
    }
    h2o_context_request_shutdown(&th->ctx);
}

static int open_listener(const config_t *cfg, int port, char *err, size_t errcap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int rc = getaddrinfo(cfg->listen_host, portstr, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errcap, "cannot resolve %s: %s", cfg->listen_host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, errcap, "cannot listen on %s:%d: %s", cfg->listen_host, port,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                    : ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void *loop_main(void *arg)
{
    loop_thread_t *th = arg;
    h2o_context_init(&th->ctx, h2o_evloop_create(), &th->srv->gconf);
    th->accept_ctx.ctx = &th->ctx;
    th->accept_ctx.hosts = th->srv->gconf.hosts;
    th->queue = h2o_multithread_create_queue(th->ctx.loop);
    h2o_multithread_register_receiver(th->queue, &th->done, on_done);
    h2o_multithread_register_receiver(th->queue, &th->ctl, on_ctl);
    h2o_timeout_init(th->ctx.loop, &th->log_timeout, ACCESS_LOG_FLUSH_MS);
    th->log_entry.cb = on_log_timeout;
    th->listener = h2o_evloop_socket_create(th->ctx.loop, th->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    th->listener->data = th;
    h2o_socket_read_start(th->listener, on_accept);
    while (!atomic_load(&th->exit))
        h2o_evloop_run(th->ctx.loop, 50);
    log_flush(th);
    return NULL;
}

static int total_inflight(server_t *srv)
{
    int n = 0;
    for (int i = 0; i < srv->nthreads; i++)
        n += atomic_load(&srv->threads[i].inflight);
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int server_run(const config_t *cfg, const http_route_t *routes, size_t nroutes,
               const static_files_t *statics, void *app)
{
    server_t *srv = xcalloc(1, sizeof(*srv));
    the_server = srv;
    srv->cfg = cfg;
    srv->app = app;
    srv->nthreads = cfg->threads;

    /* Signals are taken by the main thread only (sigwait below). */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&srv->gconf);
    /* h2o refuses a chunked body whose size reaches its limit (>=) and one
     * announced by Content-Length past it (>): one byte of slack, and the
     * exact limit is checked in on_req. */
    srv->gconf.max_request_entity_size = (size_t)cfg->max_body + 1;
    srv->gconf.server_name = h2o_iovec_init(H2O_STRLIT("souk"));
    h2o_hostconf_t *host =
        h2o_config_register_host(&srv->gconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    /* /media first: h2o picks the first path whose prefix matches. */
    buf_t media = BUF_INIT;
    buf_printf(&media, "%s/media", cfg->data_dir);
    mkdir(buf_cstr(&media), 0750);
    h2o_pathconf_t *mpc = h2o_config_register_path(host, "/media", 0);
    h2o_handler_t *mh = h2o_create_handler(mpc, sizeof(*mh));
    mh->on_req = on_media_req;
    h2o_file_register(mpc, buf_cstr(&media), NULL, NULL, 0);
    h2o_filter_t *mf = h2o_create_filter(mpc, sizeof(*mf));
    mf->on_setup_ostream = on_setup_error_ostream;
    mf = h2o_create_filter(mpc, sizeof(*mf));
    mf->on_setup_ostream = on_setup_media_ostream;
    buf_free(&media);
    h2o_pathconf_t *pc = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *h = h2o_create_handler(pc, sizeof(*h));
    h->on_req = on_req;
    h2o_filter_t *ef = h2o_create_filter(pc, sizeof(*ef));
    ef->on_setup_ostream = on_setup_error_ostream;
    ef = h2o_create_filter(&host->fallback_path, sizeof(*ef));
    ef->on_setup_ostream = on_setup_error_ostream;
    /* No h2o compress filter: handlers' responses are gzipped on the worker
     * that made them (ctx.c), static files at load. */

    srv->router = router_new(routes, nroutes);
    srv->statics = statics;
    srv->pages = pagecache_new((size_t)cfg->page_cache_bytes, cfg->page_cache_ttl_s);
    if (pagecache_enabled(srv->pages))
        srv->watch = cache_watch_start(cfg, srv->pages);
    srv->workers = workers_start(cfg, cfg->db_threads, cfg->db_queue_max);
    if (srv->workers == NULL)
        return SOUK_EIO;

    srv->threads = xcalloc((size_t)srv->nthreads, sizeof(*srv->threads));
    int port = cfg->listen_port;
    char err[256];
    for (int i = 0; i < srv->nthreads; i++) {
        loop_thread_t *th = &srv->threads[i];
        th->srv = srv;
        th->index = i;
        randombytes_buf(&th->rid_prefix, sizeof(th->rid_prefix));
        th->listen_fd = open_listener(cfg, port, err, sizeof(err));
        if (th->listen_fd < 0) {
            log_error("%s", err);
            return SOUK_EIO;
        }
        if (port == 0)
            port = bound_port(th->listen_fd); /* the others share the port the kernel chose */
    }
    for (int i = 0; i < srv->nthreads; i++)
        h2o_multithread_create_thread(&srv->threads[i].tid, NULL, loop_main, &srv->threads[i]);
    char *pg = config_pg_conninfo(cfg);
    log_info("listening on http://%s%s%s:%d with %d event loops and %d database workers (%s)",
             strchr(cfg->listen_host, ':') ? "[" : "", cfg->listen_host,
             strchr(cfg->listen_host, ':') ? "]" : "", port, srv->nthreads, cfg->db_threads,
             pg ? "postgresql" : "sqlite");
    free(pg);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("received %s: stopping new connections, finishing requests in flight",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    for (int i = 0; i < srv->nthreads; i++) {
        h2o_multithread_message_t *msg = xcalloc(1, sizeof(*msg));
        h2o_multithread_send_message(&srv->threads[i].ctl, msg);
    }
    uint64_t deadline = now_ns() + (uint64_t)cfg->shutdown_timeout_s * 1000000000u;
    while (total_inflight(srv) > 0 && now_ns() < deadline)
        sleep_ms(10);
    int left = total_inflight(srv);
    /* Give the loops a moment to write out the last responses. */
    sleep_ms(left ? 0 : 200);
    for (int i = 0; i < srv->nthreads; i++)
        atomic_store(&srv->threads[i].exit, true);
    for (int i = 0; i < srv->nthreads; i++)
        pthread_join(srv->threads[i].tid, NULL);
    if (left) {
        /* Workers may still be inside handlers using shared state: leave
         * without tearing anything down. */
        log_warn("shutdown: %d requests still running after %d s; exiting without them", left,
                 cfg->shutdown_timeout_s);
        _exit(0);
    }
    workers_stop(srv->workers);
    srv->workers = NULL;
    cache_watch_stop(srv->watch);
    srv->watch = NULL;
    pagecache_stats_t st;
    pagecache_stats(srv->pages, &st);
    log_info("page cache: %llu hits, %llu misses, %llu stored, %llu evicted",
             (unsigned long long)st.hits, (unsigned long long)st.misses,
             (unsigned long long)st.stores, (unsigned long long)st.evictions);
    pagecache_free(srv->pages);
    srv->pages = NULL;
    srv->statics = NULL;
    router_free(srv->router);
    srv->router = NULL;
    log_info("stopped");
    return 0;
}
