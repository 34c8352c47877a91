/* http.h - what a handler sees of a request and how it answers.
 *
 * A handler runs with an http_ctx_t: a snapshot of the request (method, path,
 * route parameters, headers, query, body) and the response it is building.
 * Routes that touch the database run on a database worker thread with
 * http_db() set; inline routes run on the event loop and must not block.
 * On SQLite a GET or HEAD handler runs inside a read transaction (one
 * snapshot for the whole page): it must not write, nor call db_begin.
 * Everything allocated through the context (http_alloc, returned strings)
 * lives until the response has been sent. Handlers never see libh2o.
 *
 * A handler returns 0 once it has set the response, or a negative SOUK_E*
 * code, which the server turns into the matching error response
 * (SOUK_ENOTFOUND 404, SOUK_EINVAL/SOUK_ENCODING 400, SOUK_ELIMIT 413,
 * SOUK_ECONFLICT 409, SOUK_EBUSY 503, anything else 500). */
#ifndef SOUK_HTTP_HTTP_H
#define SOUK_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/form.h"
#include "db/db.h"

typedef struct http_ctx http_ctx_t;
typedef int (*http_handler_fn)(http_ctx_t *c);

enum {
    ROUTE_INLINE = 1 << 0, /* runs on the event loop: no database, no blocking */
    ROUTE_API = 1 << 1,    /* errors as application/problem+json */
    ROUTE_PURGE = 1 << 2,  /* a call may change what anonymous pages show: it
                            * empties the page cache (http/pagecache.h) */
};

typedef struct {
    const char *method;  /* "GET", "POST", ...; GET routes answer HEAD too */
    const char *pattern; /* "/products/:handle"; ":name" matches one segment */
    http_handler_fn handler;
    unsigned flags;
    const char *name; /* for logs and metrics */
} http_route_t;

/* ---- the request ---- */
const char *http_method(const http_ctx_t *c);
/* The path without the query string, as sent (percent-encoded). */
const char *http_path(const http_ctx_t *c);
/* A route parameter, percent-decoded; NULL if the route has no such name. */
const char *http_param(const http_ctx_t *c, const char *name);
/* A request header (name in lowercase), first occurrence; NULL if absent. */
const char *http_header(const http_ctx_t *c, const char *name);
const char *http_request_id(const http_ctx_t *c);
const char *http_client_addr(const http_ctx_t *c);
/* The parsed query string (parsed on first use with the configured limits).
 * 0, or SOUK_ELIMIT / SOUK_ENCODING, which the handler should return. */
int http_query(http_ctx_t *c, const form_t **out);
/* The value of one query parameter, or NULL (also when the query is invalid). */
const char *http_query_get(http_ctx_t *c, const char *name);
/* The raw body. */
const char *http_body(const http_ctx_t *c, size_t *len);
/* The body as application/x-www-form-urlencoded (checked content type). */
int http_form(http_ctx_t *c, const form_t **out);
/* The body as JSON (checked content type, depth and encoding). On error the
 * response is already set to a 400/413/415 naming the problem. */
int http_json(http_ctx_t *c, json_t **out);
/* A cookie's value, or NULL. */
const char *http_cookie(http_ctx_t *c, const char *name);
/* The database connection of this worker; NULL on inline routes. */
db_t *http_db(const http_ctx_t *c);
const config_t *http_config(const http_ctx_t *c);
/* The services the server was started with (server_run's app): main.c
 * hands over a shop_t (shop/shop.h). */
void *http_app(const http_ctx_t *c);
/* Request-lifetime memory. */
void *http_alloc(http_ctx_t *c, size_t size);
char *http_strdup(http_ctx_t *c, const char *s);

/* ---- the response ---- */
void http_set_status(http_ctx_t *c, int status);
/* Add a response header; name and value are copied. */
void http_add_header(http_ctx_t *c, const char *name, const char *value);
void http_set_content_type(http_ctx_t *c, const char *type);
/* Cache-Control for this response (default for dynamic routes: "no-store"). */
void http_set_cache(http_ctx_t *c, const char *cache_control);
/* The response body being built; append to it. */
buf_t *http_out(http_ctx_t *c);
/* Do not compute an ETag for this response. */
void http_no_etag(http_ctx_t *c);
/* Serialize j (a reference is stolen) as the body with the given status. */
int http_send_json(http_ctx_t *c, int status, json_t *j);
/* An error response: problem+json under ROUTE_API routes, an HTML page
 * elsewhere. detail is shown to the client: never put a secret in it. */
int http_error(http_ctx_t *c, int status, const char *detail);
/* problem+json 422/400 with a list of {"field","message"} in "errors". */
int http_error_fields(http_ctx_t *c, int status, const char *detail, json_t *errors);

/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);

#endif
