/* product_page.c - the product page: gallery, a variant picker that works
 * without JavaScript (the option selects submit a GET form, and the server
 * renders the chosen variant) and is enhanced with it (static/js/product.js
 * reads the variants from a JSON block), and the SEO data search engines
 * read: meta description, canonical URL, Open Graph, JSON-LD Product/Offer. */
#include <string.h>

#include "core/err.h"
#include "core/sanitize.h"
#include "core/util.h"
#include "web/listing.h"
#include "web/render.h"
#include "web/web.h"

/* The variant the request asks for: ?variant=ID, or ?option1=..&option2=..,
 * else the first available one, else the first. */
static const variant_t *chosen_variant(http_ctx_t *c, const product_t *p)
{
    const char *vid = http_query_get(c, "variant");
    if (vid) {
        for (size_t i = 0; i < p->nvariants; i++)
            if (strcmp(p->variants[i].public_id, vid) == 0)
                return &p->variants[i];
    }
    const char *want[CATALOG_MAX_OPTIONS];
    bool any = false;
    for (int k = 0; k < CATALOG_MAX_OPTIONS; k++) {
        char name[16];
        snprintf(name, sizeof(name), "option%d", k + 1);
        want[k] = http_query_get(c, name);
        any = any || want[k] != NULL;
    }
    if (any) {
        for (size_t i = 0; i < p->nvariants; i++) {
            bool match = true;
            for (int k = 0; k < CATALOG_MAX_OPTIONS && p->option_names[k]; k++)
                if (want[k] &&
                    (!p->variants[i].options[k] || strcmp(want[k], p->variants[i].options[k]) != 0))
                    match = false;
            if (match)
                return &p->variants[i];
        }
    }
    for (size_t i = 0; i < p->nvariants; i++)
        if (p->variants[i].inventory_quantity > 0 ||
            p->variants[i].inventory_policy == INVENTORY_CONTINUE)
            return &p->variants[i];
    return p->nvariants ? &p->variants[0] : NULL;
}

static bool variant_available(const variant_t *v)
{
    return v->inventory_quantity > 0 || v->inventory_policy == INVENTORY_CONTINUE;
}

/* The image a variant shows: its own, else the product's first. */
static const image_t *variant_image(const product_t *p, const variant_t *v)
{
    for (size_t i = 0; v && i < p->nimages; i++)
        if (p->images[i].variant_public_id &&
            strcmp(p->images[i].variant_public_id, v->public_id) == 0)
            return &p->images[i];
    return p->nimages ? &p->images[0] : NULL;
}

static json_t *money_text(int64_t minor)
{
    buf_t b = BUF_INIT;
    web_money(&b, minor, true);
    json_t *s = json_string(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static char *absolute(http_ctx_t *c, const char *url)
{
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0)
        return (char *)url;
    buf_t b = BUF_INIT;
    buf_puts(&b, web_origin(c));
    buf_puts(&b, url);
    char *s = http_strdup(c, buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* schema.org Product with one Offer per variant. */
static json_t *jsonld(http_ctx_t *c, const product_t *p, const char *canonical,
                      const char *description)
{
    const config_t *cfg = http_config(c);
    json_t *offers = json_array();
    for (size_t i = 0; i < p->nvariants; i++) {
        const variant_t *v = &p->variants[i];
        buf_t price = BUF_INIT, url = BUF_INIT;
        web_money(&price, v->price, false);
        buf_puts(&url, canonical);
        buf_puts(&url, "?variant=");
        buf_puts(&url, v->public_id);
        json_t *o = json_object();
        web_put_str(o, "@type", "Offer");
        web_put_str(o, "price", buf_cstr(&price));
        web_put_str(o, "priceCurrency", cfg->currency);
        web_put_str(o, "availability",
                    variant_available(v) ? "https://schema.org/InStock"
                                         : "https://schema.org/OutOfStock");
        web_put_str(o, "url", buf_cstr(&url));
        if (v->sku && v->sku[0])
            web_put_str(o, "sku", v->sku);
        json_array_append_new(offers, o);
        buf_free(&price);
        buf_free(&url);
    }
    json_t *images = json_array();
    for (size_t i = 0; i < p->nimages; i++)
        json_array_append_new(images,
                              json_string(absolute(c, listing_image_url(c, p->images[i].src))));
    json_t *ld = json_object();
    web_put_str(ld, "@context", "https://schema.org");
    web_put_str(ld, "@type", "Product");
    web_put_str(ld, "name", p->title);
    web_put_str(ld, "description", description);
    web_put(ld, "image", images);
    web_put(ld, "offers", offers);
    if (p->vendor && p->vendor[0]) {
        json_t *brand = json_object();
        web_put_str(brand, "@type", "Brand");
        web_put_str(brand, "name", p->vendor);
        web_put(ld, "brand", brand);
    }
    if (p->nvariants == 1 && p->variants[0].sku && p->variants[0].sku[0])
        json_object_set_new(ld, "sku", json_string(p->variants[0].sku));
    return ld;
}

int web_product(http_ctx_t *c)
{
    db_t *db = http_db(c);
    arena_t a = ARENA_INIT;
    product_t *p;
    int rc = catalog_product_get(db, &a, http_param(c, "handle"), &p);
    if (rc == SOUK_ENOTFOUND || (rc == 0 && p->status != PRODUCT_ACTIVE)) {
        arena_free(&a);
        return web_not_found(c, "There is no such product.");
    }
    if (rc != 0) {
        arena_free(&a);
        return rc;
    }
    const variant_t *sel = chosen_variant(c, p);
    char path[CATALOG_MAX_HANDLE + 16];
    snprintf(path, sizeof(path), "/products/%s", p->handle);
    const char *desc = p->seo_description && p->seo_description[0] ? p->seo_description : NULL;
    buf_t text = BUF_INIT;
    if (desc == NULL && html_to_text(p->body_html, strlen(p->body_html), 160, &text) == 0)
        desc = buf_cstr(&text);
    const config_t *cfg = http_config(c);
    buf_t title = BUF_INIT, canon = BUF_INIT;
    buf_puts(&title, p->seo_title && p->seo_title[0] ? p->seo_title : p->title);
    buf_puts(&title, " – ");
    buf_puts(&title, cfg->store_name);
    buf_puts(&canon, web_origin(c));
    buf_puts(&canon, path);

    json_t *images = json_array();
    for (size_t i = 0; i < p->nimages; i++)
        json_array_append_new(images, listing_image(&p->images[i]));
    json_t *options = json_array();
    for (int k = 0; k < CATALOG_MAX_OPTIONS && p->option_names[k]; k++) {
        json_t *values = json_array();
        for (size_t i = 0; i < p->nvariants; i++) {
            const char *v = p->variants[i].options[k];
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                if (p->variants[j].options[k] && strcmp(p->variants[j].options[k], v) == 0)
                    seen = true;
            if (!seen) {
                json_t *one = json_object();
                web_put_str(one, "value", v);
                web_put_bool(one, "selected", sel && strcmp(sel->options[k], v) == 0);
                json_array_append_new(values, one);
            }
        }
        json_t *option = json_object();
        web_put_str(option, "name", p->option_names[k]);
        web_put(option, "values", values);
        json_array_append_new(options, option);
    }
    json_t *tags = json_array();
    for (size_t i = 0; i < p->ntags; i++)
        json_array_append_new(tags, json_string(p->tags[i]));
    json_t *vjson = json_array();
    for (size_t i = 0; i < p->nvariants; i++) {
        const variant_t *v = &p->variants[i];
        json_t *opts = json_array();
        for (int k = 0; k < CATALOG_MAX_OPTIONS && p->option_names[k]; k++)
            json_array_append_new(opts, json_string(v->options[k]));
        const image_t *im = variant_image(p, v);
        json_t *o = json_object();
        web_put_str(o, "id", v->public_id);
        web_put(o, "options", opts);
        web_put(o, "price", money_text(v->price));
        web_put_bool(o, "available", variant_available(v));
        web_put_str(o, "sku", v->sku);
        web_put(o, "compare_at",
                v->compare_at_price > v->price ? money_text(v->compare_at_price) : json_null());
        if (im)
            web_put(o, "image", listing_image(im));
        json_array_append_new(vjson, o);
    }
    json_t *selected = json_object();
    if (sel) {
        json_object_set_new(selected, "id", json_string(sel->public_id));
        json_object_set_new(selected, "price", json_integer(sel->price));
        if (sel->compare_at_price > sel->price)
            json_object_set_new(selected, "compare_at", json_integer(sel->compare_at_price));
        json_object_set_new(selected, "available", json_boolean(variant_available(sel)));
        json_object_set_new(selected, "sku", json_string(sel->sku ? sel->sku : ""));
        const image_t *im = variant_image(p, sel);
        if (im)
            json_object_set_new(selected, "image", listing_image(im));
    }
    json_t *product = json_object();
    web_put_str(product, "handle", p->handle);
    web_put_str(product, "title", p->title);
    web_put_str(product, "url", path);
    web_put_str(product, "vendor", p->vendor);
    web_put_str(product, "body_html", p->body_html);
    web_put(product, "images", images);
    web_put(product, "options", options);
    web_put_bool(product, "has_options", p->option_names[0] != NULL);
    web_put_bool(product, "many_images", p->nimages > 1);
    web_put(product, "tags", tags);
    collection_link_t *cols; /* published ones only: a hidden one is never named or linked */
    size_t ncols;
    if (catalog_product_collections(db, &a, p->id, &cols, &ncols) == 0 && ncols > 0) {
        json_t *col = json_object();
        web_put_str(col, "title", cols[0].title);
        web_put_cat(col, "url", "/collections/", cols[0].handle);
        web_put(product, "collection", col);
    }
    json_t *page = json_object();
    web_put_str(page, "title", buf_cstr(&title));
    web_put_str(page, "description", desc ? desc : "");
    web_put_str(page, "canonical", buf_cstr(&canon));
    web_put_str(page, "og_type", "product");
    web_put(page, "jsonld", jsonld(c, p, buf_cstr(&canon), desc ? desc : ""));
    json_object_set_new(page, "og_title", json_string(p->title));
    const image_t *og = variant_image(p, sel);
    if (og)
        json_object_set_new(page, "og_image",
                            json_string(absolute(c, listing_image_url(c, og->src))));
    json_t *ctx = json_object();
    web_put(ctx, "page", page);
    web_put(ctx, "nav", listing_nav(c, NULL));
    web_put(ctx, "product", product);
    web_put(ctx, "selected", selected);
    web_put(ctx, "variants_json", vjson);
    buf_free(&text);
    buf_free(&title);
    buf_free(&canon);
    arena_free(&a);
    http_set_cache(c, "public, max-age=60");
    return web_render(c, 200, "product.html", ctx);
}
