/* render.h - rendering storefront pages from the merchant's templates.
 *
 * web_init() loads templates/ once at start (a broken template stops the
 * server with "file:line: message") and registers souk's template filters:
 *   money        minor units -> "$19.99" in the store currency
 *   money_plain  minor units -> "19.99"
 *   asset        "css/souk.css" -> its fingerprinted /static/ URL
 * In development (store.env) the directory is checked for changes at most
 * once a second and reloaded; a reload that fails keeps the previous set and
 * logs the error. */
#ifndef SOUK_WEB_RENDER_H
#define SOUK_WEB_RENDER_H

#include <jansson.h>
#include <stddef.h>

#include "core/config.h"
#include "core/tmpl.h"
#include "http/http.h"
#include "http/static.h"

/* Load the templates and keep cfg and statics (borrowed: they must outlive
 * web_shutdown). 0, or SOUK_EINVAL/SOUK_EIO/SOUK_ELIMIT with err filled. */
int web_init(const config_t *cfg, const static_files_t *statics, char *err, size_t errcap);
void web_shutdown(void);

/* Render template `name` with ctx (a reference is stolen) as c's HTML
 * response with the given status. ctx gains "store" (name, currency,
 * language) when the template did not set it. SOUK_ENOTFOUND if the
 * template is missing; SOUK_ELIMIT if the page would exceed the output cap. */
int web_render(http_ctx_t *c, int status, const char *name, json_t *ctx);
/* The same with top-level names bound to host values (tmpl.h). */
int web_render_with(http_ctx_t *c, int status, const char *name, json_t *ctx,
                    const tmpl_bind_t *binds, size_t nbinds);

/* Members of a template context set without json_pack, which parses its
 * format and checks every key and string as UTF-8 again: a listing page
 * makes some 400 members, a product page a hundred. key must be a literal
 * (or otherwise known UTF-8), v a string the catalog checked when it was
 * written (catalog.c, the CSV reader) or built here from such strings; a v
 * that is not UTF-8 reaches the page as it is and is HTML-escaped there like
 * any other. NULL v: "". web_put steals a reference to j. */
void web_put_str(json_t *o, const char *key, const char *v);
void web_put_int(json_t *o, const char *key, int64_t v);
void web_put_bool(json_t *o, const char *key, bool v);
void web_put(json_t *o, const char *key, json_t *j);
/* o[key] = the string a followed by b ("/collections/" and a handle). */
void web_put_cat(json_t *o, const char *key, const char *a, const char *b);

/* Format minor units in the store currency: "$19.99" (with_symbol) or "19.99". */
void web_money(buf_t *out, int64_t minor, bool with_symbol);

/* The public origin of this request: store.base_url, or http://HOST from the
 * request's Host header when none is configured. Allocated in c. */
const char *web_origin(http_ctx_t *c);

#endif
