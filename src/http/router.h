/* router.h - one table of routes, matched by method and path pattern.
 *
 * Patterns are literal segments and ":name" segments that match exactly one
 * non-empty segment. Matching walks the table once; the first route whose
 * pattern and method match wins. A GET route also answers HEAD. */
#ifndef SOUK_HTTP_ROUTER_H
#define SOUK_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

#define ROUTER_MAX_PARAMS 8
#define ROUTER_MAX_SEGMENTS 32

typedef struct router router_t;

typedef struct {
    const http_route_t *route;
    int nparams;
    const char *names[ROUTER_MAX_PARAMS];  /* point into the route table */
    const char *values[ROUTER_MAX_PARAMS]; /* point into the path (still encoded) */
    size_t lens[ROUTER_MAX_PARAMS];
} route_match_t;

/* Build a router over routes[0..n) (borrowed: must outlive the router). A
 * malformed pattern is a bug and aborts. */
router_t *router_new(const http_route_t *routes, size_t n);
void router_free(router_t *r);

/* Find the route for method and path (without query). 0 and *m filled;
 * SOUK_ENOTFOUND if no pattern matches (404); SOUK_EINVAL if the path matches
 * only routes of other methods (405), with their methods written into
 * allow[allowcap] as "GET, HEAD, POST". */
int router_match(const router_t *r, const char *method, size_t mlen, const char *path, size_t plen,
                 route_match_t *m, char *allow, size_t allowcap);

#endif
