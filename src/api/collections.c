/* collections.c - /api/v1/collections: list, get, and (admin token) create,
 * partial update, delete, and placing products in a collection's order. */
#include <string.h>

#include "api/api.h"
#include "core/err.h"
#include "core/parse.h"
#include "core/util.h"

int api_collections_list(http_ctx_t *c)
{
    arena_t a = ARENA_INIT;
    collection_t *cols;
    size_t n;
    int rc = catalog_collections_list(http_db(c), &a, &cols, &n);
    if (rc != 0) {
        arena_free(&a);
        return rc;
    }
    bool admin = api_is_admin(c);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        if (cols[i].published || admin)
            json_array_append_new(list, api_collection_json(&cols[i]));
    arena_free(&a);
    http_set_cache(c, admin ? "private, no-store" : "public, max-age=60");
    return http_send_json(c, 200, json_pack("{s:o}", "collections", list));
}

static int load(http_ctx_t *c, arena_t *a, collection_t **col, bool admin)
{
    int rc = catalog_collection_get(http_db(c), a, http_param(c, "id"), col);
    if (rc == SOUK_ENOTFOUND || (rc == 0 && !admin && !(*col)->published)) {
        http_error(c, 404, "no such collection");
        return SOUK_ENOTFOUND;
    }
    if (rc != 0) {
        http_error(c, 500, "the server could not complete the request");
        return rc;
    }
    return 0;
}

int api_collection_get(http_ctx_t *c)
{
    arena_t a = ARENA_INIT;
    collection_t *col;
    bool admin = api_is_admin(c);
    if (load(c, &a, &col, admin) == 0) {
        http_set_cache(c, admin ? "private, no-store" : "public, max-age=60");
        http_send_json(c, 200, api_collection_json(col));
    }
    arena_free(&a);
    return 0;
}

static int save_and_send(http_ctx_t *c, arena_t *a, collection_t *col, int status,
                         catalog_errors_t *errs)
{
    int rc = errs->n ? SOUK_EINVAL : catalog_collection_save(http_db(c), a, col, errs);
    if (rc == SOUK_EINVAL || rc == SOUK_ECONFLICT)
        return api_validation_error(c, rc, errs);
    if (rc == SOUK_ENOTFOUND)
        return http_error(c, 404, "no such collection");
    if (rc != 0)
        return rc;
    collection_t *fresh;
    if ((rc = catalog_collection_get(http_db(c), a, col->public_id, &fresh)) != 0)
        return rc;
    if (status == 201) {
        char loc[64];
        snprintf(loc, sizeof(loc), "/api/v1/collections/%s", fresh->public_id);
        http_add_header(c, "location", loc);
    }
    return http_send_json(c, status, api_collection_json(fresh));
}

int api_collection_create(http_ctx_t *c)
{
    json_t *body;
    if (api_require_admin(c) != 0 || http_json(c, &body) != 0)
        return 0;
    arena_t a = ARENA_INIT;
    catalog_errors_t errs = {0};
    collection_t col = {.published = true};
    api_collection_from_json(&a, body, &col, &errs);
    int rc = save_and_send(c, &a, &col, 201, &errs);
    arena_free(&a);
    return rc;
}

int api_collection_update(http_ctx_t *c)
{
    json_t *body;
    if (api_require_admin(c) != 0 || http_json(c, &body) != 0)
        return 0;
    arena_t a = ARENA_INIT;
    collection_t *col;
    int rc = 0;
    if (load(c, &a, &col, true) == 0) {
        catalog_errors_t errs = {0};
        api_collection_from_json(&a, body, col, &errs);
        rc = save_and_send(c, &a, col, 200, &errs);
    }
    arena_free(&a);
    return rc;
}

int api_collection_delete(http_ctx_t *c)
{
    if (api_require_admin(c) != 0)
        return 0;
    int rc = catalog_collection_delete(http_db(c), http_param(c, "id"));
    if (rc == SOUK_ENOTFOUND)
        return http_error(c, 404, "no such collection");
    if (rc != 0)
        return rc;
    http_set_status(c, 204);
    return 0;
}

/* PUT /api/v1/collections/:id/products/:pid {"position": N}: place a product
 * (0 or no body: at the end). */
int api_collection_put_product(http_ctx_t *c)
{
    if (api_require_admin(c) != 0)
        return 0;
    int64_t pos = 0;
    size_t blen;
    http_body(c, &blen);
    if (blen > 0) {
        json_t *body;
        if (http_json(c, &body) != 0)
            return 0;
        json_t *p = json_object_get(body, "position");
        if (p &&
            (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) > 1000000))
            return http_error_fields(c, 422, "the request has invalid fields",
                                     json_pack("[{s:s, s:s}]", "field", "position", "message",
                                               "must be a whole number from 0 to 1000000"));
        if (p)
            pos = json_integer_value(p);
    }
    int rc =
        catalog_collection_add(http_db(c), http_param(c, "id"), http_param(c, "pid"), (int)pos);
    if (rc == SOUK_ENOTFOUND)
        return http_error(c, 404, "no such collection or product");
    if (rc != 0)
        return rc;
    http_set_status(c, 204);
    return 0;
}

int api_collection_remove_product(http_ctx_t *c)
{
    if (api_require_admin(c) != 0)
        return 0;
    int rc = catalog_collection_remove(http_db(c), http_param(c, "id"), http_param(c, "pid"));
    if (rc == SOUK_ENOTFOUND)
        return http_error(c, 404, "the product is not in this collection");
    if (rc != 0)
        return rc;
    http_set_status(c, 204);
    return 0;
}
