/* web.h - the storefront and operations handlers, and the one route table.
 *
 * Every route the server answers is listed in routes.c; main.c hands the
 * table to the server. Test-only routes are appended when
 * server.test_routes is on (never in production: config refuses it). */
#ifndef SOUK_WEB_WEB_H
#define SOUK_WEB_WEB_H

#include <stddef.h>

#include "http/http.h"

/* The route table for this configuration (static storage). */
const http_route_t *web_routes(const config_t *cfg, size_t *n);

int web_home(http_ctx_t *c);
int web_collection(http_ctx_t *c);
int web_search(http_ctx_t *c);
int web_product(http_ctx_t *c);
int web_sitemap(http_ctx_t *c);
int web_robots(http_ctx_t *c);
/* The storefront's 404 page with a message for the shopper. */
int web_not_found(http_ctx_t *c, const char *message);
int web_healthz(http_ctx_t *c);
int web_readyz(http_ctx_t *c);

/* Test-only handlers (testing.c). */
int web_test_sleep(http_ctx_t *c);
int web_test_block(http_ctx_t *c);
int web_test_inline_lookup(http_ctx_t *c);
int web_test_echo_form(http_ctx_t *c);
int web_test_echo_query(http_ctx_t *c);
int web_test_echo_json(http_ctx_t *c);
int web_test_param(http_ctx_t *c);

#endif
