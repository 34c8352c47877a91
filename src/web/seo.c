/* seo.c - /sitemap.xml (every active product and published collection) and
 * /robots.txt (which points to it). */
#include <string.h>

#include "core/err.h"
#include "shop/catalog.h"
#include "web/render.h"
#include "web/web.h"

typedef struct {
    http_ctx_t *c;
    const char *origin;
    buf_t *out;
} sitemap_t;

static void sitemap_entry(void *ud, const char *kind, const char *handle, const char *updated_at)
{
    sitemap_t *s = ud;
    buf_puts(s->out, "<url><loc>");
    buf_html(s->out, s->origin, strlen(s->origin));
    buf_puts(s->out, strcmp(kind, "collection") == 0 ? "/collections/" : "/products/");
    buf_html(s->out, handle, strlen(handle));
    buf_puts(s->out, "</loc>");
    if (updated_at && updated_at[0]) {
        buf_puts(s->out, "<lastmod>");
        buf_html(s->out, updated_at, strlen(updated_at));
        buf_puts(s->out, "</lastmod>");
    }
    buf_puts(s->out, "</url>\n");
}

int web_sitemap(http_ctx_t *c)
{
    buf_t *out = http_out(c);
    const char *origin = web_origin(c);
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n<url><loc>");
    buf_html(out, origin, strlen(origin));
    buf_puts(out, "/</loc></url>\n");
    sitemap_t s = {c, origin, out};
    int rc = catalog_sitemap(http_db(c), sitemap_entry, &s);
    if (rc != 0)
        return rc;
    buf_puts(out, "</urlset>\n");
    http_set_content_type(c, "application/xml; charset=utf-8");
    http_set_cache(c, "public, max-age=300");
    return 0;
}

int web_robots(http_ctx_t *c)
{
    buf_t *out = http_out(c);
    buf_printf(out,
               "User-agent: *\nDisallow: /api/\nDisallow: /search\nDisallow: /_test/\n"
               "Sitemap: %s/sitemap.xml\n",
               web_origin(c));
    http_set_content_type(c, "text/plain; charset=utf-8");
    http_set_cache(c, "public, max-age=3600");
    return 0;
}
