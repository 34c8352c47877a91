/* listing.h - what the storefront's listing pages (collection, search) share:
 * reading filters, sorting and the page number from the query string, and
 * turning catalog results into the template context. */
#ifndef SOUK_WEB_LISTING_H
#define SOUK_WEB_LISTING_H

#include <jansson.h>

#include "core/tmpl.h"
#include "http/http.h"
#include "shop/catalog.h"

#define LISTING_PAGE_SIZE 24

/* Fill q from the request's query string (q, vendor, type, tag, price_min,
 * price_max in major units, available, sort, page). Returns 0, or
 * SOUK_EINVAL with a message in err for a malformed value (the handler
 * answers 400). */
int listing_parse(http_ctx_t *c, catalog_query_t *q, int *page, char *err, size_t errcap);

/* The "sorts", "form_action" and "query" members for a listing page, added
 * to ctx, and its "results" and "facets" as host values bound in binds
 * (tmpl.h) for web_render_with: they read page, which must outlive the
 * render. base is the page's path ("/collections/x" or "/search"). */
#define LISTING_BINDS 2
void listing_context(http_ctx_t *c, json_t *ctx, tmpl_bind_t binds[LISTING_BINDS], const char *base,
                     const catalog_query_t *q, const catalog_page_t *page, int pageno,
                     bool collection);

/* A product summary as a card: url, title, vendor, price, price_varies,
 * compare_at, available, image. */
json_t *listing_card(const product_t *p);

/* The URL of an image's src: absolute URLs as they are, media paths under /media/. */
const char *listing_image_url(http_ctx_t *c, const char *src);
/* An image for a template: {src (a URL), alt, width, height}. */
json_t *listing_image(const image_t *im);

/* Top-level published collections for the navigation, marking `current`. */
json_t *listing_nav(http_ctx_t *c, const char *current_handle);

#endif
