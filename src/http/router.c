/* router.c - see router.h. Routes are pre-split into segments once; a lookup
 * splits the path once and compares segment lists, so a table of a few
 * hundred routes costs well under a microsecond per request. */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

typedef struct {
    const char *s;
    size_t len;
    bool param;
} seg_t;

typedef struct {
    const http_route_t *route;
    int nseg;
    seg_t seg[ROUTER_MAX_SEGMENTS];
} compiled_t;

struct router {
    size_t n;
    compiled_t *routes;
};

/* Split "/a/b/c" into segments. The root "/" has zero segments; a trailing
 * slash yields an empty last segment so "/a/" does not match "/a". */
static int split(const char *p, size_t len, seg_t *out, int max)
{
    if (len == 0 || p[0] != '/')
        return -1;
    if (len == 1)
        return 0;
    int n = 0;
    size_t i = 1;
    for (;;) {
        size_t start = i;
        while (i < len && p[i] != '/')
            i++;
        if (n == max)
            return -1;
        out[n].s = p + start;
        out[n].len = i - start;
        out[n].param = false;
        n++;
        if (i == len)
            return n;
        i++; /* skip '/' */
    }
}

router_t *router_new(const http_route_t *routes, size_t n)
{
    router_t *r = xcalloc(1, sizeof(*r));
    r->n = n;
    r->routes = xcalloc(n ? n : 1, sizeof(*r->routes));
    for (size_t i = 0; i < n; i++) {
        compiled_t *c = &r->routes[i];
        c->route = &routes[i];
        c->nseg = split(routes[i].pattern, strlen(routes[i].pattern), c->seg, ROUTER_MAX_SEGMENTS);
        if (c->nseg < 0)
            BUG("malformed route pattern '%s'", routes[i].pattern);
        int params = 0;
        for (int k = 0; k < c->nseg; k++) {
            if (c->seg[k].len > 0 && c->seg[k].s[0] == ':') {
                if (c->seg[k].len == 1 || ++params > ROUTER_MAX_PARAMS)
                    BUG("bad parameter in route pattern '%s'", routes[i].pattern);
                c->seg[k].param = true;
                /* Keep the name NUL-terminated for http_param(). */
                c->seg[k].s = xstrndup(c->seg[k].s + 1, c->seg[k].len - 1);
                c->seg[k].len--;
            }
        }
    }
    return r;
}

void router_free(router_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        for (int k = 0; k < r->routes[i].nseg; k++)
            if (r->routes[i].seg[k].param)
                free((char *)r->routes[i].seg[k].s);
    free(r->routes);
    free(r);
}

static bool method_is(const char *want, const char *m, size_t mlen)
{
    return strlen(want) == mlen && memcmp(want, m, mlen) == 0;
}

static bool method_matches(const http_route_t *rt, const char *m, size_t mlen)
{
    if (method_is(rt->method, m, mlen))
        return true;
    return method_is("HEAD", m, mlen) && strcmp(rt->method, "GET") == 0;
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    /* Keep each method once. */
    size_t ml = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)) != NULL; p += ml)
        if ((p == allow || p[-1] == ' ') && (p[ml] == ',' || p[ml] == '\0'))
            return;
    size_t used = strlen(allow);
    snprintf(allow + used, cap - used, "%s%s", used ? ", " : "", method);
}

int router_match(const router_t *r, const char *method, size_t mlen, const char *path, size_t plen,
                 route_match_t *m, char *allow, size_t allowcap)
{
    seg_t segs[ROUTER_MAX_SEGMENTS];
    int nseg = split(path, plen, segs, ROUTER_MAX_SEGMENTS);
    bool other_method = false;
    if (allowcap)
        allow[0] = '\0';
    if (nseg < 0)
        return SOUK_ENOTFOUND;
    for (size_t i = 0; i < r->n; i++) {
        const compiled_t *c = &r->routes[i];
        if (c->nseg != nseg)
            continue;
        int np = 0;
        int k;
        for (k = 0; k < nseg; k++) {
            if (c->seg[k].param) {
                if (segs[k].len == 0)
                    break;
                m->names[np] = c->seg[k].s;
                m->values[np] = segs[k].s;
                m->lens[np] = segs[k].len;
                np++;
            } else if (c->seg[k].len != segs[k].len ||
                       memcmp(c->seg[k].s, segs[k].s, segs[k].len) != 0) {
                break;
            }
        }
        if (k != nseg)
            continue;
        if (!method_matches(c->route, method, mlen)) {
            other_method = true;
            if (allowcap) {
                allow_add(allow, allowcap, c->route->method);
                if (strcmp(c->route->method, "GET") == 0)
                    allow_add(allow, allowcap, "HEAD");
            }
            continue;
        }
        m->route = c->route;
        m->nparams = np;
        return 0;
    }
    return other_method ? SOUK_EINVAL : SOUK_ENOTFOUND;
}
