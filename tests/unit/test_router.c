/* test_router.c - route matching, parameters, 404 versus 405 and Allow. */
#include <string.h>

#include "core/err.h"
#include "harness.h"
#include "http/router.h"

static int h(http_ctx_t *c)
{
    (void)c;
    return 0;
}

static const http_route_t routes[] = {
    {"GET", "/", h, 0, "home"},
    {"GET", "/products", h, 0, "list"},
    {"GET", "/products/:handle", h, 0, "product"},
    {"PUT", "/products/:handle", h, 0, "product_put"},
    {"GET", "/collections/:c/products/:p", h, 0, "nested"},
    {"POST", "/cart", h, 0, "cart"},
};

static int match(const router_t *r, const char *method, const char *path, route_match_t *m,
                 char *allow)
{
    return router_match(r, method, strlen(method), path, strlen(path), m, allow, 128);
}

TEST(router_matches_literals_and_params)
{
    router_t *r = router_new(routes, sizeof(routes) / sizeof(routes[0]));
    route_match_t m;
    char allow[128];
    CHECK_INT(match(r, "GET", "/", &m, allow), 0);
    CHECK_STR(m.route->name, "home");
    CHECK_INT(match(r, "GET", "/products", &m, allow), 0);
    CHECK_STR(m.route->name, "list");
    CHECK_INT(match(r, "GET", "/products/red-shirt", &m, allow), 0);
    CHECK_STR(m.route->name, "product");
    CHECK_INT(m.nparams, 1);
    CHECK_STR(m.names[0], "handle");
    CHECK_INT(m.lens[0], 9);
    CHECK(strncmp(m.values[0], "red-shirt", 9) == 0);
    CHECK_INT(match(r, "GET", "/collections/summer/products/hat", &m, allow), 0);
    CHECK_STR(m.route->name, "nested");
    CHECK_INT(m.nparams, 2);
    CHECK(strncmp(m.values[1], "hat", m.lens[1]) == 0 && m.lens[1] == 3);
    router_free(r);
}

TEST(router_head_follows_get)
{
    router_t *r = router_new(routes, sizeof(routes) / sizeof(routes[0]));
    route_match_t m;
    char allow[128];
    CHECK_INT(match(r, "HEAD", "/products/x", &m, allow), 0);
    CHECK_STR(m.route->name, "product");
    CHECK_INT(match(r, "HEAD", "/cart", &m, allow), SOUK_EINVAL); /* POST only */
    router_free(r);
}

TEST(router_404_and_405_with_allow)
{
    router_t *r = router_new(routes, sizeof(routes) / sizeof(routes[0]));
    route_match_t m;
    char allow[128];
    CHECK_INT(match(r, "GET", "/nope", &m, allow), SOUK_ENOTFOUND);
    CHECK_INT(match(r, "GET", "/products/", &m, allow), SOUK_ENOTFOUND); /* empty param */
    CHECK_INT(match(r, "GET", "/products/a/b", &m, allow), SOUK_ENOTFOUND);
    CHECK_INT(match(r, "GET", "/products/", &m, allow), SOUK_ENOTFOUND);
    CHECK_INT(match(r, "GET", "", &m, allow), SOUK_ENOTFOUND);
    CHECK_INT(match(r, "DELETE", "/products/x", &m, allow), SOUK_EINVAL);
    CHECK_STR(allow, "GET, HEAD, PUT");
    CHECK_INT(match(r, "GET", "/cart", &m, allow), SOUK_EINVAL);
    CHECK_STR(allow, "POST");
    router_free(r);
}

TEST(router_segment_limit)
{
    router_t *r = router_new(routes, sizeof(routes) / sizeof(routes[0]));
    route_match_t m;
    char allow[128];
    char path[256] = "";
    for (int i = 0; i < ROUTER_MAX_SEGMENTS + 1; i++)
        strcat(path, "/a");
    CHECK_INT(match(r, "GET", path, &m, allow), SOUK_ENOTFOUND);
    router_free(r);
}
