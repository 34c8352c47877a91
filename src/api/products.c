/* products.c - /api/v1/products: list and search (anyone), get (anyone;
 * drafts only with the admin token), create, partial update and delete, and
 * the variants and images below a product (admin token). */
#include <string.h>

#include "api/api.h"
#include "core/err.h"
#include "core/parse.h"
#include "core/util.h"
#include "shop/shop.h"

static const struct {
    const char *name;
    catalog_sort_t sort;
} sort_names[] = {
    {"relevance", SORT_RELEVANCE},   {"manual", SORT_MANUAL}, {"price-asc", SORT_PRICE_ASC},
    {"price-desc", SORT_PRICE_DESC}, {"newest", SORT_NEWEST}, {"title-asc", SORT_TITLE_ASC},
    {"title-desc", SORT_TITLE_DESC},
};

static int bad_param(http_ctx_t *c, const char *param, const char *message)
{
    return http_error_fields(c, 400, "a query parameter is invalid",
                             json_pack("[{s:s, s:s}]", "field", param, "message", message));
}

/* Read the listing parameters shared by /products and /collections/:id/products.
 * 0, or the 400 response is set and SOUK_EINVAL returned. */
static int parse_query(http_ctx_t *c, catalog_query_t *q)
{
    const form_t *f;
    if (http_query(c, &f) != 0) {
        http_error(c, 400, "the query string is malformed or too long");
        return SOUK_EINVAL;
    }
    memset(q, 0, sizeof(*q));
    q->q = form_get(f, "q");
    if (q->q && strlen(q->q) > CATALOG_MAX_QUERY) {
        bad_param(c, "q", "at most 256 bytes");
        return SOUK_EINVAL;
    }
    q->collection = form_get(f, "collection");
    q->nvendors = form_get_all(f, "vendor", q->vendors, ARRAY_LEN(q->vendors));
    q->ntypes = form_get_all(f, "type", q->types, ARRAY_LEN(q->types));
    q->ntags = form_get_all(f, "tag", q->tags, ARRAY_LEN(q->tags));
    q->price_min = q->price_max = -1;
    static const char *const money_params[] = {"price_min", "price_max"};
    int64_t *money_dst[] = {&q->price_min, &q->price_max};
    for (int i = 0; i < 2; i++) {
        const char *s = form_get(f, money_params[i]);
        if (s && parse_i64(s, 0, CATALOG_MAX_PRICE, money_dst[i]) != 0) {
            bad_param(c, money_params[i], "must be a whole number of minor units, 0 or more");
            return SOUK_EINVAL;
        }
    }
    const char *avail = form_get(f, "available");
    bool b = false;
    if (avail && parse_bool(avail, &b) != 0) {
        bad_param(c, "available", "must be true or false");
        return SOUK_EINVAL;
    }
    q->available_only = b;
    const char *facets = form_get(f, "facets");
    b = false;
    if (facets && parse_bool(facets, &b) != 0) {
        bad_param(c, "facets", "must be true or false");
        return SOUK_EINVAL;
    }
    q->want_facets = b;
    const char *status = form_get(f, "status");
    if (status) {
        if (strcmp(status, "any") != 0) {
            bad_param(c, "status", "must be any (drafts need the admin token)");
            return SOUK_EINVAL;
        }
        if (!api_is_admin(c)) {
            http_error(c, 401, "listing drafts needs the admin token");
            return SOUK_EINVAL;
        }
        q->include_unpublished = true;
    }
    q->sort = q->q && q->q[0] ? SORT_RELEVANCE : q->collection ? SORT_MANUAL : SORT_NEWEST;
    const char *sort = form_get(f, "sort");
    if (sort) {
        size_t i;
        for (i = 0; i < ARRAY_LEN(sort_names); i++)
            if (strcmp(sort, sort_names[i].name) == 0)
                break;
        if (i == ARRAY_LEN(sort_names)) {
            bad_param(c, "sort",
                      "must be relevance, manual, price-asc, price-desc, newest, title-asc or "
                      "title-desc");
            return SOUK_EINVAL;
        }
        q->sort = sort_names[i].sort;
    }
    int64_t limit = 24, offset = 0;
    const char *ls = form_get(f, "limit"), *os = form_get(f, "offset");
    if (ls && parse_i64(ls, 1, CATALOG_MAX_PAGE_SIZE, &limit) != 0) {
        bad_param(c, "limit", "must be 1 to 100");
        return SOUK_EINVAL;
    }
    if (os && parse_i64(os, 0, CATALOG_MAX_OFFSET, &offset) != 0) {
        bad_param(c, "offset", "must be 0 to 10000");
        return SOUK_EINVAL;
    }
    q->limit = (int)limit;
    q->offset = (int)offset;
    return 0;
}

static json_t *facets_json(const catalog_page_t *pg)
{
    json_t *lists[3];
    const facet_count_t *src[3] = {pg->vendors, pg->types, pg->tags};
    size_t n[3] = {pg->nvendors, pg->ntypes, pg->ntags};
    for (int k = 0; k < 3; k++) {
        lists[k] = json_array();
        for (size_t i = 0; i < n[k]; i++)
            json_array_append_new(lists[k], json_pack("{s:s, s:I}", "value", src[k][i].value,
                                                      "count", (json_int_t)src[k][i].count));
    }
    return json_pack("{s:o, s:o, s:o, s:{s:I, s:I}, s:I}", "vendors", lists[0], "types", lists[1],
                     "tags", lists[2], "price", "min", (json_int_t)pg->price_floor, "max",
                     (json_int_t)pg->price_ceiling, "available", (json_int_t)pg->available_count);
}

/* Run q and answer the list. */
static int send_list(http_ctx_t *c, catalog_query_t *q)
{
    arena_t a = ARENA_INIT;
    catalog_page_t pg;
    int rc = catalog_search_mirrored(http_db(c), shop_mirror(http_app(c)), &a, q, &pg);
    if (rc == SOUK_ENOTFOUND) {
        arena_free(&a);
        return http_error(c, 404, "no such collection");
    }
    if (rc != 0) {
        arena_free(&a);
        return rc;
    }
    const char *cur = http_config(c)->currency;
    json_t *items = json_array();
    for (size_t i = 0; i < pg.n; i++)
        json_array_append_new(items, api_product_summary_json(&pg.items[i], cur));
    json_t *j = json_pack("{s:o, s:I, s:i, s:i}", "products", items, "total", (json_int_t)pg.total,
                          "limit", q->limit, "offset", q->offset);
    if (q->want_facets)
        json_object_set_new(j, "facets", facets_json(&pg));
    arena_free(&a);
    http_set_cache(c, q->include_unpublished ? "private, no-store" : "public, max-age=60");
    return http_send_json(c, 200, j);
}

int api_products_list(http_ctx_t *c)
{
    catalog_query_t q;
    if (parse_query(c, &q) != 0)
        return 0;
    return send_list(c, &q);
}

int api_collection_products(http_ctx_t *c)
{
    catalog_query_t q;
    if (parse_query(c, &q) != 0)
        return 0;
    q.collection = http_param(c, "id");
    if (http_query_get(c, "sort") == NULL && !(q.q && q.q[0]))
        q.sort = SORT_MANUAL; /* a collection's own order by default */
    return send_list(c, &q);
}

/* Load the product named by :id; drafts only for admins. On failure the
 * response is set and a negative code returned. */
static int load(http_ctx_t *c, arena_t *a, product_t **p, bool admin)
{
    int rc = catalog_product_get(http_db(c), a, http_param(c, "id"), p);
    if (rc == SOUK_ENOTFOUND || (rc == 0 && !admin && (*p)->status != PRODUCT_ACTIVE)) {
        http_error(c, 404, "no such product");
        return SOUK_ENOTFOUND;
    }
    if (rc != 0) {
        http_error(c, 500, "the server could not complete the request");
        return rc;
    }
    return 0;
}

int api_product_get(http_ctx_t *c)
{
    arena_t a = ARENA_INIT;
    product_t *p;
    bool admin = api_is_admin(c);
    if (load(c, &a, &p, admin) == 0) {
        http_set_cache(c, admin ? "private, no-store" : "public, max-age=60");
        http_send_json(c, 200, api_product_json(p, http_config(c)->currency));
    }
    arena_free(&a);
    return 0;
}

/* Save p and answer with it (status on success), or with the errors. */
static int save_and_send(http_ctx_t *c, arena_t *a, product_t *p, int status,
                         catalog_errors_t *errs)
{
    int rc;
    if (errs->n) {
        /* Type errors in the JSON: name the catalog's problems too, so the
         * client sees them all at once (nothing is written). */
        catalog_errors_t more = {0};
        catalog_product_validate(a, p, &more);
        for (size_t i = 0; i < more.n && errs->n < ARRAY_LEN(errs->items); i++) {
            bool dup = false;
            for (size_t k = 0; k < errs->n; k++)
                if (strcmp(errs->items[k].field, more.items[i].field) == 0)
                    dup = true;
            if (!dup)
                errs->items[errs->n++] = more.items[i];
        }
        rc = SOUK_EINVAL;
    } else {
        rc = catalog_product_save(http_db(c), a, p, errs);
    }
    if (rc == SOUK_EINVAL || rc == SOUK_ECONFLICT)
        return api_validation_error(c, rc, errs);
    if (rc == SOUK_ENOTFOUND)
        return http_error(c, 404, "no such product");
    if (rc != 0)
        return rc;
    product_t *fresh;
    if ((rc = catalog_product_get(http_db(c), a, p->public_id, &fresh)) != 0)
        return rc;
    if (status == 201) {
        char loc[64 + CATALOG_MAX_HANDLE];
        snprintf(loc, sizeof(loc), "/api/v1/products/%s", fresh->public_id);
        http_add_header(c, "location", loc);
    }
    return http_send_json(c, status, api_product_json(fresh, http_config(c)->currency));
}

int api_product_create(http_ctx_t *c)
{
    json_t *body;
    if (api_require_admin(c) != 0 || http_json(c, &body) != 0)
        return 0;
    arena_t a = ARENA_INIT;
    catalog_errors_t errs = {0};
    product_t p = {.status = PRODUCT_DRAFT};
    api_product_from_json(&a, body, &p, &errs);
    int rc = save_and_send(c, &a, &p, 201, &errs);
    arena_free(&a);
    return rc;
}

int api_product_update(http_ctx_t *c)
{
    json_t *body;
    if (api_require_admin(c) != 0 || http_json(c, &body) != 0)
        return 0;
    arena_t a = ARENA_INIT;
    product_t *p;
    int rc = 0;
    if (load(c, &a, &p, true) == 0) {
        catalog_errors_t errs = {0};
        api_product_from_json(&a, body, p, &errs);
        rc = save_and_send(c, &a, p, 200, &errs);
    }
    arena_free(&a);
    return rc;
}

int api_product_delete(http_ctx_t *c)
{
    if (api_require_admin(c) != 0)
        return 0;
    int rc = catalog_product_delete(http_db(c), http_param(c, "id"));
    if (rc == SOUK_ENOTFOUND)
        return http_error(c, 404, "no such product");
    if (rc != 0)
        return rc;
    http_set_status(c, 204);
    return 0;
}

/* ---- variants and images: edits of one element of the product ---- */

static int find_variant(const product_t *p, const char *id)
{
    for (size_t i = 0; i < p->nvariants; i++)
        if (strcmp(p->variants[i].public_id, id) == 0)
            return (int)i;
    return -1;
}

static int find_image(const product_t *p, const char *id)
{
    for (size_t i = 0; i < p->nimages; i++)
        if (strcmp(p->images[i].public_id, id) == 0)
            return (int)i;
    return -1;
}

/* Load the product for an edit of its parts, after the admin check. */
static int begin_edit(http_ctx_t *c, arena_t *a, product_t **p, json_t **body)
{
    if (api_require_admin(c) != 0)
        return SOUK_EINVAL;
    if (body && http_json(c, body) != 0)
        return SOUK_EINVAL;
    return load(c, a, p, true);
}

/* One change to a product's variants or images. It returns 0 to have the
 * product saved, or a negative code once it has set the response itself. */
typedef int (*part_edit_fn)(http_ctx_t *c, arena_t *a, product_t *p, json_t *body,
                            catalog_errors_t *errs);

/* The frame every variant and image edit shares: admin check, body (when the
 * edit takes one), load, edit, save, answer with the product. */
static int edit_parts(http_ctx_t *c, bool takes_body, int status, part_edit_fn fn)
{
    arena_t a = ARENA_INIT;
    product_t *p;
    json_t *body = NULL;
    int rc = 0;
    if (begin_edit(c, &a, &p, takes_body ? &body : NULL) == 0) {
        catalog_errors_t errs = {0};
        if (fn(c, &a, p, body, &errs) == 0)
            rc = save_and_send(c, &a, p, status, &errs);
    }
    arena_free(&a);
    return rc;
}

static int add_variant(http_ctx_t *c, arena_t *a, product_t *p, json_t *body,
                       catalog_errors_t *errs)
{
    (void)c;
    variant_t *nv = arena_alloc(a, (p->nvariants + 1) * sizeof(*nv));
    memcpy(nv, p->variants, p->nvariants * sizeof(*nv));
    nv[p->nvariants] = (variant_t){.compare_at_price = -1,
                                   .cost = -1,
                                   .requires_shipping = true,
                                   .taxable = true,
                                   .weight_unit = WEIGHT_KG};
    api_variant_from_json(a, body, &nv[p->nvariants], "", errs);
    p->variants = nv;
    p->nvariants++;
    return 0;
}

static int change_variant(http_ctx_t *c, arena_t *a, product_t *p, json_t *body,
                          catalog_errors_t *errs)
{
    int i = find_variant(p, http_param(c, "vid"));
    if (i < 0) {
        http_error(c, 404, "no such variant on this product");
        return SOUK_ENOTFOUND;
    }
    api_variant_from_json(a, body, &p->variants[i], "", errs);
    return 0;
}

static int remove_variant(http_ctx_t *c, arena_t *a, product_t *p, json_t *body,
                          catalog_errors_t *errs)
{
    (void)a;
    (void)body;
    (void)errs;
    int i = find_variant(p, http_param(c, "vid"));
    if (i < 0) {
        http_error(c, 404, "no such variant on this product");
        return SOUK_ENOTFOUND;
    }
    if (p->nvariants == 1) {
        http_error(c, 409, "a product keeps at least one variant; delete the product");
        return SOUK_ECONFLICT;
    }
    memmove(&p->variants[i], &p->variants[i + 1],
            (p->nvariants - (size_t)i - 1) * sizeof(*p->variants));
    p->nvariants--;
    return 0;
}

static int add_image(http_ctx_t *c, arena_t *a, product_t *p, json_t *body, catalog_errors_t *errs)
{
    (void)c;
    image_t *ni = arena_alloc(a, (p->nimages + 1) * sizeof(*ni));
    memcpy(ni, p->images, p->nimages * sizeof(*ni));
    ni[p->nimages] = (image_t){0};
    api_image_from_json(a, body, &ni[p->nimages], "", errs);
    p->images = ni;
    p->nimages++;
    return 0;
}

static int change_image(http_ctx_t *c, arena_t *a, product_t *p, json_t *body,
                        catalog_errors_t *errs)
{
    int i = find_image(p, http_param(c, "iid"));
    if (i < 0) {
        http_error(c, 404, "no such image on this product");
        return SOUK_ENOTFOUND;
    }
    api_image_from_json(a, body, &p->images[i], "", errs);
    return 0;
}

static int remove_image(http_ctx_t *c, arena_t *a, product_t *p, json_t *body,
                        catalog_errors_t *errs)
{
    (void)a;
    (void)body;
    (void)errs;
    int i = find_image(p, http_param(c, "iid"));
    if (i < 0) {
        http_error(c, 404, "no such image on this product");
        return SOUK_ENOTFOUND;
    }
    memmove(&p->images[i], &p->images[i + 1], (p->nimages - (size_t)i - 1) * sizeof(*p->images));
    p->nimages--;
    return 0;
}

int api_variant_create(http_ctx_t *c)
{
    return edit_parts(c, true, 201, add_variant);
}

int api_variant_update(http_ctx_t *c)
{
    return edit_parts(c, true, 200, change_variant);
}

int api_variant_delete(http_ctx_t *c)
{
    return edit_parts(c, false, 200, remove_variant);
}

int api_image_create(http_ctx_t *c)
{
    return edit_parts(c, true, 201, add_image);
}

int api_image_update(http_ctx_t *c)
{
    return edit_parts(c, true, 200, change_image);
}

int api_image_delete(http_ctx_t *c)
{
    return edit_parts(c, false, 200, remove_image);
}
