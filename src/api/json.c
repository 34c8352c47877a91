/* json.c - the catalog's JSON shapes for API v1, in both directions, and the
 * admin-token check. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/err.h"
#include "core/util.h"

/* ---- validation problems ---- */

static void api_err(catalog_errors_t *e, const char *field, const char *msg)
{
    if (e->n < ARRAY_LEN(e->items)) {
        e->items[e->n].field = field;
        e->items[e->n].message = msg;
        e->n++;
    }
}

static const char *api_fieldf(arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *api_fieldf(arena_t *a, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    return arena_strdup(a, tmp);
}

/* ---- authentication ---- */

bool api_is_admin(http_ctx_t *c)
{
    const config_t *cfg = http_config(c);
    const char *h = http_header(c, "authorization");
    if (cfg->admin_token[0] == '\0' || h == NULL || strncmp(h, "Bearer ", 7) != 0)
        return false;
    /* Compare digests, so the comparison takes the same time whatever the
     * lengths and contents. */
    unsigned char want[32], got[32];
    crypto_generichash(want, sizeof(want), (const unsigned char *)cfg->admin_token,
                       strlen(cfg->admin_token), NULL, 0);
    crypto_generichash(got, sizeof(got), (const unsigned char *)h + 7, strlen(h + 7), NULL, 0);
    bool ok = sodium_memcmp(want, got, sizeof(want)) == 0;
    sodium_memzero(want, sizeof(want));
    return ok;
}

int api_require_admin(http_ctx_t *c)
{
    const config_t *cfg = http_config(c);
    if (cfg->admin_token[0] == '\0') {
        http_error(c, 403, "the admin API is disabled: no admin token is configured");
        return SOUK_EINVAL;
    }
    if (!api_is_admin(c)) {
        http_error(c, 401, "a valid admin token is required (Authorization: Bearer TOKEN)");
        http_add_header(c, "www-authenticate", "Bearer realm=\"souk\"");
        return SOUK_EINVAL;
    }
    return 0;
}

/* ---- out ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *money_or_null(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *variant_json(const product_t *p, const variant_t *v)
{
    json_t *opts = json_array();
    for (int k = 0; k < CATALOG_MAX_OPTIONS && p->option_names[k]; k++)
        json_array_append_new(opts, str_or_null(v->options[k]));
    return json_pack("{s:s, s:i, s:o, s:o, s:I, s:o, s:o, s:I, s:s, s:o, s:b, s:b, s:I, s:s}", "id",
                     v->public_id, "position", v->position, "sku", str_or_null(v->sku), "options",
                     opts, "price", (json_int_t)v->price, "compare_at_price",
                     money_or_null(v->compare_at_price), "cost", money_or_null(v->cost),
                     "weight_grams", (json_int_t)v->weight_grams, "weight_unit",
                     weight_unit_name(v->weight_unit), "barcode", str_or_null(v->barcode),
                     "requires_shipping", v->requires_shipping, "taxable", v->taxable,
                     "inventory_quantity", (json_int_t)v->inventory_quantity, "inventory_policy",
                     v->inventory_policy == INVENTORY_CONTINUE ? "continue" : "deny");
}

static json_t *image_json(const image_t *im)
{
    json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:o}", "id", im->public_id, "position",
                          im->position, "src", im->src, "alt", im->alt ? im->alt : "", "variant_id",
                          str_or_null(im->variant_public_id));
    json_object_set_new(j, "width", im->width > 0 ? json_integer(im->width) : json_null());
    json_object_set_new(j, "height", im->height > 0 ? json_integer(im->height) : json_null());
    return j;
}

json_t *api_product_summary_json(const product_t *p, const char *currency)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:s, s:s}", "id", p->public_id,
        "handle", p->handle, "title", p->title, "vendor", p->vendor ? p->vendor : "",
        "product_type", p->product_type ? p->product_type : "", "status",
        product_status_name(p->status), "price_min", (json_int_t)p->price_min, "price_max",
        (json_int_t)p->price_max, "currency", currency, "available", p->available, "created_at",
        p->created_at ? p->created_at : "", "updated_at", p->updated_at ? p->updated_at : "");
    json_object_set_new(j, "image", p->nimages ? image_json(&p->images[0]) : json_null());
    return j;
}

json_t *api_product_json(const product_t *p, const char *currency)
{
    json_t *j = api_product_summary_json(p, currency);
    json_object_del(j, "image");
    json_t *opts = json_array(), *tags = json_array(), *vars = json_array(), *imgs = json_array();
    for (int k = 0; k < CATALOG_MAX_OPTIONS && p->option_names[k]; k++)
        json_array_append_new(opts, json_string(p->option_names[k]));
    for (size_t i = 0; i < p->ntags; i++)
        json_array_append_new(tags, json_string(p->tags[i]));
    for (size_t i = 0; i < p->nvariants; i++)
        json_array_append_new(vars, variant_json(p, &p->variants[i]));
    for (size_t i = 0; i < p->nimages; i++)
        json_array_append_new(imgs, image_json(&p->images[i]));
    json_object_set_new(j, "body_html", json_string(p->body_html ? p->body_html : ""));
    json_object_set_new(j, "seo_title", json_string(p->seo_title ? p->seo_title : ""));
    json_object_set_new(j, "seo_description",
                        json_string(p->seo_description ? p->seo_description : ""));
    json_object_set_new(j, "options", opts);
    json_object_set_new(j, "tags", tags);
    json_object_set_new(j, "variants", vars);
    json_object_set_new(j, "images", imgs);
    return j;
}

json_t *api_collection_json(const collection_t *col)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:b, s:s, s:s, s:I, s:s, s:s}", "id", col->public_id,
        "handle", col->handle, "title", col->title, "body_html",
        col->body_html ? col->body_html : "", "parent_id", str_or_null(col->parent_public_id),
        "position", col->position, "featured", col->featured, "published", col->published,
        "seo_title", col->seo_title ? col->seo_title : "", "seo_description",
        col->seo_description ? col->seo_description : "", "product_count",
        (json_int_t)col->product_count, "created_at", col->created_at ? col->created_at : "",
        "updated_at", col->updated_at ? col->updated_at : "");
}

/* ---- in ---- */

/* Read an optional member of the expected JSON type into place, reporting a
 * type error under its path. */
static void get_str(arena_t *a, json_t *j, const char *key, const char **dst, const char *prefix,
                    catalog_errors_t *errs, bool nullable)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return;
    if (json_is_null(v) && nullable) {
        *dst = NULL;
        return;
    }
    if (!json_is_string(v)) {
        api_err(errs, api_fieldf(a, "%s%s", prefix, key), "must be a string");
        return;
    }
    *dst = arena_strndup(a, json_string_value(v), json_string_length(v));
}

static void get_int(arena_t *a, json_t *j, const char *key, int64_t *dst, const char *prefix,
                    catalog_errors_t *errs, bool nullable)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return;
    if (json_is_null(v) && nullable) {
        *dst = -1;
        return;
    }
    if (!json_is_integer(v)) {
        api_err(errs, api_fieldf(a, "%s%s", prefix, key),
                "must be a whole number (money in minor units)");
        return;
    }
    *dst = json_integer_value(v);
}

static void get_bool(arena_t *a, json_t *j, const char *key, bool *dst, const char *prefix,
                     catalog_errors_t *errs)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL)
        return;
    if (!json_is_boolean(v)) {
        api_err(errs, api_fieldf(a, "%s%s", prefix, key), "must be true or false");
        return;
    }
    *dst = json_is_true(v);
}

void api_variant_from_json(arena_t *a, json_t *j, variant_t *v, const char *prefix,
                           catalog_errors_t *errs)
{
    if (!json_is_object(j)) {
        api_err(errs, prefix[0] ? prefix : "body", "must be an object");
        return;
    }
    get_str(a, j, "sku", &v->sku, prefix, errs, true);
    get_int(a, j, "price", &v->price, prefix, errs, false);
    get_int(a, j, "compare_at_price", &v->compare_at_price, prefix, errs, true);
    get_int(a, j, "cost", &v->cost, prefix, errs, true);
    get_int(a, j, "weight_grams", &v->weight_grams, prefix, errs, false);
    get_str(a, j, "barcode", &v->barcode, prefix, errs, true);
    get_bool(a, j, "requires_shipping", &v->requires_shipping, prefix, errs);
    get_bool(a, j, "taxable", &v->taxable, prefix, errs);
    get_int(a, j, "inventory_quantity", &v->inventory_quantity, prefix, errs, false);
    const char *s = NULL;
    get_str(a, j, "weight_unit", &s, prefix, errs, false);
    if (s && weight_unit_parse(s, &v->weight_unit) != 0)
        api_err(errs, api_fieldf(a, "%sweight_unit", prefix), "must be g, kg, lb or oz");
    s = NULL;
    get_str(a, j, "inventory_policy", &s, prefix, errs, false);
    if (s) {
        if (strcmp(s, "deny") == 0)
            v->inventory_policy = INVENTORY_DENY;
        else if (strcmp(s, "continue") == 0)
            v->inventory_policy = INVENTORY_CONTINUE;
        else
            api_err(errs, api_fieldf(a, "%sinventory_policy", prefix), "must be deny or continue");
    }
    json_t *opts = json_object_get(j, "options");
    if (opts) {
        if (!json_is_array(opts) || json_array_size(opts) > CATALOG_MAX_OPTIONS) {
            api_err(errs, api_fieldf(a, "%soptions", prefix),
                    "must be a list of at most 3 strings");
        } else {
            for (int k = 0; k < CATALOG_MAX_OPTIONS; k++) {
                json_t *o = json_array_get(opts, (size_t)k);
                if (o && !json_is_string(o))
                    api_err(errs, api_fieldf(a, "%soptions[%d]", prefix, k), "must be a string");
                v->options[k] = json_is_string(o) ? arena_strdup(a, json_string_value(o)) : NULL;
            }
        }
    }
}

void api_image_from_json(arena_t *a, json_t *j, image_t *im, const char *prefix,
                         catalog_errors_t *errs)
{
    if (!json_is_object(j)) {
        api_err(errs, prefix[0] ? prefix : "body", "must be an object");
        return;
    }
    get_str(a, j, "src", &im->src, prefix, errs, false);
    get_str(a, j, "alt", &im->alt, prefix, errs, false);
    get_str(a, j, "variant_id", &im->variant_public_id, prefix, errs, true);
    int64_t w = im->width, h = im->height;
    get_int(a, j, "width", &w, prefix, errs, true);
    get_int(a, j, "height", &h, prefix, errs, true);
    if (w < -1 || w > 100000 || h < -1 || h > 100000)
        api_err(errs, api_fieldf(a, "%swidth", prefix), "must be 0 to 100000 pixels");
    im->width = w < 0 ? 0 : (int)w;
    im->height = h < 0 ? 0 : (int)h;
}

void api_product_from_json(arena_t *a, json_t *j, product_t *p, catalog_errors_t *errs)
{
    if (!json_is_object(j)) {
        api_err(errs, "body", "must be a JSON object");
        return;
    }
    get_str(a, j, "handle", &p->handle, "", errs, true);
    get_str(a, j, "title", &p->title, "", errs, false);
    get_str(a, j, "body_html", &p->body_html, "", errs, false);
    get_str(a, j, "vendor", &p->vendor, "", errs, false);
    get_str(a, j, "product_type", &p->product_type, "", errs, false);
    get_str(a, j, "seo_title", &p->seo_title, "", errs, false);
    get_str(a, j, "seo_description", &p->seo_description, "", errs, false);
    const char *status = NULL;
    get_str(a, j, "status", &status, "", errs, false);
    if (status && product_status_parse(status, &p->status) != 0)
        api_err(errs, "status", "must be draft, active or archived");
    json_t *opts = json_object_get(j, "options");
    if (opts) {
        if (!json_is_array(opts) || json_array_size(opts) > CATALOG_MAX_OPTIONS) {
            api_err(errs, "options", "must be a list of at most 3 option names");
        } else {
            for (int k = 0; k < CATALOG_MAX_OPTIONS; k++) {
                json_t *o = json_array_get(opts, (size_t)k);
                if (o && !json_is_string(o))
                    api_err(errs, api_fieldf(a, "options[%d]", k), "must be a string");
                p->option_names[k] =
                    json_is_string(o) ? arena_strdup(a, json_string_value(o)) : NULL;
            }
        }
    }
    json_t *tags = json_object_get(j, "tags");
    if (tags) {
        if (!json_is_array(tags) || json_array_size(tags) > CATALOG_MAX_TAGS) {
            api_err(errs, "tags", "must be a list of at most 250 strings");
        } else {
            p->ntags = json_array_size(tags);
            p->tags = arena_alloc(a, (p->ntags ? p->ntags : 1) * sizeof(*p->tags));
            for (size_t i = 0; i < p->ntags; i++) {
                json_t *t = json_array_get(tags, i);
                if (!json_is_string(t))
                    api_err(errs, api_fieldf(a, "tags[%zu]", i), "must be a string");
                p->tags[i] = json_is_string(t) ? arena_strdup(a, json_string_value(t)) : "";
            }
        }
    }
    json_t *vars = json_object_get(j, "variants");
    if (vars) {
        if (!json_is_array(vars) || json_array_size(vars) > CATALOG_MAX_VARIANTS) {
            api_err(errs, "variants", "must be a list of at most 100 variants");
        } else {
            /* A full list: variants named by id keep their identity and any
             * fields not given; others are new. */
            size_t n = json_array_size(vars);
            variant_t *nv = arena_alloc(a, (n ? n : 1) * sizeof(*nv));
            for (size_t i = 0; i < n; i++) {
                json_t *vj = json_array_get(vars, i);
                const char *id = json_string_value(json_object_get(vj, "id"));
                variant_t base = {.compare_at_price = -1,
                                  .cost = -1,
                                  .requires_shipping = true,
                                  .taxable = true,
                                  .weight_unit = WEIGHT_KG};
                for (size_t k = 0; id && k < p->nvariants; k++)
                    if (p->variants[k].public_id && strcmp(p->variants[k].public_id, id) == 0)
                        base = p->variants[k];
                if (id && base.public_id == NULL)
                    api_err(errs, api_fieldf(a, "variants[%zu].id", i),
                            "names no variant of this product");
                nv[i] = base;
                api_variant_from_json(a, vj, &nv[i], api_fieldf(a, "variants[%zu].", i), errs);
            }
            p->variants = nv;
            p->nvariants = n;
        }
    }
    json_t *imgs = json_object_get(j, "images");
    if (imgs) {
        if (!json_is_array(imgs) || json_array_size(imgs) > CATALOG_MAX_IMAGES) {
            api_err(errs, "images", "must be a list of at most 250 images");
        } else {
            size_t n = json_array_size(imgs);
            image_t *ni = arena_alloc(a, (n ? n : 1) * sizeof(*ni));
            for (size_t i = 0; i < n; i++) {
                json_t *ij = json_array_get(imgs, i);
                const char *id = json_string_value(json_object_get(ij, "id"));
                image_t base = {0};
                for (size_t k = 0; id && k < p->nimages; k++)
                    if (p->images[k].public_id && strcmp(p->images[k].public_id, id) == 0)
                        base = p->images[k];
                if (id && base.public_id == NULL)
                    api_err(errs, api_fieldf(a, "images[%zu].id", i),
                            "names no image of this product");
                ni[i] = base;
                api_image_from_json(a, ij, &ni[i], api_fieldf(a, "images[%zu].", i), errs);
            }
            p->images = ni;
            p->nimages = n;
        }
    }
}

void api_collection_from_json(arena_t *a, json_t *j, collection_t *col, catalog_errors_t *errs)
{
    if (!json_is_object(j)) {
        api_err(errs, "body", "must be a JSON object");
        return;
    }
    get_str(a, j, "handle", &col->handle, "", errs, true);
    get_str(a, j, "title", &col->title, "", errs, false);
    get_str(a, j, "body_html", &col->body_html, "", errs, false);
    get_str(a, j, "parent_id", &col->parent_public_id, "", errs, true);
    get_str(a, j, "seo_title", &col->seo_title, "", errs, false);
    get_str(a, j, "seo_description", &col->seo_description, "", errs, false);
    get_bool(a, j, "featured", &col->featured, "", errs);
    get_bool(a, j, "published", &col->published, "", errs);
    int64_t pos = col->position;
    get_int(a, j, "position", &pos, "", errs, false);
    if (pos < 0 || pos > 1000000)
        api_err(errs, "position", "must be 0 to 1000000");
    col->position = (int)pos;
}

/* The catalog names fields by its structs; the API's clients by the JSON
 * they sent. Append s with the catalog's names replaced by the API's. */
static void api_names(buf_t *out, const char *s)
{
    static const struct {
        const char *from, *to;
    } names[] = {{"parent_public_id", "parent_id"},
                 {"option_names", "options"},
                 {"variant_public_id", "variant_id"},
                 {"public_id", "id"}};
    while (*s) {
        size_t i;
        for (i = 0; i < ARRAY_LEN(names); i++) {
            size_t n = strlen(names[i].from);
            if (strncmp(s, names[i].from, n) == 0) {
                buf_puts(out, names[i].to);
                s += n;
                break;
            }
        }
        if (i == ARRAY_LEN(names))
            buf_putc(out, *s++);
    }
}

int api_validation_error(http_ctx_t *c, int rc, const catalog_errors_t *errs)
{
    json_t *list = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        buf_t f = BUF_INIT, m = BUF_INIT;
        api_names(&f, errs->items[i].field);
        api_names(&m, errs->items[i].message);
        json_array_append_new(
            list, json_pack("{s:s, s:s}", "field", buf_cstr(&f), "message", buf_cstr(&m)));
        buf_free(&f);
        buf_free(&m);
    }
    if (rc == SOUK_ECONFLICT)
        return http_error_fields(c, 409, "a value that must be unique is taken", list);
    return http_error_fields(c, 422, "the request has invalid fields", list);
}
