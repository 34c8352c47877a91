/* ctx.c - the request context handlers use (http.h): a copy of the request
 * made on the event loop, the response built by the handler, and the common
 * finishing steps (error mapping, ETag, 304) that run on whichever thread ran
 * the handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zlib.h>

#include "core/err.h"
#include "core/form.h"
#include "core/jsonbody.h"
#include "core/log.h"
#include "core/util.h"
#include "http/server_int.h"

/* ---- building the snapshot (event loop) ---- */

http_ctx_t *ctx_new(server_t *srv, loop_thread_t *th, h2o_req_t *req, const route_match_t *m,
                    const char *request_id)
{
    http_ctx_t *c = xcalloc(1, sizeof(*c));
    c->srv = srv;
    c->thread = th;
    c->req = req;
    c->status = 200;
    if (m) {
        c->match = *m;
        c->route = m->route;
    }
    arena_t *a = &c->arena;
    c->method = arena_strndup(a, req->method.base, req->method.len);
    c->is_head = strcmp(c->method, "HEAD") == 0;
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    c->path = arena_strndup(a, req->path.base, plen);
    if (req->query_at != SIZE_MAX) {
        c->query_len = req->path.len - req->query_at - 1;
        c->query = arena_strndup(a, req->path.base + req->query_at + 1, c->query_len);
    }
    /* Route parameters point into the path: re-point them into our copy. */
    for (int i = 0; i < c->match.nparams; i++)
        c->match.values[i] = c->path + (m->values[i] - req->path.base);
    /* h2o keeps Host apart (as the authority): put it back among the headers. */
    c->headers = arena_alloc(a, st_mult(req->headers.size + 1, sizeof(http_hdr_t)));
    c->nheaders = 0;
    if (req->input.authority.len > 0) {
        c->headers[c->nheaders].name = "host";
        c->headers[c->nheaders].value =
            arena_strndup(a, req->input.authority.base, req->input.authority.len);
        c->nheaders++;
    }
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *h = &req->headers.entries[i];
        c->headers[c->nheaders].name = arena_strndup(a, h->name->base, h->name->len);
        c->headers[c->nheaders].value = arena_strndup(a, h->value.base, h->value.len);
        c->nheaders++;
    }
    if (req->entity.base != NULL) {
        c->body = arena_memdup(a, req->entity.base, req->entity.len);
        c->body_len = req->entity.len;
    }
    snprintf(c->request_id, sizeof(c->request_id), "%s", request_id);
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl == 0 ||
        h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, c->client_addr) == SIZE_MAX)
        snprintf(c->client_addr, sizeof(c->client_addr), "-");
    return c;
}

void ctx_free(http_ctx_t *c)
{
    if (c == NULL)
        return;
    form_free(c->query_form);
    form_free(c->body_form);
    if (c->json)
        json_decref(c->json);
    cookie_jar_free(c->cookies);
    buf_free(&c->out);
    arena_free(&c->arena);
    free(c);
}

/* ---- request accessors ---- */

const char *http_method(const http_ctx_t *c)
{
    return c->method;
}

const char *http_path(const http_ctx_t *c)
{
    return c->path;
}

const char *http_request_id(const http_ctx_t *c)
{
    return c->request_id;
}

const char *http_client_addr(const http_ctx_t *c)
{
    return c->client_addr;
}

db_t *http_db(const http_ctx_t *c)
{
    return c->db;
}

const config_t *http_config(const http_ctx_t *c)
{
    return server_config(c->srv);
}

void *http_app(const http_ctx_t *c)
{
    return server_app(c->srv);
}

void *http_alloc(http_ctx_t *c, size_t size)
{
    return arena_alloc(&c->arena, size);
}

char *http_strdup(http_ctx_t *c, const char *s)
{
    return arena_strdup(&c->arena, s);
}

const char *http_param(const http_ctx_t *c, const char *name)
{
    http_ctx_t *mc = (http_ctx_t *)c; /* decoded values are cached */
    for (int i = 0; i < c->match.nparams; i++) {
        if (strcmp(c->match.names[i], name) != 0)
            continue;
        if (mc->param_values[i] == NULL) {
            size_t len = c->match.lens[i], outlen = 0;
            char *out = arena_alloc(&mc->arena, len + 1);
            if (pct_decode(c->match.values[i], len, false, out, &outlen) != 0)
                return NULL; /* checked at dispatch; cannot happen */
            out[outlen] = '\0';
            mc->param_values[i] = out;
        }
        return mc->param_values[i];
    }
    return NULL;
}

const char *http_header(const http_ctx_t *c, const char *name)
{
    for (size_t i = 0; i < c->nheaders; i++)
        if (strcmp(c->headers[i].name, name) == 0)
            return c->headers[i].value;
    return NULL;
}

static form_limits_t form_limits(const http_ctx_t *c)
{
    const config_t *cfg = http_config(c);
    form_limits_t lim = {
        .max_fields = (size_t)cfg->max_form_fields,
        .max_key_len = 256,
        .max_value_len = (size_t)cfg->max_field_bytes,
    };
    return lim;
}

int http_query(http_ctx_t *c, const form_t **out)
{
    if (!c->query_done) {
        form_limits_t lim = form_limits(c);
        c->query_done = true;
        c->query_rc = form_parse(c->query ? c->query : "", c->query_len, &lim, &c->query_form);
    }
    *out = c->query_form;
    return c->query_rc;
}

const char *http_query_get(http_ctx_t *c, const char *name)
{
    const form_t *f;
    if (http_query(c, &f) != 0)
        return NULL;
    return form_get(f, name);
}

const char *http_body(const http_ctx_t *c, size_t *len)
{
    *len = c->body_len;
    return c->body ? c->body : "";
}

/* Does the request's Content-Type name this media type (parameters ignored)? */
static bool content_type_is(const http_ctx_t *c, const char *type)
{
    const char *ct = http_header(c, "content-type");
    size_t n = strlen(type);
    if (ct == NULL || strncasecmp(ct, type, n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

int http_form(http_ctx_t *c, const form_t **out)
{
    if (!c->form_done) {
        c->form_done = true;
        if (!content_type_is(c, "application/x-www-form-urlencoded")) {
            c->form_rc = SOUK_EINVAL;
        } else {
            form_limits_t lim = form_limits(c);
            c->form_rc = form_parse(c->body ? c->body : "", c->body_len, &lim, &c->body_form);
        }
    }
    *out = c->body_form;
    return c->form_rc;
}

int http_json(http_ctx_t *c, json_t **out)
{
    if (!content_type_is(c, "application/json")) {
        http_error(c, 415, "the request body must be application/json");
        return SOUK_EINVAL;
    }
    if (c->json == NULL) {
        const config_t *cfg = http_config(c);
        jsonbody_limits_t lim = {.max_bytes = cfg->max_body,
                                 .max_depth = (size_t)cfg->max_json_depth};
        char err[256];
        int rc =
            jsonbody_parse(c->body ? c->body : "", c->body_len, &lim, &c->json, err, sizeof(err));
        if (rc != 0) {
            http_error(c, rc == SOUK_ELIMIT ? 413 : 400, err);
            return rc;
        }
    }
    *out = c->json;
    return 0;
}

const char *http_cookie(http_ctx_t *c, const char *name)
{
    if (!c->cookies_done) {
        c->cookies_done = true;
        const char *hdr = http_header(c, "cookie");
        cookie_limits_t lim = COOKIE_DEFAULT_LIMITS;
        if (hdr && cookie_parse(hdr, strlen(hdr), &lim, &c->cookies) != 0)
            c->cookies = NULL;
    }
    return c->cookies ? cookie_get(c->cookies, name) : NULL;
}

/* ---- the response ---- */

void http_set_status(http_ctx_t *c, int status)
{
    ASSERT(status >= 100 && status <= 599);
    c->status = status;
}

void http_add_header(http_ctx_t *c, const char *name, const char *value)
{
    ASSERT(c->nresp_headers < HTTP_MAX_RESP_HEADERS);
    http_hdr_t *h = &c->resp_headers[c->nresp_headers++];
    h->name = arena_strdup(&c->arena, name);
    h->value = arena_strdup(&c->arena, value);
}

void http_set_content_type(http_ctx_t *c, const char *type)
{
    c->content_type = arena_strdup(&c->arena, type);
}

void http_set_cache(http_ctx_t *c, const char *cache_control)
{
    c->cache_control = arena_strdup(&c->arena, cache_control);
}

buf_t *http_out(http_ctx_t *c)
{
    return &c->out;
}

void http_no_etag(http_ctx_t *c)
{
    c->no_etag = true;
}

int http_send_json(http_ctx_t *c, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    if (s == NULL)
        BUG("json_dumps failed");
    http_set_status(c, status);
    http_set_content_type(c, "application/json");
    buf_reset(&c->out);
    buf_puts(&c->out, s);
    free(s);
    return 0;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    }
    return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
}

static bool wants_problem_json(const http_ctx_t *c)
{
    if (c->route)
        return (c->route->flags & ROUTE_API) != 0;
    return strncmp(c->path, "/api/", 5) == 0 || strcmp(c->path, "/api") == 0;
}

static int error_with(http_ctx_t *c, int status, const char *detail, json_t *errors)
{
    const char *title = http_reason(status);
    buf_reset(&c->out);
    c->status = status;
    c->cache_control = "no-store";
    c->no_etag = true;
    if (wants_problem_json(c)) {
        json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "about:blank", "title",
                              title, "status", status, "detail", detail ? detail : title,
                              "instance", c->path, "request_id", c->request_id);
        if (errors)
            json_object_set_new(p, "errors", errors);
        char *s = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_decref(p);
        buf_puts(&c->out, s);
        free(s);
        c->content_type = "application/problem+json";
        return 0;
    }
    if (errors)
        json_decref(errors);
    buf_printf(&c->out,
               "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>%d %s</title></head>\n<body><main><h1>%s</h1><p>",
               status, title, title);
    buf_html(&c->out, detail ? detail : title, strlen(detail ? detail : title));
    buf_puts(&c->out, "</p><p><a href=\"/\">Back to the store</a></p><p><small>Request id: ");
    buf_html(&c->out, c->request_id, strlen(c->request_id));
    buf_puts(&c->out, "</small></p></main></body></html>\n");
    c->content_type = "text/html; charset=utf-8";
    return 0;
}

int http_error(http_ctx_t *c, int status, const char *detail)
{
    return error_with(c, status, detail, NULL);
}

int http_error_fields(http_ctx_t *c, int status, const char *detail, json_t *errors)
{
    return error_with(c, status, detail, errors);
}

void ctx_error(http_ctx_t *c, int status, const char *detail)
{
    error_with(c, status, detail, NULL);
}

/* ---- finishing ---- */

static bool compressible(const char *type);

/* Does an If-None-Match list contain etag (weak comparison, RFC 9110 8.8.3.2)? */
bool http_etag_matches(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *end = p;
        if (*end == '"') {
            const char *close = strchr(end + 1, '"');
            if (close == NULL)
                return false;
            end = close + 1;
        } else {
            while (*end && *end != ',')
                end++;
        }
        if ((size_t)(end - p) == elen && memcmp(p, etag, elen) == 0)
            return true;
        p = end;
    }
    return false;
}

static void settle_etag(http_ctx_t *c, bool gz)
{
    /* A response that may not be stored has nothing to revalidate. */
    if (c->no_etag || c->status != 200 || strstr(c->cache_control, "no-store") != NULL ||
        (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0))
        return;
    /* A checksum of the body, not a MAC: XXH3 reads a page about ten times
     * faster than SipHash did (55k of a collection page's 1.14M
     * instructions). A collision between two versions of a page (odds about
     * 2^-64 a change) would leave a client with the version it had. */
    char etag[32];
    snprintf(etag, sizeof(etag), "\"%016llx%s\"",
             (unsigned long long)XXH3_64bits(c->out.data ? c->out.data : "", c->out.len),
             gz ? "-gz" : "");
    /* A strong ETag names one representation: the gzip one gets its own. */
    http_add_header(c, "etag", etag);
    const char *inm = http_header(c, "if-none-match");
    if (inm && http_etag_matches(inm, etag)) {
        c->status = 304;
        buf_reset(&c->out);
    }
}

bool http_accepts_gzip(const char *v, size_t len)
{
    const char *end = v + len;
    const char *p = memmem(v, len, "gzip", 4);
    if (p == NULL)
        return false;
    p += 4;
    while (p < end && (*p == ' ' || *p == ';'))
        p++;
    if (end - p < 2 || p[0] != 'q' || p[1] != '=')
        return true;
    /* q=0, q=0.0, q=0.00, q=0.000 refuse it. */
    for (p += 2; p < end && *p != ','; p++)
        if (*p != '0' && *p != '.')
            return true;
    return false;
}

static bool compressible(const char *type)
{
    return strncmp(type, "text/", 5) == 0 || strncmp(type, "application/json", 16) == 0 ||
           strncmp(type, "application/problem+json", 24) == 0 ||
           strncmp(type, "application/xml", 15) == 0 || strncmp(type, "image/svg+xml", 13) == 0;
}

/* Compress the body with gzip. Runs on the worker that made the response,
 * keeping the event loops free of it; level 5 is a fair balance of size and
 * time for HTML. Leaves the body as it was if zlib fails. */
static void gzip_body(http_ctx_t *c)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    buf_t gz = BUF_INIT;
    buf_grow(&gz, deflateBound(&zs, c->out.len));
    zs.next_in = (Bytef *)c->out.data;
    zs.avail_in = (uInt)c->out.len;
    zs.next_out = (Bytef *)gz.data;
    zs.avail_out = (uInt)(gz.cap - 1);
    int rc = deflate(&zs, Z_FINISH);
    gz.len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        buf_free(&gz);
        return;
    }
    buf_free(&c->out);
    c->out = gz;
    c->out.data[c->out.len] = '\0';
    c->gzipped = true;
    http_add_header(c, "content-encoding", "gzip");
}

static int status_for(int rc)
{
    switch (rc) {
    case SOUK_ENOTFOUND:
        return 404;
    case SOUK_EINVAL:
    case SOUK_ENCODING:
    case SOUK_ERANGE:
        return 400;
    case SOUK_ELIMIT:
        return 413;
    case SOUK_ECONFLICT:
        return 409;
    case SOUK_EBUSY:
        return 503;
    }
    return 500;
}

/* Keep a copy of a finished response in the page cache, if it may be shared:
 * a 200 the handler marked public, setting no cookie. */
static void cache_store(http_ctx_t *c)
{
    if (c->status != 200 || strncmp(c->cache_control, "public", 6) != 0)
        return;
    pagecache_header_t hdrs[HTTP_MAX_RESP_HEADERS];
    const char *etag = NULL;
    for (size_t i = 0; i < c->nresp_headers; i++) {
        if (strcmp(c->resp_headers[i].name, "set-cookie") == 0)
            return;
        if (strcmp(c->resp_headers[i].name, "etag") == 0)
            etag = c->resp_headers[i].value;
        hdrs[i] = (pagecache_header_t){c->resp_headers[i].name, c->resp_headers[i].value};
    }
    pagecache_page_t page = {
        .content_type = c->content_type ? c->content_type : "text/html; charset=utf-8",
        .cache_control = c->cache_control,
        .etag = etag,
        .headers = hdrs,
        .nheaders = c->nresp_headers,
        .body = buf_cstr(&c->out),
        .len = c->out.len,
    };
    pagecache_put(server_pagecache(c->srv), c->cache_key, c->cache_klen, c->cache_gen, &page);
}

void ctx_run(http_ctx_t *c)
{
    int rc = c->route->handler(c);
    /* Purge even after a failure: the handler may have committed part of
     * its work before it failed, and purging costs little. */
    if (c->route->flags & ROUTE_PURGE)
        pagecache_invalidate(server_pagecache(c->srv));
    if (rc != 0) {
        int status = status_for(rc);
        /* The database's own message is what an operator needs to act on;
         * the shopper gets only the request id. */
        if (status >= 500 && rc == SOUK_EDB && c->db && db_errmsg(c->db)[0])
            log_error("request %s %s %s failed: %s: %s", c->request_id, c->method, c->path,
                      souk_strerror(rc), db_errmsg(c->db));
        else if (status >= 500)
            log_error("request %s %s %s failed: %s", c->request_id, c->method, c->path,
                      souk_strerror(rc));
        /* Keep an error the handler already set (e.g. by http_json). */
        if (c->status < 400)
            error_with(c, status,
                       status >= 500 ? "the server could not complete the request"
                                     : souk_strerror(rc),
                       NULL);
    }
    if (c->cache_control == NULL)
        c->cache_control = "no-store";
    /* Text bodies big enough are sent gzipped to clients that take it; the
     * response then varies by Accept-Encoding, 304s included. */
    bool eligible = c->out.len >= HTTP_GZIP_MIN_BYTES && c->status != 204 &&
                    compressible(c->content_type ? c->content_type : "text/html");
    const char *ae = http_header(c, "accept-encoding");
    bool gz = eligible && ae != NULL && http_accepts_gzip(ae, strlen(ae));
    if (eligible)
        http_add_header(c, "vary", "accept-encoding");
    settle_etag(c, gz);
    if (gz && c->status != 304)
        gzip_body(c);
    if (c->cache_key)
        cache_store(c);
}
