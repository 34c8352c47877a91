/* home.c - the home page. The storefront proper arrives with the catalog;
 * until then it greets the shopper with the store's name from the database. */
#include <string.h>

#include "core/err.h"
#include "web/web.h"

int web_home(http_ctx_t *c)
{
    db_t *db = http_db(c);
    db_rows_t *rows;
    const char *name = "souk";
    int rc = db_query(db, "SELECT value FROM settings WHERE key = $1",
                      (db_param_t[]){DB_TEXT("store_name")}, 1, &rows);
    if (rc != 0)
        return rc;
    char *store = NULL;
    if (db_rows_next(rows)) {
        size_t len;
        const char *v = db_rows_text(rows, 0, &len);
        store = http_alloc(c, len + 1);
        memcpy(store, v, len + 1);
    }
    if ((rc = db_rows_end(rows)) != 0)
        return rc;
    if (store)
        name = store;
    buf_t *o = http_out(c);
    buf_puts(o,
             "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    buf_html(o, name, strlen(name));
    buf_puts(o, "</title>\n<meta name=\"description\" content=\"");
    buf_html(o, name, strlen(name));
    buf_puts(o, ": an online store.\">\n</head>\n<body>\n<header><h1>");
    buf_html(o, name, strlen(name));
    buf_puts(o, "</h1></header>\n<main>\n<p>Welcome. The catalog opens soon.</p>\n"
                "</main>\n<footer><p>Served by souk.</p></footer>\n</body></html>\n");
    http_set_cache(c, "public, max-age=60");
    return 0;
}
