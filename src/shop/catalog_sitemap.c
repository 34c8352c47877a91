/* catalog_sitemap.c - every active product's and published collection's
 * handle and update time, for /sitemap.xml (catalog.h). */
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "shop/catalog.h"
#include "shop/catalog_int.h"

#define SITEMAP_CHUNK 1000

/* Stream one table in id order, SITEMAP_CHUNK rows per statement, so that a
 * large catalog never sits in memory whole (libpq reads a result at once). */
static int sitemap_table(db_t *db, const char *sql, const char *kind,
                         void (*fn)(void *, const char *, const char *, const char *), void *ud)
{
    int64_t after = 0;
    for (;;) {
        db_rows_t *r;
        int rc = db_query(db, sql, (db_param_t[]){DB_INT(after), DB_INT(SITEMAP_CHUNK)}, 2, &r);
        if (rc < 0)
            return rc;
        int n = 0;
        while (db_rows_next(r)) {
            after = db_rows_int(r, 0);
            fn(ud, kind, db_rows_text(r, 1, NULL), db_rows_text(r, 2, NULL));
            n++;
        }
        if ((rc = db_rows_end(r)) < 0)
            return rc;
        if (n < SITEMAP_CHUNK)
            return 0;
    }
}

int catalog_sitemap(db_t *db,
                    void (*fn)(void *ud, const char *kind, const char *handle,
                               const char *updated_at),
                    void *ud)
{
    bool pg = db_dialect(db) == DB_POSTGRES;
    int rc = sitemap_table(db,
                           pg ? "SELECT id, handle, " CATALOG_PG_TS(
                                    "updated_at") " FROM products WHERE status = 'active' "
                                                  "AND id > $1 ORDER BY id LIMIT $2"
                              : "SELECT id, handle, updated_at FROM products WHERE "
                                "status = 'active' AND id > $1 ORDER BY id LIMIT $2",
                           "product", fn, ud);
    if (rc < 0)
        return rc;
    return sitemap_table(
        db,
        pg ? "SELECT id, handle, " CATALOG_PG_TS("updated_at") " FROM collections WHERE published "
                                                               "AND id > $1 ORDER BY id LIMIT $2"
           : "SELECT id, handle, updated_at FROM collections WHERE "
             "published AND id > $1 ORDER BY id LIMIT $2",
        "collection", fn, ud);
}
