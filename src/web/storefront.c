/* storefront.c - the shopper's pages: home, collection, search, product,
 * and their SEO companions (sitemap.xml, robots.txt). Handlers read the
 * request, ask the catalog, and hand a JSON context to a template; the rules
 * live in shop/catalog, the markup in templates/. Anonymous catalog pages are
 * cacheable for a minute and revalidated by ETag. */
#include <string.h>

#include "core/err.h"
#include "core/sanitize.h"
#include "core/util.h"
#include "shop/shop.h"
#include "web/listing.h"
#include "web/render.h"
#include "web/web.h"

#define PAGE_CACHE "public, max-age=60"
#define HOME_PER_COLLECTION 10
#define HOME_FEATURED_COLLECTIONS 4

/* The common members of every page: page (title, description, canonical),
 * nav. path is the canonical path (no query). */
static json_t *page_context(http_ctx_t *c, const char *title, const char *description,
                            const char *path, const char *current_collection)
{
    const config_t *cfg = http_config(c);
    buf_t t = BUF_INIT, canon = BUF_INIT;
    if (title && title[0]) {
        buf_puts(&t, title);
        buf_puts(&t, " – ");
    }
    buf_puts(&t, cfg->store_name);
    buf_puts(&canon, web_origin(c));
    buf_puts(&canon, path);
    json_t *page = json_object();
    web_put_str(page, "title", buf_cstr(&t));
    web_put_str(page, "description", description);
    web_put_str(page, "canonical", buf_cstr(&canon));
    json_t *ctx = json_object();
    web_put(ctx, "page", page);
    web_put(ctx, "nav", listing_nav(c, current_collection));
    buf_free(&t);
    buf_free(&canon);
    return ctx;
}

/* Plain text of sanitized HTML for a meta description. */
static char *meta_text(http_ctx_t *c, const char *html)
{
    buf_t b = BUF_INIT;
    if (html == NULL || html_to_text(html, strlen(html), 160, &b) != 0)
        buf_reset(&b);
    char *s = http_strdup(c, buf_cstr(&b));
    buf_free(&b);
    return s;
}

int web_not_found(http_ctx_t *c, const char *message)
{
    json_t *ctx = page_context(c, "Page not found", NULL, http_path(c), NULL);
    json_object_set_new(json_object_get(ctx, "page"), "noindex", json_true());
    json_object_set_new(ctx, "message", json_string(message));
    http_set_cache(c, "no-store");
    return web_render(c, 404, "404.html", ctx);
}

int web_home(http_ctx_t *c)
{
    db_t *db = http_db(c);
    arena_t a = ARENA_INIT;
    const config_t *cfg = http_config(c);
    json_t *ctx = page_context(c, NULL, NULL, "/", NULL);
    json_object_set_new(json_object_get(ctx, "page"), "description",
                        json_sprintf("Shop %s online.", cfg->store_name));
    collection_t *cols;
    size_t n;
    int rc = catalog_collections_list_uncounted(db, &a, &cols, &n);
    json_t *featured = json_array();
    for (size_t i = 0; rc == 0 && i < n && json_array_size(featured) < HOME_FEATURED_COLLECTIONS;
         i++) {
        if (!cols[i].featured || !cols[i].published)
            continue;
        catalog_query_t q = {.collection = cols[i].public_id,
                             .sort = SORT_MANUAL,
                             .limit = HOME_PER_COLLECTION,
                             .price_min = -1,
                             .price_max = -1,
                             .cards_only = true};
        catalog_page_t pg;
        if ((rc = catalog_search_mirrored(db, shop_mirror(http_app(c)), &a, &q, &pg)) != 0)
            break;
        json_t *items = json_array();
        for (size_t k = 0; k < pg.n; k++)
            json_array_append_new(items, listing_card(&pg.items[k]));
        json_t *fc = json_pack("{s:s, s:s+, s:o}", "title", cols[i].title, "url", "/collections/",
                               cols[i].handle, "products", items);
        /* The first featured collection leads the page as its hero, with
         * its description, so the hero says what the store puts forward
         * rather than repeating the name the header already shows. It
         * stays first in featured_collections too, for templates that
         * predate the hero. */
        if (json_array_size(featured) == 0) {
            json_object_set_new(fc, "text", json_string(meta_text(c, cols[i].body_html)));
            json_object_set(ctx, "hero", fc);
        }
        json_array_append_new(featured, fc);
    }
    json_object_set_new(ctx, "featured_collections", featured);
    if (rc == 0) {
        catalog_query_t q = {
            .sort = SORT_NEWEST, .limit = 10, .price_min = -1, .price_max = -1, .cards_only = true};
        catalog_page_t pg;
        if ((rc = catalog_search_mirrored(db, shop_mirror(http_app(c)), &a, &q, &pg)) == 0) {
            json_t *items = json_array();
            for (size_t k = 0; k < pg.n; k++)
                json_array_append_new(items, listing_card(&pg.items[k]));
            json_object_set_new(ctx, "featured_products", items);
        }
    }
    arena_free(&a);
    if (rc != 0) {
        json_decref(ctx);
        return rc;
    }
    http_set_cache(c, PAGE_CACHE);
    return web_render(c, 200, "home.html", ctx);
}

/* Parents of a collection from the top, for the breadcrumb. */
static json_t *breadcrumb(http_ctx_t *c, arena_t *a, const collection_t *col)
{
    json_t *parents = json_array();
    const char *parent = col->parent_public_id;
    for (int depth = 0; parent && depth < CATALOG_MAX_COLLECTION_DEPTH; depth++) {
        collection_t *p;
        if (catalog_collection_find(http_db(c), a, parent, &p) != 0)
            break;
        if (!p->published) {
            parent = p->parent_public_id; /* a hidden parent is skipped, not linked */
            continue;
        }
        json_array_insert_new(
            parents, 0,
            json_pack("{s:s, s:s+}", "title", p->title, "url", "/collections/", p->handle));
        parent = p->parent_public_id;
    }
    return parents;
}

int web_collection(http_ctx_t *c)
{
    db_t *db = http_db(c);
    arena_t a = ARENA_INIT;
    collection_t *col;
    int rc = catalog_collection_find(db, &a, http_param(c, "handle"), &col);
    if (rc == SOUK_ENOTFOUND || (rc == 0 && !col->published)) {
        arena_free(&a);
        return web_not_found(c, "There is no such collection.");
    }
    catalog_query_t q;
    int pageno;
    char err[160];
    catalog_page_t pg;
    json_t *ctx = NULL;
    if (rc != 0)
        goto out;
    if ((rc = listing_parse(c, &q, &pageno, err, sizeof(err))) != 0) {
        rc = http_error(c, 400, err);
        goto out;
    }
    q.collection = col->public_id;
    if ((rc = catalog_search_mirrored(db, shop_mirror(http_app(c)), &a, &q, &pg)) != 0)
        goto out;
    char path[CATALOG_MAX_HANDLE + 16];
    snprintf(path, sizeof(path), "/collections/%s", col->handle);
    ctx =
        page_context(c, col->seo_title && col->seo_title[0] ? col->seo_title : col->title,
                     col->seo_description && col->seo_description[0] ? col->seo_description
                                                                     : meta_text(c, col->body_html),
                     path, col->handle);
    collection_link_t *kids;
    size_t nkids;
    json_t *children = json_array();
    if (catalog_collection_links(db, &a, col->id, &kids, &nkids) == 0)
        for (size_t i = 0; i < nkids; i++) {
            json_t *link = json_object();
            web_put_str(link, "title", kids[i].title);
            web_put_cat(link, "url", "/collections/", kids[i].handle);
            json_array_append_new(children, link);
        }
    json_object_set_new(ctx, "collection",
                        json_pack("{s:s, s:s, s:s, s:o, s:o}", "handle", col->handle, "title",
                                  col->title, "body_html", col->body_html ? col->body_html : "",
                                  "children", children, "parents", breadcrumb(c, &a, col)));
    tmpl_bind_t binds[LISTING_BINDS];
    listing_context(c, ctx, binds, path, &q, &pg, pageno, true);
    /* Filtered and deeper pages are not separate documents for search engines. */
    if (q.nvendors || q.ntypes || q.ntags || q.price_min >= 0 || q.price_max >= 0 ||
        q.available_only || pageno > 1)
        json_object_set_new(json_object_get(ctx, "page"), "noindex", json_true());
    http_set_cache(c, PAGE_CACHE);
    rc = web_render_with(c, 200, "collection.html", ctx, binds,
                         LISTING_BINDS); /* before a is freed */
    ctx = NULL;
out:
    json_decref(ctx);
    arena_free(&a);
    return rc;
}

int web_search(http_ctx_t *c)
{
    arena_t a = ARENA_INIT;
    catalog_query_t q;
    int pageno;
    char err[160];
    catalog_page_t pg;
    int rc = listing_parse(c, &q, &pageno, err, sizeof(err));
    if (rc != 0) {
        arena_free(&a);
        return http_error(c, 400, err);
    }
    if ((rc = catalog_search_mirrored(http_db(c), shop_mirror(http_app(c)), &a, &q, &pg)) != 0) {
        arena_free(&a);
        return rc;
    }
    json_t *ctx = page_context(c, q.q && q.q[0] ? q.q : "Search", NULL, "/search", NULL);
    json_object_set_new(json_object_get(ctx, "page"), "noindex", json_true());
    tmpl_bind_t binds[LISTING_BINDS];
    listing_context(c, ctx, binds, "/search", &q, &pg, pageno, false);
    http_set_cache(c, PAGE_CACHE);
    rc = web_render_with(c, 200, "search.html", ctx, binds, LISTING_BINDS);
    arena_free(&a); /* the results read pg's products */
    return rc;
}
