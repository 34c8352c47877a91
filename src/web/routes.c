/* routes.c - the one table of every route souk answers. A GET route answers
 * HEAD too; 404 and 405 (with Allow) are answered by the router. */
#include "web/web.h"

#include <string.h>

#include "api/api.h"
#include "core/util.h"

#define API ROUTE_API
/* Admin writes to the catalog: anonymous pages cached before them are stale. */
#define WRITE (ROUTE_API | ROUTE_PURGE)

static const http_route_t routes[] = {
    /* Storefront */
    {"GET", "/", web_home, 0, "home"},
    {"GET", "/collections/:handle", web_collection, 0, "collection"},
    {"GET", "/products/:handle", web_product, 0, "product"},
    {"GET", "/search", web_search, 0, "search"},
    {"GET", "/sitemap.xml", web_sitemap, 0, "sitemap"},
    {"GET", "/robots.txt", web_robots, ROUTE_INLINE, "robots"},
    /* JSON API v1: reads for anyone, writes with the admin token */
    {"GET", "/api/v1/products", api_products_list, API, "api_products"},
    {"POST", "/api/v1/products", api_product_create, WRITE, "api_product_create"},
    {"GET", "/api/v1/products/:id", api_product_get, API, "api_product"},
    {"PATCH", "/api/v1/products/:id", api_product_update, WRITE, "api_product_update"},
    {"DELETE", "/api/v1/products/:id", api_product_delete, WRITE, "api_product_delete"},
    {"POST", "/api/v1/products/:id/variants", api_variant_create, WRITE, "api_variant_create"},
    {"PATCH", "/api/v1/products/:id/variants/:vid", api_variant_update, WRITE,
     "api_variant_update"},
    {"DELETE", "/api/v1/products/:id/variants/:vid", api_variant_delete, WRITE,
     "api_variant_delete"},
    {"POST", "/api/v1/products/:id/images", api_image_create, WRITE, "api_image_create"},
    {"PATCH", "/api/v1/products/:id/images/:iid", api_image_update, WRITE, "api_image_update"},
    {"DELETE", "/api/v1/products/:id/images/:iid", api_image_delete, WRITE, "api_image_delete"},
    {"GET", "/api/v1/collections", api_collections_list, API, "api_collections"},
    {"POST", "/api/v1/collections", api_collection_create, WRITE, "api_collection_create"},
    {"GET", "/api/v1/collections/:id", api_collection_get, API, "api_collection"},
    {"PATCH", "/api/v1/collections/:id", api_collection_update, WRITE, "api_collection_update"},
    {"DELETE", "/api/v1/collections/:id", api_collection_delete, WRITE, "api_collection_delete"},
    {"GET", "/api/v1/collections/:id/products", api_collection_products, API,
     "api_collection_products"},
    {"PUT", "/api/v1/collections/:id/products/:pid", api_collection_put_product, WRITE,
     "api_collection_put_product"},
    {"DELETE", "/api/v1/collections/:id/products/:pid", api_collection_remove_product, WRITE,
     "api_collection_remove_product"},
    /* Operations */
    {"GET", "/healthz", web_healthz, ROUTE_INLINE, "healthz"},
    {"GET", "/readyz", web_readyz, ROUTE_API, "readyz"},
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

static bool is_test_route(const http_route_t *r)
{
    return strncmp(r->pattern, "/_test/", 7) == 0 || strncmp(r->pattern, "/api/_test/", 11) == 0;
}

const http_route_t *web_routes(const config_t *cfg, size_t *n)
{
    size_t product = 0;
    while (product < ARRAY_LEN(routes) && !is_test_route(&routes[product]))
        product++;
    for (size_t i = product; i < ARRAY_LEN(routes); i++)
        ASSERT(is_test_route(&routes[i])); /* test routes come last, all of them */
    *n = cfg->test_routes ? ARRAY_LEN(routes) : product;
    return routes;
}
