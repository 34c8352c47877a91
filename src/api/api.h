/* api.h - the JSON API v1 under /api/v1: catalog reads for anyone, writes
 * for holders of the admin token (store.admin_token, SOUK_ADMIN_TOKEN, sent
 * as "Authorization: Bearer TOKEN") until staff accounts exist. Every error
 * is application/problem+json; validation errors are 422 with an "errors"
 * list of {field, message}. Money is an integer of the store currency's
 * minor unit, with the currency code alongside. docs/openapi.yaml describes
 * every operation. */
#ifndef SOUK_API_API_H
#define SOUK_API_API_H

#include <jansson.h>

#include "http/http.h"
#include "shop/catalog.h"

/* 0 when the request carries the admin token; otherwise the 401/403 response
 * is set and a negative code returned: the handler returns 0 at once. */
int api_require_admin(http_ctx_t *c);
/* Does the request carry the admin token? (For reads that show drafts.) */
bool api_is_admin(http_ctx_t *c);

json_t *api_product_json(const product_t *p, const char *currency);
json_t *api_product_summary_json(const product_t *p, const char *currency);
json_t *api_collection_json(const collection_t *col);
/* Apply the members of j to p (all of them for a create, those present for a
 * PATCH): strings, enums, options, tags, variants, images. Type errors go to
 * errs with their JSON path. Strings are copied into a. */
void api_product_from_json(arena_t *a, json_t *j, product_t *p, catalog_errors_t *errs);
void api_variant_from_json(arena_t *a, json_t *j, variant_t *v, const char *prefix,
                           catalog_errors_t *errs);
void api_image_from_json(arena_t *a, json_t *j, image_t *im, const char *prefix,
                         catalog_errors_t *errs);
void api_collection_from_json(arena_t *a, json_t *j, collection_t *col, catalog_errors_t *errs);
/* Answer 422 (or 409 for rc == SOUK_ECONFLICT) listing errs. */
int api_validation_error(http_ctx_t *c, int rc, const catalog_errors_t *errs);

int api_products_list(http_ctx_t *c);
int api_product_get(http_ctx_t *c);
int api_product_create(http_ctx_t *c);
int api_product_update(http_ctx_t *c);
int api_product_delete(http_ctx_t *c);
int api_variant_create(http_ctx_t *c);
int api_variant_update(http_ctx_t *c);
int api_variant_delete(http_ctx_t *c);
int api_image_create(http_ctx_t *c);
int api_image_update(http_ctx_t *c);
int api_image_delete(http_ctx_t *c);
int api_collections_list(http_ctx_t *c);
int api_collection_get(http_ctx_t *c);
int api_collection_products(http_ctx_t *c);
int api_collection_create(http_ctx_t *c);
int api_collection_update(http_ctx_t *c);
int api_collection_delete(http_ctx_t *c);
int api_collection_put_product(http_ctx_t *c);
int api_collection_remove_product(http_ctx_t *c);

#endif
