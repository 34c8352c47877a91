/* routes.c - the one table of every route souk answers. A GET route answers
 * HEAD too; 404 and 405 (with Allow) are answered by the router. */
#include "web/web.h"

#include "core/util.h"

static const http_route_t routes[] = {
    {"GET", "/", web_home, 0, "home"},
    {"GET", "/healthz", web_healthz, ROUTE_INLINE, "healthz"},
    {"GET", "/readyz", web_readyz, 0, "readyz"},
    /* Test-only routes follow; web_routes() cuts them off unless enabled. */
    {"GET", "/_test/sleep", web_test_sleep, 0, "test_sleep"},
    {"GET", "/_test/block", web_test_block, ROUTE_INLINE, "test_block"},
    {"GET", "/_test/inline_lookup", web_test_inline_lookup, ROUTE_INLINE, "test_inline_lookup"},
    {"GET", "/_test/query", web_test_echo_query, ROUTE_INLINE, "test_query"},
    {"POST", "/_test/form", web_test_echo_form, 0, "test_form"},
    {"POST", "/api/_test/json", web_test_echo_json, ROUTE_API, "test_json"},
    {"GET", "/_test/items/:id", web_test_param, ROUTE_INLINE, "test_param"},
    {"PUT", "/_test/items/:id", web_test_param, ROUTE_INLINE, "test_param_put"},
};

#define N_PRODUCT_ROUTES 3

const http_route_t *web_routes(const config_t *cfg, size_t *n)
{
    *n = cfg->test_routes ? ARRAY_LEN(routes) : N_PRODUCT_ROUTES;
    return routes;
}
